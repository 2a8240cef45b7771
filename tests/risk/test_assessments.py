"""Risk assessments through the API and the services: scoring, MARAC reasons, the
case's risk level, and bad input (API.md §5 "Risk")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case, new_id
from safehold.casework.models import Referral
from safehold.policy.loader import active_policy
from safehold.privacy.models import AuditEntry
from safehold.risk.models import RiskAssessment

pytestmark = pytest.mark.django_db
QUESTIONS = [f"q{n}" for n in range(1, 25)]


def answers(yes: int, unknown: int = 0) -> dict[str, str]:
    """`yes` questions answered yes, then `unknown` don't-knows, the rest no."""
    values = ["yes"] * yes + ["unknown"] * unknown
    values += ["no"] * (len(QUESTIONS) - len(values))
    return dict(zip(QUESTIONS, values, strict=True))


def assess(client: Client, case: Case, **body: Any):
    payload = {"tool": "dash-ric", "answers": answers(0), **body}
    return client.post(
        f"/api/v1/cases/{case.pk}/risk-assessments", payload, content_type="application/json"
    )


@pytest.mark.parametrize(
    ("yes", "level", "high_risk"),
    [
        (0, "standard", False),
        (9, "standard", False),
        (10, "medium", False),
        (13, "medium", False),
        (14, "high", True),
        (24, "high", True),
    ],
)
def test_score_boundaries(
    case: Case, officer: Staff, api_as, yes: int, level: str, high_risk: bool
) -> None:
    response = assess(api_as(officer), case, answers=answers(yes))
    assert response.status_code == 201
    body = response.json()
    assert (body["score"], body["level"]) == (yes, level)
    assert ("visible_high_risk" in body["marac_reasons"]) == high_risk
    assert body["marac_referral_recommended"] == high_risk
    case.refresh_from_db()
    assert case.risk_level == level


def test_unknown_is_never_counted(case: Case, officer: Staff, api_as) -> None:
    body = assess(api_as(officer), case, answers=answers(13, unknown=11)).json()
    assert (body["score"], body["level"]) == (13, "medium")


def test_professional_judgement_alone_recommends_marac(case: Case, officer: Staff, api_as) -> None:
    body = assess(api_as(officer), case, professional_judgement=True).json()
    assert body["level"] == "standard"
    assert body["marac_reasons"] == ["professional_judgement"]
    assert body["marac_referral_recommended"] is True


def test_police_callouts_at_the_threshold_and_one_below(case: Case, officer: Staff, api_as) -> None:
    threshold = active_policy().marac.potential_escalation_callouts  # default.toml: 3
    client = api_as(officer)
    below = assess(client, case, police_callouts_last_12_months=threshold - 1).json()
    at = assess(client, case, police_callouts_last_12_months=threshold).json()
    assert below["marac_reasons"] == []
    assert at["marac_reasons"] == ["potential_escalation"]


def marac_referral(case: Case, by: Staff, sent_at) -> Referral:
    return Referral.objects.create(
        id=new_id("ref"),
        case=case,
        agency="marac",
        status="sent",
        sealed=b"",
        created_by=by,
        created_at=sent_at,
        sent_at=sent_at,
    )


@pytest.mark.parametrize(("months_before", "repeat"), [(11, True), (13, False)])
def test_a_marac_referral_in_the_12_months_before_makes_a_repeat(
    open_case: Callable[..., Case], officer: Staff, api_as, months_before: int, repeat: bool
) -> None:
    earlier = open_case(reported_at=timezone.now() - timedelta(days=31 * months_before + 5))
    marac_referral(earlier, officer, timezone.now() - timedelta(days=30.4 * months_before))
    later = open_case()
    body = assess(api_as(officer), later).json()
    assert ("repeat" in body["marac_reasons"]) == repeat


def test_the_case_follows_the_latest_assessment(case: Case, officer: Staff, api_as) -> None:
    client = api_as(officer)
    assess(client, case, answers=answers(15))
    assess(client, case, answers=answers(2))
    case.refresh_from_db()
    assert case.risk_level == "standard"
    assert RiskAssessment.objects.filter(case=case).count() == 2
    assert client.get(f"/api/v1/cases/{case.pk}").json()["risk_level"] == "standard"
    assert AuditEntry.objects.filter(action="risk.assessed", target_id=case.pk).count() == 2


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"tool": "no-such-tool"}, 422, "unknown_risk_tool"),
        ({"answers": {**answers(0), "q99": "yes"}}, 422, "unknown_question"),
        ({"answers": {**answers(0), "q1": "maybe"}}, 400, "invalid_request"),
        ({"answers": {q: "no" for q in QUESTIONS[:10]}}, 422, "answers_missing"),
        ({"answers": {}}, 422, "answers_missing"),
        ({"police_callouts_last_12_months": -1}, 400, "invalid_request"),
        ({"professional_judgement": "yes"}, 400, "invalid_request"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(
    case: Case, officer: Staff, api_as, change: dict[str, Any], status: int, code: str
) -> None:
    response = assess(api_as(officer), case, **change)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert not RiskAssessment.objects.exists()
    case.refresh_from_db()
    assert case.risk_level is None


@pytest.mark.parametrize("persona", ["outsider", "teammate", "auditor", "admin"])
def test_a_case_the_caller_cannot_see_is_404(
    request: pytest.FixtureRequest, case: Case, api_as, persona: str
) -> None:
    response = assess(api_as(request.getfixturevalue(persona)), case)
    assert response.status_code == 404
    assert not RiskAssessment.objects.exists()


def test_a_policy_with_targets_per_risk_level_tightens_the_response_deadline(
    open_case: Callable[..., Case], officer: Staff, api_as, settings
) -> None:
    # Until issue 16 a standard-risk assessment moved the Association's deadline later
    # (24 hours to two working days), so a report that had missed its target read
    # pending, then met. Now an assessment may only bring a deadline forward
    # (tests/risk/test_response_deadline.py has the whole scenario).
    from safehold.policy.loader import clear_active_policy

    settings.SAFEHOLD_POLICY = "association"  # 002: "as promptly as is necessary"
    clear_active_policy()
    try:
        case = open_case(severity="standard")
        before = case.response_due_at
        assess(api_as(officer), case, answers=answers(2))
        case.refresh_from_db()
        after_standard = case.response_due_at
        assess(api_as(officer), case, answers=answers(14))
        case.refresh_from_db()
    finally:
        clear_active_policy()
    assert after_standard == before
    assert case.response_due_at < before
