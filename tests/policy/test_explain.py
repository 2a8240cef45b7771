"""The policy in plain English for the "Our policy" page, and as data for the API."""

from __future__ import annotations

import json
from datetime import date, time

import pytest

from safehold.policy.explain import (
    SECTIONS,
    SETTING_QUESTIONS,
    Rule,
    policy_document,
    policy_review_overdue,
    policy_rules,
)
from safehold.policy.loader import bundled_policy_ids, load_policy
from safehold.policy.schema import Assignment, Policy, ResponseTarget, WorkingHours
from safehold.policy.setting_paths import setting_exists
from safehold.policy.sources import setting_sources
from safehold.policy.wording import clock_time, months, ordinal, roles_named
from tests.policy.policies import policy_with


def value_of(policy: Policy, setting: str) -> object:
    value: object = policy
    for part in setting.split("."):
        value = value.get(part) if isinstance(value, dict) else getattr(value, part)
    return value


def rule_for(policy: Policy, setting: str) -> Rule:
    return next(rule for rule in policy_rules(policy) if rule.setting == setting)


def test_it_explains_one_working_day() -> None:
    rule = rule_for(load_policy("wrekin"), "response_target")

    assert rule.heading == "First contact with the survivor"
    assert rule.text == (
        "We contact the survivor within 1 working day: "
        "by 5pm on the next working day after the report."
    )
    assert rule.quotes == (
        "Initial contact in all reported cases of Domestic Abuse will be within one working "
        "day to assess the level of severity and then formulate the agreed appropriate level "
        "and timescale of any action.",
    )


def test_it_explains_several_working_days_at_the_policys_close_of_business() -> None:
    policy = policy_with(
        response_target=ResponseTarget(kind="working_days", amount=3),
        working_hours=WorkingHours(end=time(16, 30)),
    )

    assert rule_for(policy, "response_target").text == (
        "We contact the survivor within 3 working days: "
        "by 4:30pm on the third working day after the day of the report."
    )


def test_it_explains_clock_hours() -> None:
    assert rule_for(load_policy("viridian"), "response_target").text.startswith(
        "We contact the survivor within 24 hours of the report, at any time of day or night"
    )


def test_it_explains_the_targets_per_risk_level() -> None:
    rule = rule_for(load_policy("association"), "response_target_by_risk_level.standard")

    assert rule.text.startswith("Once a case is assessed as standard risk, we contact")
    assert "based on an assessment of the severity" in rule.quotes[0]


def test_it_explains_reassessing_high_risk_and_leaves_risk_levels_to_the_tool() -> None:
    rules = policy_rules(load_policy("default"))
    reassess = rule_for(load_policy("default"), "marac.reassess_high_risk_days")

    assert reassess.text == (
        "While a case is at high risk, we assess the risk again at least every 14 days."
    )
    assert not any("score of" in rule.text for rule in rules)


def test_it_names_who_approves_disclosure_in_words() -> None:
    wha = rule_for(load_policy("wha"), "disclosure.approver_roles")
    default = rule_for(load_policy("default"), "disclosure.approver_roles")

    assert "approved by a director, and is recorded" in wha.text
    assert "approved by a director or a domestic abuse lead" in default.text


def test_it_puts_the_wha_interview_conditions_with_the_interview_rule() -> None:
    rule = rule_for(load_policy("wha"), "perpetrator_interview")

    assert rule.text == (
        "We interview an alleged perpetrator only when the investigating officer and their "
        "manager consider it appropriate, the survivor agrees and it is safe to do so."
    )
    assert "It is considered appropriate by the investigating officer and their manager." in (
        rule.quotes
    )


def test_a_protection_switched_off_promises_nothing() -> None:
    policy = policy_with(assignment=Assignment(same_sex_officer_on_request=False))

    assert "assignment.same_sex_officer_on_request" not in {
        rule.setting for rule in policy_rules(policy)
    }


@pytest.mark.parametrize("policy_id", bundled_policy_ids())
def test_every_quote_appears_beside_a_rule(policy_id: str) -> None:
    policy = load_policy(policy_id)
    shown = {words for rule in policy_rules(policy) for words in rule.quotes}

    assert set(policy.quotes.values()) <= shown


@pytest.mark.parametrize("policy_id", bundled_policy_ids())
def test_every_rule_names_real_settings_in_known_sections(policy_id: str) -> None:
    rules = policy_rules(load_policy(policy_id))

    assert all(setting_exists(Policy, s) for rule in rules for s in rule.settings)
    assert [rule.section for rule in rules] == sorted(
        (rule.section for rule in rules), key=SECTIONS.index
    )


