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
from tests.casedata import SEEDS

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
    note = {"note": "Threats to kill: the police must know"}  # an approval says why
    path = f"/api/v1/referrals/{held['id']}/approve"
    restricted_check = post(api_as(other_director), path, note)
    assert restricted_check.status_code == 200  # directors see every unrestricted case
    missing = post(
        api_as(other_director), "/api/v1/referrals/ref_00000000000000000000/approve", note
    )
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


# Issue 16 §2: no decision made alone --------------------------------------------------

# Who approves a disclosure without consent, and the seed sentence that says so.
APPROVER_WORDS = {
    "default": "[000 Confidentiality] and [003 Confidentiality]: a senior officer",
    "wha": '[000 Confidentiality] "The Housing Services Director will approve any '
    "disclosure without the victim's consent.\"",
    "whg": "[001 silent]: the baseline's director or DA lead",
    "association": "[002 silent]: the baseline's director or DA lead",
    "viridian": '[003 Confidentiality] "A manager will approve any disclosure without the '
    "survivor's consent.\"",
    "wrekin": "[004 silent]: the baseline's director or DA lead",
}


def approvers(make_staff: Callable[..., Staff]) -> tuple[Staff, Staff]:
    """Two people in the policy's first approver role, in the case's team."""
    role = active_policy().disclosure.approver_roles[0]
    return make_staff(f"first.{role}", role=role), make_staff(f"second.{role}", role=role)


def held_by(client: Client, case: Case) -> dict[str, Any]:
    ground = active_policy().disclosure.grounds[0]
    answer = refer(client, case, agency="police", ground=ground, explanation="Threats to kill")
    assert answer.status_code == 201, answer.content
    return answer.json()


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_nobody_approves_or_refuses_a_disclosure_they_asked_for(
    policy: str, case: Case, make_staff: Callable[..., Staff], api_as
) -> None:
    """Issue 16 §2: "Nobody approves their own request ... This holds for every role,
    directors included." Two people in the policy's approver role (APPROVER_WORDS)."""
    asker, colleague = approvers(make_staff)
    assert asker.role in active_policy().disclosure.approver_roles, APPROVER_WORDS[policy]
    held = held_by(api_as(asker), case)

    for verb in ("approve", "reject"):
        own = post(api_as(asker), f"/api/v1/referrals/{held['id']}/{verb}", {"note": "Yes"})
        assert own.status_code == 403, verb
        assert own.json()["code"] == "own_request"
    assert Referral.objects.get().status == "awaiting_approval"

    approved = post(
        api_as(colleague), f"/api/v1/referrals/{held['id']}/approve", {"note": "Child at risk"}
    )
    assert approved.status_code == 200, approved.content
    assert approved.json()["decided_by"] == colleague.username


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_an_approval_needs_the_approvers_reason_a_refusal_does_not(
    policy: str, open_case: Callable[..., Case], officer: Staff, make_staff, api_as
) -> None:
    approver, _ = approvers(make_staff)
    held = held_by(api_as(officer), open_case())
    for note in ("", "   "):
        refused = post(api_as(approver), f"/api/v1/referrals/{held['id']}/approve", {"note": note})
        assert refused.status_code == 422
        assert refused.json()["code"] == "note_required"
    assert Referral.objects.get().status == "awaiting_approval"
    assert not AuditEntry.objects.filter(action="disclosure.approved").exists()

    other = held_by(api_as(officer), open_case())
    rejected = post(api_as(approver), f"/api/v1/referrals/{other['id']}/reject", {"note": ""})
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"


def test_the_referral_answer_carries_what_the_approver_decides_on(
    policy: str, case: Case, officer: Staff, director: Staff, outsider: Staff, api_as
) -> None:
    held = held_by(api_as(officer), case)
    read = api_as(director).get(f"/api/v1/referrals/{held['id']}")

    assert read.status_code == 200
    answer = read.json()
    assert answer["explanation"] == "Threats to kill"
    assert answer["reason"] == "Support and safety planning"
    assert answer["ground_words"] == "a child is at risk"  # default.toml's first ground
    assert answer["created_by"] == officer.username
    assert (answer["case_status"], answer["case_risk_level"]) == ("open", None)
    assert api_as(outsider).get(f"/api/v1/referrals/{held['id']}").status_code == 404


@pytest.mark.parametrize("policy", ["wha"], indirect=True)
def test_the_approvers_page_shows_what_the_decision_needs_and_asks_for_a_reason(
    policy: str, case: Case, officer: Staff, director: Staff, as_staff, api_as
) -> None:
    """[000 Confidentiality] "The Housing Services Director will approve any disclosure
    without the victim's consent.": the director reads the explanation, the ground, the
    risk level and the case's status on the page where they decide."""
    held = held_by(api_as(officer), case)
    client = as_staff(director)
    listed = client.get("/approvals").content.decode()
    assert f"/referrals/{held['id']}/" in listed

    page = client.get(f"/referrals/{held['id']}/").content.decode()
    assert 'data-testid="disclosure-explanation">Threats to kill' in page
    assert "A child is at risk" in page
    assert 'data-testid="case-risk-level">Not yet assessed' in page
    assert 'data-testid="case-status">Open' in page
    assert "Approve and send" in page

    blank = client.post(f"/referrals/{held['id']}/", {"decision": "approve", "note": ""})
    assert blank.status_code == 422
    assert "govuk-error-summary" in blank.content.decode()
    assert "Say why you approve sharing" in blank.content.decode()
    assert Referral.objects.get().status == "awaiting_approval"

    done = client.post(
        f"/referrals/{held['id']}/",
        {"decision": "approve", "note": "A child is at risk"},
        follow=True,
    )
    assert "Referral approved and sent" in done.content.decode()
    assert Referral.objects.get().status == "sent"
    assert as_staff(officer).get(f"/referrals/{held['id']}/").status_code == 403
