"""Spot checks that each seed's key rules came through into its bundled policy, and that
the default takes the stronger protection wherever the seeds differ."""

from __future__ import annotations

from datetime import date
from operator import attrgetter

import pytest

from safehold.policy.agencies import agencies_by_area
from safehold.policy.loader import bundled_policy_path, load_policy
from safehold.policy.schema import ResponseTarget

SEEDS = ["wha", "whg", "association", "viridian", "wrekin"]


def test_wha_000_needs_the_director_to_disclose_without_consent() -> None:
    wha = load_policy("wha")

    assert wha.disclosure.approver_roles == ("director",)
    assert wha.disclosure.grounds == ("child_at_risk", "risk_of_serious_harm")


def test_wha_000_closes_with_a_meeting_letters_to_both_and_an_evaluation() -> None:
    closure = load_policy("wha").closure

    assert closure.reasons == (
        "resolved",
        "perpetrator_evicted",
        "perpetrator_imprisoned",
        "no_further_action_possible",
    )
    assert closure.survivor_agreement == "overridable"
    assert closure.review_meeting_required
    assert closure.letters_to == ("survivor", "alleged_perpetrator")
    assert closure.evaluation_role == "director"


def test_wha_000_other_rules() -> None:
    wha = load_policy("wha")

    assert wha.assignment.same_sex_officer_on_request
    assert wha.emergency_repair_hours == 24
    assert wha.recharge.survivor_forbidden
    assert wha.appeals.who == ("survivor", "alleged_perpetrator")
    assert wha.appeals.reviewer_role == "director"
    assert wha.policy_review.every_months == 12
    # The interview conditions the PDF's columns printed under "Closure of cases".
    interview = wha.perpetrator_interview
    assert interview.needs_officer_and_manager_agreement
    assert interview.needs_survivor_agreement
    assert interview.needs_safety_check


def test_viridian_003_responds_in_24_clock_hours_and_reviews_fortnightly() -> None:
    viridian = load_policy("viridian")

    assert viridian.response_target == ResponseTarget(kind="clock_hours", amount=24)
    assert viridian.review_interval_days == 14


def test_viridian_003_a_manager_approves_and_the_survivor_must_agree_to_close() -> None:
    viridian = load_policy("viridian")

    assert viridian.disclosure.approver_roles == ("manager",)
    assert "legal_obligation" in viridian.disclosure.grounds
    assert viridian.closure.survivor_agreement == "required"
    assert viridian.closure.override_role is None


def test_viridian_003_other_rules() -> None:
    viridian = load_policy("viridian")

    assert viridian.assignment.same_sex_officer_on_request
    assert viridian.survivor_interview.childcare_offered
    assert viridian.recharge.survivor_forbidden
    assert viridian.recharge.perpetrator_may_be_charged
    assert viridian.survivor_information.documents == ("Women's Aid Survivor's Handbook",)
    assert {"individuals", "repeat_reports", "diversity", "by_source", "satisfaction"} <= set(
        viridian.monitoring.fields
    )
    assert viridian.policy_review.every_months == 36
    assert viridian.policy_review.with_survivors_panel


def test_wrekin_004_contacts_within_one_working_day() -> None:
    wrekin = load_policy("wrekin")

    assert wrekin.response_target == ResponseTarget(kind="working_days", amount=1)
    assert wrekin.assignment.same_sex_officer_on_request
    assert wrekin.assignment.same_culture_officer_on_request
    assert wrekin.assignment.same_gender_interpreter
    assert wrekin.closure.reasons == ("action_plan_complete", "no_further_action_possible")
    assert wrekin.closure.review_meeting_required
    assert wrekin.feedback.after_closure
    assert wrekin.policy_review.every_months == 36
    assert wrekin.review_date == date(2022, 8, 1)


def test_wrekin_004_lists_the_local_agencies_by_area_with_the_seeds_numbers() -> None:
    by_area = agencies_by_area(load_policy("wrekin").agencies)
    phones = {
        area: {agency.phone for _, agency in listed if agency.phone}
        for area, listed in by_area.items()
    }

    assert phones["National"] == {"999", "0808 2000 247"}
    assert phones["Telford & Wrekin"] == {"01952 385385"}
    assert phones["Shropshire"] == {"0800 783 1359"}
    assert phones["Staffordshire"] == {"0300 330 5959", "0808 801 0327"}
    assert phones["Herefordshire"] == {"0800 783 1359", "0808 801 0327"}


