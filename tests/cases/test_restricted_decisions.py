"""Restricted cases keep their approvers (issue 16 §3).

A restricted case (the survivor is a member of staff) is seen only by the people named
on it. The people the policy names for a decision on it still take that decision: they
reach what the decision needs, never the case page, and each such read is audited. A
manager never decides on one (they may be the survivor's own line manager): a decision
the policy gives only to managers goes to `restricted_cases.fallback_roles`. The
survivor's team, her line manager and everyone else still get 404.

Under WHA, for example: [000 Confidentiality] "The Housing Services Director will approve
any disclosure without the victim's consent."; [000 Appeals] "The HSD will conduct this
review."; Viridian: [003 Confidentiality] "A manager will approve any disclosure without
the survivor's consent." (so its DA lead, the fallback, approves on a restricted case)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import access, inputs
from safehold.cases.access import Decision
from safehold.cases.models import Case
from safehold.policy.loader import active_policy
from safehold.privacy.models import AuditEntry
from tests.casedata import SEEDS, SURVIVOR_NAME

pytestmark = pytest.mark.django_db

EXPLANATION = "She told us he threatened the children last night"


def post(client: Client, path: str, body: dict[str, Any] | None = None):
    return client.post(f"/api/v1{path}", body or {}, content_type="application/json")


def staff_survivor() -> inputs.SurvivorDetails:
    return inputs.SurvivorDetails(
        name=SURVIVOR_NAME, date_of_birth=date(1988, 4, 12), sex="female", is_staff_member=True
    )


@pytest.fixture
def restricted(policy: str, open_case: Callable[..., Case], officer: Staff, api_as) -> Case:
    """A staff member's case, recorded by `officer` (so named on it) in Northgate, whose
    manager is `manager`."""
    case = open_case(survivor=staff_survivor())
    assert case.restricted
    permission = {"purpose": "contact_alleged_perpetrator", "given": True}
    assert post(api_as(officer), f"/cases/{case.pk}/consents", permission).status_code == 201
    return case


def decider(make_staff: Callable[..., Staff], decision: Decision) -> Staff:
    """Someone in the first role the policy gives this decision on a restricted case, in
    another team and named nowhere on the case."""
    role = access.decision_roles(active_policy(), decision, restricted=True)[0]
    return make_staff(f"{role}.{decision.value}", role=role, team="Head Office")


def assert_hidden(client: Client, case: Case, *paths: str) -> None:
    """404 on the case and on everything given, and absent from the case list."""
    for path in (f"/cases/{case.pk}", *paths):
        assert client.get(f"/api/v1{path}").status_code == 404, path
    listed = client.get("/api/v1/cases").json()["items"]
    assert case.pk not in [row["id"] for row in listed]


def closing(client: Client, case: Case, **changes: Any):
    body = {
        "reason": active_policy().closure.reasons[0],
        "survivor_agrees": True,
        "review_meeting_at": (timezone.now() - timedelta(days=1)).isoformat(),
        "explanation": "Everything agreed at the review has been done.",
        **changes,
    }
    return post(client, f"/cases/{case.pk}/closure", body)


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_every_decision_on_a_restricted_case_has_someone_and_never_a_manager(
    policy: str,
) -> None:
    active = active_policy()
    for decision in Decision:
        ordinary = access.policy_roles(active, decision)
        roles = access.decision_roles(active, decision, restricted=True)
        assert bool(roles) == bool(ordinary), decision
        assert "manager" not in roles, decision
    assert access.decision_roles(active, Decision.DISCLOSURE, restricted=True)
    assert access.decision_roles(active, Decision.CLOSURE, restricted=True)
    assert access.decision_roles(active, Decision.APPEAL, restricted=True)
    assert access.decision_roles(active, Decision.INTERVIEW, restricted=True)


@pytest.mark.parametrize(
    ("policy", "approver"),
    [
        ("default", "director"),
        ("wha", "director"),  # [000] "The Housing Services Director will approve ..."
        ("whg", "director"),
        ("association", "director"),
        ("viridian", "da_lead"),  # [003] "A manager will approve ...": the fallback does
        ("wrekin", "director"),
    ],
    indirect=["policy"],
)
def test_the_disclosure_approver_decides_and_nobody_else_learns_of_the_case(
    policy: str,
    approver: str,
    restricted: Case,
    officer: Staff,
    manager: Staff,
    outsider: Staff,
    make_staff: Callable[..., Staff],
    api_as,
    as_staff,
) -> None:
    ground = active_policy().disclosure.grounds[0]
    body = {
        "agency": "police",
        "reason": "Threats",
        "without_consent": {"ground": ground, "explanation": EXPLANATION},
    }
    held = post(api_as(officer), f"/cases/{restricted.pk}/referrals", body).json()
    path = f"/referrals/{held['id']}"

    for hidden in (manager, outsider):
        assert_hidden(api_as(hidden), restricted, path)
        refused = post(api_as(hidden), f"{path}/approve", {"note": "ok"})
        assert refused.status_code in (403, 404)
        assert restricted.reference not in as_staff(hidden).get("/approvals").content.decode()

    person = decider(make_staff, Decision.DISCLOSURE)
    assert person.role == approver
    client = api_as(person)
    read = client.get(f"/api/v1{path}")
    assert read.status_code == 200
    assert read.json()["explanation"] == EXPLANATION
    assert client.get(f"/api/v1/cases/{restricted.pk}").status_code == 404  # not the case

    approved = post(client, f"{path}/approve", {"note": "Children at risk: police must know"})

    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "sent"
    viewed = AuditEntry.objects.filter(action="case.viewed", actor=person.username)
    assert viewed.exists()
    assert {entry.detail["decision"] for entry in viewed} == {"disclosure"}


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_the_closure_approver_and_the_evaluator_decide(
    policy: str,
    restricted: Case,
    officer: Staff,
    manager: Staff,
    outsider: Staff,
    make_staff: Callable[..., Staff],
    api_as,
    as_staff,
) -> None:
    assert closing(api_as(officer), restricted).status_code == 201
    approve = f"/cases/{restricted.pk}/closure/approve"
    assert post(api_as(manager), approve).status_code == 404  # the line manager
    assert post(api_as(outsider), approve).status_code == 403  # no role for it at all
    assert (
        restricted.reference
        not in as_staff(manager).get("/queues/closures-to-approve").content.decode()
    )

    person = decider(make_staff, Decision.CLOSURE)
    assert person.role != "manager"
    queue = as_staff(person).get("/queues/closures-to-approve").content.decode()
    assert restricted.reference in queue
    page = as_staff(person).get(f"/cases/{restricted.pk}/closure/decision")
    assert page.status_code == 200
    assert 'data-testid="closing-picture"' in page.content.decode()
    assert as_staff(person).get(f"/cases/{restricted.pk}/").status_code == 404

    approved = post(api_as(person), approve)

    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "closed"
    assert_hidden(api_as(manager), restricted)

    if active_policy().closure.evaluation_role is None:
        return
    evaluation = f"/cases/{restricted.pk}/closure/evaluation"
    evaluator = decider(make_staff, Decision.EVALUATION)
    assert post(api_as(manager), evaluation, {"notes": "Fine"}).status_code in (403, 404)
    assert as_staff(evaluator).get(f"/cases/{restricted.pk}/closure/evaluation").status_code == 200
    done = post(api_as(evaluator), evaluation, {"notes": "The plan worked; letters clear."})
    assert done.status_code == 200, done.content


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_the_appeal_reviewer_decides(
    policy: str,
    restricted: Case,
    officer: Staff,
    manager: Staff,
    outsider: Staff,
    make_staff: Callable[..., Staff],
    api_as,
    as_staff,
) -> None:
    """[000 Appeals] "The HSD will conduct this review." (the baseline for the others)."""
    appeal = post(
        api_as(officer),
        f"/cases/{restricted.pk}/appeals",
        {"by": "survivor", "grounds": "The case was handled unfairly."},
    ).json()
    assert appeal["reviewer_role"] != "manager"
    decision = f"/appeals/{appeal['id']}/decision"
    outcome = {"outcome": "not_upheld", "reasons": "Every step followed the policy."}
    for hidden in (manager, outsider):
        assert post(api_as(hidden), decision, outcome).status_code == 404
        assert_hidden(api_as(hidden), restricted)

    reviewer = make_staff("the.reviewer", role=appeal["reviewer_role"], team="Head Office")
    page = as_staff(reviewer).get(f"/appeals/{appeal['id']}/")
    assert page.status_code == 200
    assert "The case was handled unfairly." in page.content.decode()
    assert as_staff(manager).get(f"/appeals/{appeal['id']}/").status_code == 404
    decided = post(api_as(reviewer), decision, outcome)

    assert decided.status_code == 200, decided.content
    assert decided.json()["outcome"] == "not_upheld"


@pytest.mark.parametrize(
    ("policy", "overrider"),
    # [000 Closure of cases] "some cases will have to be closed even though the victim is
    # not satisfied" (override_role director); Wrekin's override_role is a manager, so on a
    # restricted case its fallback decides.
    [("wha", "director"), ("wrekin", "da_lead")],
    indirect=["policy"],
)
def test_the_override_of_her_agreement_is_decided_by_the_override_role(
    policy: str,
    overrider: str,
    restricted: Case,
    officer: Staff,
    manager: Staff,
    make_staff: Callable[..., Staff],
    api_as,
) -> None:
    asked = closing(
        api_as(officer), restricted, survivor_agrees=False, override_reason="She has moved away."
    )
    assert asked.status_code == 201, asked.content
    approve = f"/cases/{restricted.pk}/closure/approve"
    assert post(api_as(manager), approve, {"note": "Agreed"}).status_code == 404

    person = decider(make_staff, Decision.CLOSURE_OVERRIDE)
    assert person.role == overrider
    approved = post(api_as(person), approve, {"note": "No contact possible: she moved."})

    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "closed"


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_an_interview_is_agreed_by_the_fallback_never_the_team_manager(
    policy: str,
    restricted: Case,
    officer: Staff,
    manager: Staff,
    make_staff: Callable[..., Staff],
    api_as,
) -> None:
    """[000] "considered appropriate by the investigating officer and their manager": on
    a staff member's case her manager may be her line manager, so the fallback agrees."""
    body = {"survivor_agrees": True, "safety_assessment": "He is in custody until Friday"}
    asked = post(api_as(officer), f"/cases/{restricted.pk}/perpetrator-interviews", body).json()
    path = f"/perpetrator-interviews/{asked['id']}/agree"
    assert post(api_as(manager), path, {"note": "Fine"}).status_code == 404

    person = decider(make_staff, Decision.INTERVIEW)
    assert person.role in active_policy().restricted_cases.fallback_roles
    agreed = post(api_as(person), path, {"note": "Appropriate and safe"})

    assert agreed.status_code == 200, agreed.content
    assert agreed.json()["status"] == "agreed"


def test_a_decider_sees_a_restricted_case_only_while_a_decision_waits(
    policy: str, restricted: Case, officer: Staff, make_staff: Callable[..., Staff], api_as
) -> None:
    person = decider(make_staff, Decision.CLOSURE)
    page = f"/cases/{restricted.pk}/closure/approve"
    assert post(api_as(person), page).status_code == 404  # nothing waits for them yet
    closing(api_as(officer), restricted)
    assert post(api_as(person), page).status_code == 200
    assert post(api_as(person), page).status_code == 404  # decided: no longer theirs
