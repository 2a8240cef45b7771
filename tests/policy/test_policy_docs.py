"""docs/policy-files.md keeps up with the schema, and its example is a valid policy."""

from __future__ import annotations

import re
from pathlib import Path

from safehold.policy.loader import parse_policy
from safehold.policy.schema import Policy
from safehold.policy.setting_paths import iter_settings

DOCS = Path(__file__).resolve().parents[2] / "docs" / "policy-files.md"


def test_the_reference_describes_every_setting() -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = set(re.findall(r"`([a-z_0-9.]+)`", text))

    undocumented = [
        info.path
        for info in iter_settings(Policy)
        if info.path not in documented and info.path.rsplit(".", 1)[0] not in documented
    ]

    assert undocumented == []


def test_the_worked_example_is_a_valid_policy() -> None:
    text = DOCS.read_text(encoding="utf-8")
    examples = re.findall(r"```toml\n(.*?)```", text, flags=re.DOTALL)

    policy = parse_policy(examples[0], source="northgate.toml")

    assert policy.id == "northgate"
    assert policy.closure.override_role == "manager"
