"""Risk tools as data (issue 5): the bundled DASH RIC, scoring and levels, and a
provider's own tool dropped into SAFEHOLD_RISK_TOOLS_DIR.

The thresholds pinned here are dash-ric.toml's (`[levels]`: medium 10, high 14) and
northgate-screen.toml's (medium 5, high 8, "yes" 2 points), from tests/risk/tool_files/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from safehold.risk.tools import (
    BUNDLED_DIR,
    UnknownRiskTool,
    UnknownSection,
    answer_ids,
    answer_options,
    available_tools,
    clear_available_tools,
    level_for,
    load_tool_file,
    marac_high_risk,
    max_score,
    question_ids,
    score,
    section_after,
    section_by_id,
    section_ids,
    tool_by_id,
    tool_files,
    tool_problems,
)

TOOL_FILES = Path(__file__).resolve().parent / "tool_files"
DASH_RIC = BUNDLED_DIR / "dash-ric.toml"


@pytest.fixture(autouse=True)
def fresh_tools() -> Iterator[None]:
    """Each test reads the tool files as its settings find them."""
    clear_available_tools()
    yield
    clear_available_tools()


@pytest.fixture
def provider_tools(settings: Settings) -> Path:
    """A provider's folder holding its own tool, northgate-screen."""
    settings.SAFEHOLD_RISK_TOOLS_DIR = TOOL_FILES / "provider"
    return TOOL_FILES / "provider"


def dash_answers(yes: int, unknown: int = 0) -> dict[str, str]:
    """DASH RIC answers: the first `yes` questions "yes", the next `unknown` "unknown",
    the rest "no"."""
    ids = question_ids(load_tool_file(DASH_RIC))
    return {
        question: "yes" if n < yes else "unknown" if n < yes + unknown else "no"
        for n, question in enumerate(ids)
    }


def test_dash_ric_has_24_questions_in_three_sections() -> None:
    dash = tool_by_id("dash-ric")

    assert question_ids(dash) == tuple(f"q{number}" for number in range(1, 25))
    assert section_ids(dash) == ("current_situation", "children_and_history", "the_abuser")
    assert [len(section.questions) for section in dash.sections] == [8, 11, 5]
    questions = [question for section in dash.sections for question in section.questions]
    assert all(question.text.endswith("?") for question in questions)


def test_dash_ric_offers_yes_no_and_dont_know() -> None:
    dash = tool_by_id("dash-ric")

    assert answer_ids(dash) == ("yes", "no", "unknown")
    assert dash.answers["unknown"].label == "Don't know"
    assert max_score(dash) == 24


def test_dash_ric_links_to_safelives_and_says_the_wording_is_safeholds_own() -> None:
    dash = tool_by_id("dash-ric")
    header = DASH_RIC.read_text(encoding="utf-8").split("\nid = ")[0]

    assert dash.source_url.startswith("https://safelives.org.uk/")
    assert dash.guidance_url.startswith("https://safelives.org.uk/")
    assert "Safehold's own" in header
    assert "not SafeLives' wording" in header
    assert "trained" in header


def test_a_tool_records_a_hash_of_its_file() -> None:
    dash = tool_by_id("dash-ric")

    assert re.fullmatch(r"[0-9a-f]{16}", dash.version_hash)
    assert dash.source == DASH_RIC
    assert load_tool_file(DASH_RIC).version_hash == dash.version_hash


@pytest.mark.parametrize(
    ("yes", "level"),
    [(0, "standard"), (9, "standard"), (10, "medium"), (13, "medium"), (14, "high"), (24, "high")],
)
def test_dash_ric_levels_follow_the_number_of_yes_answers(yes: int, level: str) -> None:
    dash = tool_by_id("dash-ric")

    assert score(dash, dash_answers(yes)) == yes
    assert level_for(dash, score(dash, dash_answers(yes))) == level


