"""A broken risk tool file is refused with problems that name the key (issue 5): each
broken file of tests/risk/tool_files/broken/, further faults written inline, and the
start-up check that lists every problem of every file without raising."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from safehold.risk.tools import (
    RiskToolFileError,
    available_tools,
    clear_available_tools,
    load_tool_file,
    parse_tool,
    tool_by_id,
    tool_problems,
)

TOOL_FILES = Path(__file__).resolve().parent / "tool_files"
BROKEN = TOOL_FILES / "broken"


@pytest.fixture(autouse=True)
def fresh_tools() -> Iterator[None]:
    clear_available_tools()
    yield
    clear_available_tools()


def problems_in(path: Path) -> list[str]:
    with pytest.raises(RiskToolFileError) as refused:
        load_tool_file(path)
    return refused.value.problems


# (file in tool_files/broken/, the problem it gives)
BROKEN_FILES = [
    ("unknown-key", "sections[0].questions[1].hlep: unknown key (did you mean 'help'?)"),
    ("no-sections", "sections: missing; this key is required"),
    ("duplicate-question",
     "sections[1].questions[0].id: 'a2' is already the id of sections[0].questions[1]"),
    ("empty-section", "sections[2].questions: must not be empty"),
    ("levels-out-of-order", "levels.high: must be above medium (3)"),
    ("unreachable", "levels.high: 4 can never be reached: the most this tool can score is 3"),
    ("no-unknown",
     "answers.unknown: missing: every tool must offer \"don't know\" as `unknown`"),
    ("bad-toml", f"{BROKEN / 'bad-toml.toml'}: not valid TOML: Invalid value (at line 9"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "expected"), BROKEN_FILES, ids=[name for name, _ in BROKEN_FILES])
def test_a_broken_file_names_the_key_that_is_wrong(name: str, expected: str) -> None:
    problems = problems_in(BROKEN / f"{name}.toml")

    assert any(problem.startswith(expected) for problem in problems), problems


def test_every_broken_fixture_is_tested() -> None:
    assert sorted(path.stem for path in BROKEN.glob("*.toml")) == sorted(
        name for name, _ in BROKEN_FILES
    )


def test_the_message_names_the_file_and_lists_its_problems() -> None:
    path = BROKEN / "no-unknown.toml"

    with pytest.raises(RiskToolFileError) as refused:
        load_tool_file(path)

    assert refused.value.source == str(path)
    assert str(refused.value).startswith(f"The risk tool file {path} cannot be used:\n  - ")


def test_a_missing_file_is_a_problem_too(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"

    assert problems_in(missing) == [f"{missing}: cannot read the file (No such file or directory)"]


# A valid tool, in text, that the tests below break one key at a time.
TOOL = """\
id = "inline"
name = "Inline tool"
version = "1"
description = "For the tests."
source_url = "https://tools.example/checklist"
guidance_url = "https://tools.example/guidance"

[answers]
yes = { label = "Yes", points = 1 }
unknown = { label = "Don't know", points = 0 }

[levels]
medium = 1
high = 2

[marac]
visible_high_risk_level = "high"

[[sections]]
id = "only"
title = "Only"

[[sections.questions]]
id = "a1"
text = "First?"

