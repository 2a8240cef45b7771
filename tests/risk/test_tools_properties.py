"""Properties of scoring that hold for any set of answers: DASH RIC's score never exceeds
its number of questions, "yes" never lowers it, "don't know" never raises it, and the
level and the MARAC criterion rise with the score."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from safehold.policy.vocabulary import RISK_LEVELS
from safehold.risk.tools import (
    BUNDLED_DIR,
    answer_ids,
    level_for,
    load_tool_file,
    marac_high_risk,
    max_score,
    question_ids,
    score,
)

# Read straight from the file, so the properties do not depend on Django's settings.
DASH = load_tool_file(BUNDLED_DIR / "dash-ric.toml")
QUESTIONS = question_ids(DASH)

answer_sets = st.fixed_dictionaries(
    {question: st.sampled_from(answer_ids(DASH)) for question in QUESTIONS}
)


@given(answer_sets)
def test_the_score_never_exceeds_the_number_of_questions(answers: dict[str, str]) -> None:
    assert 0 <= score(DASH, answers) <= len(QUESTIONS) == max_score(DASH)


@given(answer_sets)
def test_the_score_is_the_number_of_yes_answers(answers: dict[str, str]) -> None:
    assert score(DASH, answers) == list(answers.values()).count("yes")


@given(answer_sets, st.sampled_from(QUESTIONS))
def test_a_yes_never_lowers_the_score(answers: dict[str, str], question: str) -> None:
    more = answers | {question: "yes"}

    assert score(DASH, more) >= score(DASH, answers)
    assert RISK_LEVELS.index(level_for(DASH, score(DASH, more))) >= RISK_LEVELS.index(
        level_for(DASH, score(DASH, answers))
    )
    assert marac_high_risk(DASH, score(DASH, more)) >= marac_high_risk(DASH, score(DASH, answers))


@given(answer_sets, st.sampled_from(QUESTIONS))
def test_dont_know_never_raises_the_score(answers: dict[str, str], question: str) -> None:
    unsure = answers | {question: "unknown"}

    assert score(DASH, unsure) <= score(DASH, answers)
    assert score(DASH, unsure) == score(DASH, answers | {question: "no"})


@given(st.integers(min_value=0, max_value=len(QUESTIONS)))
def test_visible_high_risk_is_exactly_the_high_level(points: int) -> None:
    assert marac_high_risk(DASH, points) == (level_for(DASH, points) == "high")
