"""Consent and disclosure (API.md §5): with consent a referral is sent; without it, only
on a ground the policy allows, approved by the role the policy names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework.models import Consent, Referral
from safehold.policy.loader import active_policy
from safehold.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def post(client: Client, path: str, body: dict[str, Any]):
    return client.post(path, body, content_type="application/json")


def consent(client: Client, case: Case, given: bool, agency: str = "idva"):
    return post(
        client,
        f"/api/v1/cases/{case.pk}/consents",
        {"agency": agency, "purpose": "referral", "given": given},
    )


def refer(client: Client, case: Case, agency: str = "idva", **without: str):
    body: dict[str, Any] = {"agency": agency, "reason": "Support and safety planning"}
    if without:
        body["without_consent"] = without
    return post(client, f"/api/v1/cases/{case.pk}/referrals", body)


def test_with_consent_a_referral_is_sent(policy: str, case: Case, officer: Staff, api_as) -> None:
    client = api_as(officer)
    assert consent(client, case, True).status_code == 201
    response = refer(client, case)
    assert response.status_code == 201
    assert response.json()["status"] == "sent"
    assert response.json()["basis"] == "consent"
    entry = AuditEntry.objects.get(action="disclosure.sent")
    assert entry.detail["agency"] == "idva"
    assert entry.detail["basis"] == "consent"


def test_withdrawn_consent_no_longer_stands(
    policy: str, case: Case, officer: Staff, api_as
) -> None:
    client = api_as(officer)
    consent(client, case, True)
    consent(client, case, False)
    response = refer(client, case)
    assert response.status_code == 422
    assert response.json()["code"] == "consent_required"
    assert not Referral.objects.exists()
    assert Consent.objects.count() == 2


@pytest.mark.parametrize(
    ("policy", "ground", "allowed"),
    # 000 (WHA): "a child is at risk" or "high risk of serious harm"; not an adult at risk.
    [
        ("wha", "child_at_risk", True),
        ("wha", "risk_of_serious_harm", True),
        ("wha", "adult_at_risk", False),
        ("wha", "legal_obligation", False),
    ],
    indirect=["policy"],
)
def test_only_a_ground_the_policy_allows(
    policy: str, case: Case, officer: Staff, api_as, ground: str, allowed: bool
) -> None:
    assert (ground in active_policy().disclosure.grounds) == allowed
    response = refer(api_as(officer), case, ground=ground, explanation="Threats to the children")
    if allowed:
        assert response.status_code == 201
        assert response.json()["status"] == "awaiting_approval"
    else:
        assert response.status_code == 422
        assert response.json()["code"] == "ground_not_allowed"
        assert response.json()["policy_rule"] == "disclosure.grounds"
        assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("policy", "approver", "refused"),
    [
        ("wha", "director", "manager"),  # 000: the Housing Services Director approves
        ("viridian", "manager", "officer"),
    ],  # 003: a manager approves
    indirect=["policy"],
)
def test_approval_by_the_policys_role_only(
    request: pytest.FixtureRequest,
    policy: str,
    case: Case,
    officer: Staff,
    api_as,
    approver: str,
    refused: str,
) -> None:
    ground = active_policy().disclosure.grounds[0]
    held = refer(api_as(officer), case, ground=ground, explanation="Serious risk").json()
    wrong = post(
        api_as(request.getfixturevalue(refused)),
        f"/api/v1/referrals/{held['id']}/approve",
        {"note": "ok"},
    )
    assert wrong.status_code == 403
    assert wrong.json()["policy_rule"] == "disclosure.approver_roles"
    right = post(
        api_as(request.getfixturevalue(approver)),
        f"/api/v1/referrals/{held['id']}/approve",
        {"note": "Agreed: child at risk"},
    )
    assert right.status_code == 200
    assert right.json()["status"] == "sent"
    assert right.json()["decided_by"] == request.getfixturevalue(approver).username
    again = post(
        api_as(request.getfixturevalue(approver)),
        f"/api/v1/referrals/{held['id']}/reject",
        {"note": ""},
    )
    assert again.status_code == 409
    assert AuditEntry.objects.filter(action="disclosure.approved").count() == 1


def test_a_rejected_referral_is_not_sent(
    policy: str, case: Case, officer: Staff, director: Staff, api_as
) -> None:
    held = refer(api_as(officer), case, ground="risk_of_serious_harm", explanation="x").json()
    response = post(api_as(director), f"/api/v1/referrals/{held['id']}/reject", {"note": "No"})
    assert response.json()["status"] == "rejected"
    assert response.json()["sent_at"] is None


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"agency": "atlantis"}, 422, "unknown_agency"),
        ({"agency": "idva", "without_consent": {"ground": "because"}}, 400, "invalid_request"),
        (
            {"agency": "idva", "without_consent": {"ground": "child_at_risk"}},
            422,
            "explanation_required",
        ),
        ({"agency": 7}, 400, "invalid_request"),
    ],
)
def test_bad_referrals_are_refused_and_nothing_is_saved(
    policy: str, case: Case, officer: Staff, api_as, body: dict[str, Any], status: int, code: str
) -> None:
    response = post(api_as(officer), f"/api/v1/cases/{case.pk}/referrals", body)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert not Referral.objects.exists()


def test_consent_for_an_unknown_agency_is_refused(
    policy: str, case: Case, officer: Staff, api_as
) -> None:
    response = consent(api_as(officer), case, True, agency="atlantis")
    assert response.json()["code"] == "unknown_agency"


def test_an_outsider_cannot_refer_or_approve(
    policy: str,
    case: Case,
    officer: Staff,
    outsider: Staff,
    make_staff: Callable[..., Staff],
    api_as,
) -> None:
    assert refer(api_as(outsider), case).status_code == 404
    held = refer(api_as(officer), case, ground="risk_of_serious_harm", explanation="x").json()
    other_director = make_staff("otto.director", role="director", team="Riverside")
    restricted_check = post(api_as(other_director), f"/api/v1/referrals/{held['id']}/approve", {})
    assert restricted_check.status_code == 200  # directors see every unrestricted case
    missing = post(api_as(other_director), "/api/v1/referrals/ref_00000000000000000000/approve", {})
    assert missing.status_code == 404


def test_a_sent_marac_referral_makes_the_next_one_a_repeat(
    policy: str, open_case: Callable[..., Case], officer: Staff, api_as
) -> None:
    first = open_case()
    client = api_as(officer)
    consent(client, first, True, agency="marac")
    assert refer(client, first, agency="marac").json()["status"] == "sent"
    later = open_case()
    answers = {f"q{n}": "no" for n in range(1, 25)}
    body = {"tool": "dash-ric", "answers": answers}
    result = post(client, f"/api/v1/cases/{later.pk}/risk-assessments", body).json()
    assert "repeat" in result["marac_reasons"]
