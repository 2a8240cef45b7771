"""docs/security.md names, for each ASVS requirement, the code that meets it and the test
that proves it: every file and test it names must exist, so the page cannot drift from
the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
TESTS = sorted(set(re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", PAGE)))
FILES = sorted(set(re.findall(r"`((?:safehold|scripts|tests)/[\w/.-]+\.(?:py|html))`", PAGE)))


def test_the_page_names_tests_and_files() -> None:
    assert len(TESTS) > 50
    assert len(FILES) > 20


@pytest.mark.parametrize(("path", "name"), TESTS, ids=[f"{p}::{n}" for p, n in TESTS])
def test_each_named_test_exists(path: str, name: str) -> None:
    source = (ROOT / path).read_text(encoding="utf-8")
    assert re.search(rf"^def {name}\(", source, re.MULTILINE), f"{path} has no {name}"


@pytest.mark.parametrize("path", FILES)
def test_each_named_file_exists(path: str) -> None:
    assert (ROOT / path).is_file()