@pytest.mark.parametrize(("yes", "marac"), [(13, False), (14, True), (24, True)])
def test_dash_ric_is_visible_high_risk_at_14(yes: int, marac: bool) -> None:
    dash = tool_by_id("dash-ric")

    assert marac_high_risk(dash, score(dash, dash_answers(yes))) is marac


def test_dont_know_never_counts() -> None:
    dash = tool_by_id("dash-ric")

    assert score(dash, dash_answers(yes=0, unknown=24)) == 0
    assert score(dash, dash_answers(yes=13, unknown=11)) == 13
    assert level_for(dash, score(dash, dash_answers(yes=13, unknown=11))) == "medium"


def test_a_question_left_out_scores_as_dont_know() -> None:
    dash = tool_by_id("dash-ric")

    assert score(dash, {"q1": "yes", "q2": "yes"}) == 2


def test_scoring_refuses_questions_and_answers_the_tool_does_not_have() -> None:
    dash = tool_by_id("dash-ric")

    with pytest.raises(ValueError, match="no question q25"):
        score(dash, {"q25": "yes"})
    with pytest.raises(ValueError, match="'maybe' is not an answer"):
        score(dash, {"q1": "maybe"})


def test_it_finds_a_section_by_id_and_the_one_after_it() -> None:
    dash = tool_by_id("dash-ric")

    assert section_by_id(dash, "the_abuser").questions[0].id == "q20"
    assert section_after(dash, "current_situation") == "children_and_history"
    assert section_after(dash, "the_abuser") is None
    with pytest.raises(UnknownSection, match="dash-ric has no section 'nowhere'"):
        section_by_id(dash, "nowhere")
    with pytest.raises(UnknownSection):
        section_after(dash, "nowhere")


def test_it_offers_the_answers_with_their_labels() -> None:
    assert answer_options(tool_by_id("dash-ric")) == [
        ("yes", "Yes"),
        ("no", "No"),
        ("unknown", "Don't know"),
    ]


def test_an_unknown_tool_is_refused_by_name() -> None:
    with pytest.raises(UnknownRiskTool, match="no risk tool called 'dahs'") as refused:
        tool_by_id("dahs")

    assert refused.value.tool_id == "dahs"


def test_without_a_provider_folder_only_the_bundled_tools_are_available(
    settings: Settings, tmp_path: Path
) -> None:
    settings.SAFEHOLD_RISK_TOOLS_DIR = tmp_path / "not-created"

    assert list(available_tools()) == ["dash-ric"]
    assert tool_problems() == []


def test_a_provider_adds_its_own_tool_by_dropping_in_a_file(provider_tools: Path) -> None:
    screen = tool_by_id("northgate-screen")

    assert list(available_tools()) == ["dash-ric", "northgate-screen"]
    assert screen.source == provider_tools / "northgate-screen.toml"
    assert tool_files()[-1] == provider_tools / "northgate-screen.toml"
    assert tool_problems() == []


def test_a_provider_tool_has_its_own_answers_and_thresholds(provider_tools: Path) -> None:
    screen = tool_by_id("northgate-screen")
    all_no = dict.fromkeys(question_ids(screen), "no")

    assert answer_ids(screen) == ("yes", "sometimes", "no", "unknown")
    assert max_score(screen) == 12
    four = all_no | {"threats": "yes", "worse": "yes"}
    five = four | {"afraid": "sometimes"}
    assert (score(screen, four), level_for(screen, score(screen, four))) == (4, "standard")
    assert (score(screen, five), level_for(screen, score(screen, five))) == (5, "medium")
    eight = all_no | {"threats": "yes", "worse": "yes", "afraid": "yes", "injured": "yes"}
    assert score(screen, eight) == 8
    assert level_for(screen, 8) == "high"
    assert marac_high_risk(screen, 8)
    assert not marac_high_risk(screen, 7)


def test_the_tools_are_read_once_until_cleared(provider_tools: Path) -> None:
    first = available_tools()["northgate-screen"]

    assert tool_by_id("northgate-screen") is first
    clear_available_tools()
    assert tool_by_id("northgate-screen") is not first