[[sections.questions]]
id = "a2"
text = "Second?"
"""


def changed(old: str, new: str) -> str:
    assert old in TOOL
    return TOOL.replace(old, new)


def test_the_inline_tool_is_valid() -> None:
    assert parse_tool(TOOL).id == "inline"


INLINE_FAULTS = [
    ("an unknown top-level key", TOOL.replace('version = "1"', 'version = "1"\ncolour = "red"'),
     "colour: unknown key"),
    ("a tool id with capitals", changed('id = "inline"', 'id = "Inline"'),
     "id: 'Inline' is not in the expected form"),
    ("two sections with one id",
     TOOL + '[[sections]]\nid = "only"\ntitle = "Again"\n'
     '[[sections.questions]]\nid = "a3"\ntext = "Third?"\n',
     "sections[1].id: 'only' is already the id of sections[0]"),
    ("don't know that counts", changed('points = 0 }', 'points = 1 }'),
     "answers.unknown.points: must be 0: \"don't know\" never counts"),
    ("negative points", changed('points = 1 }', 'points = -1 }'),
     "answers.yes.points: must be 0 or more, not -1"),
    ("points written as text", changed('points = 1 }', 'points = "1" }'),
     "answers.yes.points: wrong type: expected a whole number, got text '1'"),
    ("standard not from 0", changed("[levels]\n", "[levels]\nstandard = 1\n"),
     "levels.standard: must be 0, not 1"),
    ("medium at 0", changed("medium = 1", "medium = 0"),
     "levels.medium: must be above standard (0)"),
    ("high equal to medium", changed("high = 2", "high = 1"),
     "levels.high: must be above medium (1)"),
    ("no high level", changed("high = 2\n", ""),
     "levels.high: missing; this key is required"),
    ("MARAC at a level the tool lacks",
     changed("medium = 1\n", "").replace('level = "high"', 'level = "medium"'),
     "marac.visible_high_risk_level: the tool has no medium level in [levels]"),
    ("MARAC at standard", changed('level = "high"', 'level = "standard"'),
     "marac.visible_high_risk_level: must be one of 'medium' or 'high'"),
    ("a link that is not https", changed("https://tools.example/guidance", "tools.example"),
     "guidance_url: 'tools.example' is not in the expected form"),
    ("an empty question", changed('text = "Second?"', 'text = "  "'),
     "sections[0].questions[1].text: must not be empty"),
    ("no questions key", TOOL.split("[[sections.questions]]")[0],
     "sections[0].questions: missing; this key is required"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("why", "text", "expected"), INLINE_FAULTS, ids=[fault[0] for fault in INLINE_FAULTS]
)
def test_it_names_the_key_that_is_wrong(why: str, text: str, expected: str) -> None:
    with pytest.raises(RiskToolFileError) as refused:
        parse_tool(text, source="inline.toml")

    assert any(p.startswith(expected) for p in refused.value.problems), refused.value.problems


def test_it_lists_every_problem_at_once() -> None:
    text = changed('name = "Inline tool"\n', "").replace("points = 1 }", "points = -1 }")

    with pytest.raises(RiskToolFileError) as refused:
        parse_tool(text + 'colour = "red"\n', source="inline.toml")

    assert len(refused.value.problems) == 3, refused.value.problems


def test_a_provider_file_may_not_reuse_a_bundled_tools_id(settings: Settings) -> None:
    settings.SAFEHOLD_RISK_TOOLS_DIR = TOOL_FILES / "clash"
    clash = TOOL_FILES / "clash" / "my-dash.toml"

    assert tool_problems() == [
        f"{clash}: id: 'dash-ric' is the id of a tool bundled with Safehold; "
        "give your own tool its own id"
    ]
    with pytest.raises(RiskToolFileError) as refused:
        available_tools()
    assert refused.value.source == str(clash)


def test_two_provider_files_may_not_share_an_id(settings: Settings, tmp_path: Path) -> None:
    screen = TOOL_FILES / "provider" / "northgate-screen.toml"
    shutil.copy(screen, tmp_path / "a.toml")
    shutil.copy(screen, tmp_path / "b.toml")
    settings.SAFEHOLD_RISK_TOOLS_DIR = tmp_path

    assert tool_problems() == [
        f"{tmp_path / 'b.toml'}: id: 'northgate-screen' is already the id of the tool in "
        f"{tmp_path / 'a.toml'}"
    ]


def test_the_start_up_check_lists_every_problem_of_every_file_without_raising(
    settings: Settings,
) -> None:
    settings.SAFEHOLD_RISK_TOOLS_DIR = BROKEN

    problems = tool_problems()

    for name, expected in BROKEN_FILES:
        path = BROKEN / f"{name}.toml"
        prefix = expected if expected.startswith(str(path)) else f"{path}: {expected}"
        assert any(problem.startswith(prefix) for problem in problems), (name, problems)


def test_a_broken_provider_file_stops_every_tool_being_used(settings: Settings) -> None:
    settings.SAFEHOLD_RISK_TOOLS_DIR = BROKEN

    with pytest.raises(RiskToolFileError):
        tool_by_id("dash-ric")


def test_a_provider_folder_that_is_a_file_is_a_problem(settings: Settings, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "tools.toml"
    not_a_folder.write_text("", encoding="utf-8")
    settings.SAFEHOLD_RISK_TOOLS_DIR = not_a_folder

    assert tool_problems() == [
        f"{not_a_folder}: not a folder: SAFEHOLD_RISK_TOOLS_DIR must name a folder of .toml files"
    ]