def test_the_api_document_has_what_get_policy_promises() -> None:
    viridian = load_policy("viridian")

    document = policy_document(viridian)

    assert document["id"] == "viridian"
    assert document["version"] == viridian.version
    assert document["response_target"] == {"kind": "clock_hours", "amount": 24}
    assert document["review_interval_days"] == 14
    assert document["emergency_repair_hours"] == 24
    assert document["disclosure_approver_roles"] == ["manager"]
    assert document["closure"]["survivor_agreement"] == "required"
    assert json.loads(json.dumps(document)) == document


def test_it_knows_when_the_policy_itself_is_overdue_for_review() -> None:
    assert policy_review_overdue(load_policy("whg"), date(2026, 11, 22))
    assert not policy_review_overdue(load_policy("default"), date(2026, 11, 22))


@pytest.mark.parametrize(
    ("moment", "words"),
    [(time(17), "5pm"), (time(9), "9am"), (time(16, 30), "4:30pm"), (time(12), "midday")],
)
def test_it_writes_times_the_govuk_way(moment: time, words: str) -> None:
    assert clock_time(moment) == words


def test_it_writes_counts_and_roles_in_words() -> None:
    assert [ordinal(n) for n in (1, 2, 9, 11, 21, 22)] == [
        "first",
        "second",
        "9th",
        "11th",
        "21st",
        "22nd",
    ]
    assert [months(n) for n in (12, 36, 18)] == ["year", "3 years", "18 months"]
    assert roles_named(["manager", "da_lead"]) == "a manager or a domestic abuse lead"


def test_it_says_whose_rule_it_is_beside_each_rule() -> None:
    wha = load_policy("wha")

    approver = rule_for(wha, "disclosure.approver_roles")
    first_contact = rule_for(wha, "response_target")
    retention = rule_for(wha, "retention.years_after_closure")

    # [000 Confidentiality]
    assert [tag.tag for tag in approver.tags] == ["WHA's words"]
    assert approver.notes[0].text == "In WHA's words:"
    assert approver.notes[0].quote.startswith("The Housing Services Director will approve")
    # [000 silent] on a response time.
    assert [note.text for note in first_contact.notes] == [
        "Safehold's default: WHA's policy does not say."
    ]
    # [000 silent] on retention, which only WHA can decide.
    assert [tag.tag for tag in retention.tags] == ["For WHA to set"]
    assert [note.text for note in retention.notes] == [
        "WHA has not set this yet: Safehold uses 6 years."
    ]


def test_a_rule_with_settings_from_several_places_names_each_part() -> None:
    rule = rule_for(load_policy("wha"), "working_hours")

    assert [tag.source for tag in rule.tags] == ["provider_to_set", "default"]
    assert [note.text for note in rule.notes] == [
        "WHA has not set this yet: its policy does not say when the working day starts or "
        "when the working day ends, so Safehold uses 9am and 5pm.",
        "Safehold's default: WHA's policy does not say whose bank holidays are not working days.",
    ]


@pytest.mark.parametrize("policy_id", bundled_policy_ids())
def test_every_setting_of_a_rule_with_several_can_be_named(policy_id: str) -> None:
    unnamed = {
        setting
        for rule in policy_rules(load_policy(policy_id))
        if len(rule.sources) > 1
        for setting, _ in rule.sources
        if setting not in SETTING_QUESTIONS
    }

    assert unnamed == set()


@pytest.mark.parametrize("policy_id", bundled_policy_ids())
def test_every_setting_the_provider_owns_or_must_set_is_shown_beside_a_rule(
    policy_id: str,
) -> None:
    policy = load_policy(policy_id)
    shown = {setting for rule in policy_rules(policy) for setting, _ in rule.sources}

    # A protection switched off promises nothing, so it has no rule to stand beside.
    not_shown = {
        setting
        for setting, source in setting_sources(policy).items()
        if source.source != "default" and setting not in shown and value_of(policy, setting)
    }

    assert not_shown == set()


def test_the_api_document_gives_each_settings_source_beside_its_value() -> None:
    document = policy_document(load_policy("wrekin"))

    # [004 Timescales for responding to your report] "within one working day".
    assert document["response_target"] == {"kind": "working_days", "amount": 1}
    assert document["sources"]["response_target"]["source"] == "quoted"
    assert document["sources"]["response_target"]["quote"].startswith("Initial contact")
    assert document["sources"]["nation"] == {"source": "default"}
    assert document["sources"]["working_hours.end"] == {"source": "provider_to_set"}