def test_whg_001_uses_the_home_office_types_with_honour_fgm_and_forced_marriage() -> None:
    whg = load_policy("whg")

    assert {"honour_based", "fgm", "forced_marriage"} <= set(whg.definitions.abuse_types)
    assert whg.abuse_type_label("economic") == "Financial abuse"
    assert whg.definitions.minimum_age == 16


def test_whg_001_other_rules() -> None:
    whg = load_policy("whg")

    assert whg.action_plan.security_measures_offered  # 2.6 target hardening
    assert whg.action_plan.rehousing_risk_assessed  # 2.8
    assert whg.policy_review.every_months == 36  # 4.1
    assert whg.review_date == date(2018, 12, 1)


def test_the_association_002_sets_a_target_per_risk_level() -> None:
    association = load_policy("association")
    targets = association.response_target_by_risk_level

    assert targets.high == ResponseTarget(kind="clock_hours", amount=24)
    assert targets.medium == ResponseTarget(kind="working_days", amount=1)
    assert targets.standard == ResponseTarget(kind="working_days", amount=2)
    assert association.response_target_for("standard") == targets.standard
    assert "PROVIDER TO SET" in bundled_policy_path("association").read_text(encoding="utf-8")


def test_the_association_002_other_rules() -> None:
    plan = load_policy("association").action_plan

    assert plan.no_legal_action_that_increases_risk
    assert plan.joint_tenancy_legal_advice
    assert not plan.legal_action_needs_survivor_consent  # "in consultation", not consent


def test_the_default_takes_the_examples_the_issue_gives() -> None:
    default = load_policy("default")

    assert default.response_target == ResponseTarget(kind="clock_hours", amount=24)
    assert default.review_interval_days == 14
    assert default.assignment.same_sex_officer_on_request
    assert default.assignment.trained_officers_only
    assert default.disclosure.approver_roles == ("director", "da_lead")


PROTECTIONS = [
    "assignment.same_sex_officer_on_request",
    "assignment.same_culture_officer_on_request",
    "assignment.trained_officers_only",
    "assignment.same_gender_interpreter",
    "survivor_interview.venue_of_survivors_choice",
    "survivor_interview.may_be_accompanied",
    "survivor_interview.childcare_offered",
    "perpetrator_interview.needs_officer_and_manager_agreement",
    "perpetrator_interview.needs_survivor_agreement",
    "perpetrator_interview.needs_safety_check",
    "action_plan.agreed_with_survivor",
    "action_plan.security_measures_offered",
    "action_plan.legal_action_needs_survivor_consent",
    "action_plan.no_legal_action_that_increases_risk",
    "action_plan.rehousing_risk_assessed",
    "action_plan.joint_tenancy_legal_advice",
    "recharge.survivor_forbidden",
    "closure.review_meeting_required",
    "closure.manager_approval_required",
    "closure.no_open_actions",
    "feedback.after_closure",
    "policy_review.with_survivors_panel",
]


@pytest.mark.parametrize("setting", PROTECTIONS)
def test_the_default_keeps_every_protection_a_seed_gives(setting: str) -> None:
    read = attrgetter(setting)
    given_by_a_seed = any(read(load_policy(seed)) for seed in SEEDS)

    assert read(load_policy("default")) or not given_by_a_seed


@pytest.mark.parametrize(
    "setting", ["review_interval_days", "emergency_repair_hours", "policy_review.every_months"]
)
def test_the_default_is_as_frequent_as_the_most_frequent_seed(setting: str) -> None:
    read = attrgetter(setting)

    assert read(load_policy("default")) <= min(read(load_policy(seed)) for seed in SEEDS)


def test_the_default_needs_the_survivors_agreement_to_close() -> None:
    assert load_policy("default").closure.survivor_agreement == "required"


def test_the_default_recognises_every_abuse_type() -> None:
    assert len(load_policy("default").definitions.abuse_types) == 12
