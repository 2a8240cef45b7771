"""Trained officers only covers the casework, not only the assignment (issue 16,
section 4). Every bundled policy sets `assignment.trained_officers_only` from its seed:
[000 Who to contact within WHA] "The housing officer will be appropriately trained to
deal with such incidents", [001 2.10] "We will ensure that colleagues are well trained",
[002 7] "relevant frontline staff are trained", [003 Aim of the policy] "the provision
of training", [004 Policy Approach] "All frontline Group employees will receive
appropriate training". So an untrained member of staff, whatever their role, may not
assess the risk, add to the action plan, make a referral or ask to close a case:
422 `officer_not_trained`. Anyone may still record a report: the seeds take reports from
anyone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework.models import Action, Referral
from safehold.closure.models import Closure
from safehold.policy.loader import clear_active_policy
from safehold.risk.models import RiskAssessment
from tests.casedata import CASE_BODY, SEEDS
from tests.policy.policies import MINIMAL_POLICY
from tests.risk.test_assessments import answers

pytestmark = pytest.mark.django_db
RULE = "assignment.trained_officers_only"


def consent_to_police(client: Client, case_id: str) -> None:
    body = {"agency": "police", "purpose": "referral", "given": True}
    client.post(f"/api/v1/cases/{case_id}/consents", body, content_type="application/json")


def risk(client: Client, case_id: str) -> Any:
    body = {"tool": "dash-ric", "answers": answers(0)}
    return client.post(
        f"/api/v1/cases/{case_id}/risk-assessments", body, content_type="application/json"
    )


def action(client: Client, case_id: str) -> Any:
    body = {"kind": "support", "detail": "Weekly call", "agreed_with_survivor": True}
    return client.post(f"/api/v1/cases/{case_id}/actions", body, content_type="application/json")


def referral(client: Client, case_id: str) -> Any:
    consent_to_police(client, case_id)
    body = {"agency": "police", "reason": "She asked us to pass on what happened."}
    return client.post(f"/api/v1/cases/{case_id}/referrals", body, content_type="application/json")


def closure(client: Client, case_id: str) -> Any:
    body = {
        "reason": "resolved",
        "survivor_agrees": True,
        "review_meeting_at": (timezone.now() - timedelta(days=1)).isoformat(),
        "explanation": "Everything agreed at the review has been done.",
    }
    return client.post(f"/api/v1/cases/{case_id}/closure", body, content_type="application/json")


CASEWORK = {"risk": risk, "action": action, "referral": referral, "closure": closure}
STORED = {"risk": RiskAssessment, "action": Action, "referral": Referral, "closure": Closure}


def recorded_by(client: Client) -> str:
    """A report recorded by the caller, who therefore joins its case team."""
    made = client.post("/api/v1/cases", CASE_BODY, content_type="application/json")
    assert made.status_code == 201, made.content
    return str(made.json()["id"])


@pytest.mark.parametrize("work", list(CASEWORK))
@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_untrained_staff_are_refused_the_casework_the_policy_reserves(
    policy: str, work: str, make_staff: Callable[..., Staff], api_as: Callable[[Staff], Client]
) -> None:
    client = api_as(make_staff("una.untrained", trained=False))
    case_id = recorded_by(client)  # anyone may record a report

    response = CASEWORK[work](client, case_id)

    assert response.status_code == 422, response.content
    assert response.json()["code"] == "officer_not_trained"
    assert response.json()["policy_rule"] == RULE
    assert not STORED[work].objects.exists()


@pytest.mark.parametrize("work", list(CASEWORK))
def test_trained_staff_do_that_casework(
    work: str, make_staff: Callable[..., Staff], api_as: Callable[[Staff], Client]
) -> None:
    client = api_as(make_staff("tara.trained", trained=True))
    case_id = recorded_by(client)

    response = CASEWORK[work](client, case_id)

    assert response.status_code == 201, response.content
    assert STORED[work].objects.exists()


def test_an_untrained_manager_is_refused_too(
    make_staff: Callable[..., Staff], api_as: Callable[[Staff], Client]
) -> None:
    client = api_as(make_staff("ursula.manager", role="manager", trained=False))
    case_id = recorded_by(client)

    assert risk(client, case_id).json()["code"] == "officer_not_trained"
    assert closure(client, case_id).json()["code"] == "officer_not_trained"


def test_an_outsider_learns_nothing_of_the_case(
    make_staff: Callable[..., Staff], outsider: Staff, api_as: Callable[[Staff], Client]
) -> None:
    case_id = recorded_by(api_as(make_staff("tara.trained", trained=True)))

    assert risk(api_as(outsider), case_id).status_code == 404


def test_a_policy_without_the_rule_lets_untrained_staff_do_casework(
    make_staff: Callable[..., Staff], api_as: Callable[[Staff], Client], settings, tmp_path: Path
) -> None:
    lenient = tmp_path / "lenient.toml"
    lenient.write_text(
        MINIMAL_POLICY + "\n[assignment]\ntrained_officers_only = false\n", encoding="utf-8"
    )
    settings.SAFEHOLD_POLICY = str(lenient)
    clear_active_policy()
    try:
        client = api_as(make_staff("una.untrained", trained=False))
        case_id = recorded_by(client)
        response = risk(client, case_id)
    finally:
        clear_active_policy()

    assert response.status_code == 201


PAGES: dict[str, tuple[str, dict[str, str]]] = {
    "risk": ("/cases/{}/risk/new", {"tool": "dash-ric"}),
    "action": (
        "/cases/{}/actions/new",
        {"kind": "support", "detail": "Weekly call", "agreed_with_survivor": "yes",
         "recharge": "none"},
    ),
    "referral": (
        "/cases/{}/referrals/new",
        {"agency": "police", "reason": "She asked us to pass on what happened."},
    ),
    "closure": (
        "/cases/{}/close",
        {"reason": "resolved", "survivor_agrees": "yes", "review_meeting_0": "1",
         "review_meeting_1": "11", "review_meeting_2": "2026",
         "explanation": "Everything agreed has been done."},
    ),
}  # fmt: skip


@pytest.mark.parametrize("work", list(PAGES))
def test_the_pages_refuse_untrained_staff_and_say_why(
    work: str, make_staff: Callable[..., Staff], as_staff: Callable[[Staff], Client]
) -> None:
    untrained = make_staff("una.untrained", trained=False, full_name="Una Untrained")
    client = as_staff(untrained)
    saved = client.post(
        "/cases/new",
        {"source": "self", "name": "Marigold Pennywhistle", "perpetrators": "0",
         "children": "0", "step": "confirm"},
    )  # fmt: skip
    assert saved.status_code == 302  # anyone may record a report
    case = Case.objects.get()
    path, form = PAGES[work]

    response = client.post(path.format(case.pk), form)

    assert response.status_code in (400, 422)
    assert "Una Untrained is not trained in domestic abuse work" in response.content.decode()
    assert not STORED[work].objects.exists()
