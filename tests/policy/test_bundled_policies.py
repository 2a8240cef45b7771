"""The six bundled policy files: they load, they say where every setting comes from, and
their quotes are the seeds' own words."""

from __future__ import annotations

import re

import pytest

from safehold.policy.loader import (
    BUNDLED_DIR,
    bundled_policy_ids,
    bundled_policy_path,
    check_policy_file,
    load_policy,
    parse_policy,
)
from tests.policy.policies import MINIMAL_POLICY

BUNDLED = ["association", "default", "viridian", "wha", "whg", "wrekin"]
SEEDS_DIR = BUNDLED_DIR / "seeds"
SEED_FILES = {
    "wha": "000_d48778e071033c63.txt",
    "whg": "001_ba292ac3c64587bb.txt",
    "association": "002_855cb3cd2fb93c33.txt",
    "viridian": "003_b09ef25f9af57955.txt",
    "wrekin": "004_b4e29a992dd16467.txt",
}
KEY_LINE = re.compile(r'^\s*("[^"]+"|[A-Za-z0-9_-]+)\s*=')


def test_it_ships_the_six_policies() -> None:
    assert list(bundled_policy_ids()) == BUNDLED


@pytest.mark.parametrize("policy_id", BUNDLED)
def test_each_bundled_policy_loads(policy_id: str) -> None:
    policy = load_policy(policy_id)

    assert policy.id == policy_id
    assert re.fullmatch(r"[0-9a-f]{16}", policy.version)
    assert policy.source == bundled_policy_path(policy_id)
    assert check_policy_file(bundled_policy_path(policy_id)) == []


def settings_and_their_comments(text: str) -> list[tuple[int, str, str]]:
    """Each setting line outside [quotes], with the comment on it or just above it."""
    found: list[tuple[int, str, str]] = []
    lines = text.splitlines()
    in_quotes = in_array = False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if in_array:
            in_array = not stripped.startswith("]")
            continue
        if stripped.startswith("["):
            in_quotes = stripped == "[quotes]"
            continue
        match = KEY_LINE.match(line)
        if match is None or in_quotes:
            continue
        in_array = stripped.endswith("[")
        comment = line.split("#", 1)[1] if "#" in line else ""
        above = number - 2
        while above >= 0 and lines[above].strip().startswith("#"):
            comment = lines[above] + " " + comment
            above -= 1
        found.append((number, match.group(1), comment))
    return found


@pytest.mark.parametrize("policy_id", BUNDLED)
def test_every_setting_says_where_it_comes_from(policy_id: str) -> None:
    text = bundled_policy_path(policy_id).read_text(encoding="utf-8")
    seed_number = SEED_FILES.get(policy_id, "[default]")[:3]
    citation = "[default]" if policy_id == "default" else f"[{seed_number}"

    uncited = [
        f"{policy_id}.toml:{number} {key}"
        for number, key, comment in settings_and_their_comments(text)
        if citation not in comment and not (policy_id == "default" and "[00" in comment)
    ]

    assert uncited == []


@pytest.mark.parametrize("policy_id", sorted(SEED_FILES))
def test_each_seed_policy_names_its_seed_file(policy_id: str) -> None:
    text = bundled_policy_path(policy_id).read_text(encoding="utf-8")

    assert SEED_FILES[policy_id] in text


def normalised(text: str) -> str:
    """The seeds are PDF extractions: compare words, not line breaks or curly quotes."""
    curly_quotes = {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "**": ""}
    for curly, straight in curly_quotes.items():
        text = text.replace(curly, straight)
    return " ".join(text.split())


@pytest.mark.parametrize("policy_id", sorted(SEED_FILES))
def test_every_quote_is_the_seeds_own_words(policy_id: str) -> None:
    # The seeds ship beside the bundled files (safehold/policy/bundled/seeds/README.md);
    # a missing seed is a failure, never a silent skip.
    assert SEEDS_DIR.is_dir(), f"the seed documents are missing from {SEEDS_DIR}"
    seed = normalised((SEEDS_DIR / SEED_FILES[policy_id]).read_text(encoding="utf-8"))
    policy = load_policy(policy_id)

    not_in_seed = [key for key, words in policy.quotes.items() if normalised(words) not in seed]

    assert policy.quotes
    assert not_in_seed == []


def test_a_setting_left_out_takes_the_default_policys_value() -> None:
    minimal = parse_policy(MINIMAL_POLICY)
    default = load_policy("default")
    own = {"id", "name", "provider", "source_document", "review_date", "quotes"}

    assert minimal.model_dump(exclude=own) == default.model_dump(exclude=own)
