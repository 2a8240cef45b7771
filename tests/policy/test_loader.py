"""Loading a policy by bundled id or by path, its version, and the active policy."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from safehold.policy.loader import (
    active_policy,
    bundled_policy_path,
    clear_active_policy,
    load_policy,
    parse_policy,
)
from tests.policy.policies import MINIMAL_POLICY


def test_it_loads_a_policy_file_by_path(tmp_path: Path) -> None:
    path = tmp_path / "northgate.toml"
    path.write_text(MINIMAL_POLICY, encoding="utf-8")

    policy = load_policy(str(path))

    assert policy.id == "test"
    assert policy.source == path


def test_the_version_is_a_hash_of_the_files_bytes() -> None:
    raw = bundled_policy_path("wrekin").read_bytes()

    assert load_policy("wrekin").version == hashlib.sha256(raw).hexdigest()[:16]


def test_any_change_to_the_file_changes_the_version() -> None:
    first = parse_policy(MINIMAL_POLICY)
    commented = parse_policy(MINIMAL_POLICY + "# a comment\n")

    assert first.version != commented.version
    assert first.model_dump() == commented.model_dump()


def test_a_loaded_policy_cannot_be_changed_by_accident() -> None:
    policy = load_policy("default")

    with pytest.raises(ValueError, match="frozen"):
        policy.review_interval_days = 28
    assert isinstance(policy.closure.reasons, tuple)


@pytest.fixture
def fresh_active_policy() -> Iterator[None]:
    clear_active_policy()
    yield
    clear_active_policy()


@pytest.mark.usefixtures("fresh_active_policy")
def test_the_active_policy_follows_the_setting(settings: Settings) -> None:
    settings.SAFEHOLD_POLICY = "wrekin"

    assert active_policy().id == "wrekin"
    assert active_policy() is active_policy()


@pytest.mark.usefixtures("fresh_active_policy")
def test_the_active_policy_is_read_again_after_clearing(settings: Settings) -> None:
    settings.SAFEHOLD_POLICY = "wha"
    assert active_policy().id == "wha"

    settings.SAFEHOLD_POLICY = "viridian"
    clear_active_policy()

    assert active_policy().id == "viridian"
