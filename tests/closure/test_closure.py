"""Closing a case under each seed's rules, both ways (API.md §5 "Closure, feedback,
appeals"), approving, declining and reopening, and the queues that follow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import services as case_services
from safehold.cases.models import Case
from safehold.casework import plan
from safehold.casework.models import Document
from safehold.closure import selectors
from safehold.closure.models import Closure
from safehold.policy.loader import active_policy
from safehold.privacy.models import AuditEntry
from tests.casedata import SEEDS, report

pytestmark = pytest.mark.django_db


def meeting() -> str:
    return (timezone.now() - timedelta(days=1)).isoformat()


def allowed_reason() -> str:
    return active_policy().closure.reasons[0]


def close(client: Client, case: Case, **changes: Any):
    body = {
        "reason": allowed_reason(),
        "survivor_agrees": True,
        "review_meeting_at": meeting(),
        "explanation": "Everything agreed at the review has been done.",
        **changes,
    }
    return client.post(f"/api/v1/cases/{case.pk}/closure", body, content_type="application/json")


def approve(client: Client, case: Case, body: dict[str, Any] | None = None):
    return client.post(
        f"/api/v1/cases/{case.pk}/closure/approve", body or {}, content_type="application/json"
    )


def status_of(case: Case) -> str:
    case.refresh_from_db()
    return case.status


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_it_closes_a_case_that_meets_every_rule(
    policy: str, case: Case, officer: Staff, manager: Staff, api_as: Callable[..., Client]
) -> None:
    permission = {"purpose": "contact_alleged_perpetrator", "given": True}  # WHA writes to him
    api_as(officer).post(
        f"/api/v1/cases/{case.pk}/consents", permission, content_type="application/json"
    )
    asked = close(api_as(officer), case)

    assert asked.status_code == 201, asked.content
    assert asked.json()["status"] == "closing"  # every seed wants a manager's approval
    assert asked.json()["letters"] == []

    approved = approve(api_as(manager), case)

    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "closed"
    assert approved.json()["decided_by"] == manager.username
    case.refresh_from_db()
    assert case.closure_reason == allowed_reason()
    assert case.closed_at is not None
    letters = Document.objects.filter(case=case, kind="closure")
    assert sorted(letters.values_list("recipient", flat=True)) == sorted(
        active_policy().closure.letters_to
    )
    assert approved.json()["letters"] == sorted(letters.values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("policy", "refused"),
    [
        ("default", "no_such_reason"),
        ("wha", "action_plan_complete"),
        ("wha", "survivor_withdrew"),
        ("wrekin", "resolved"),
        ("wrekin", "perpetrator_evicted"),
    ],
    indirect=["policy"],
)
def test_it_refuses_a_reason_the_policy_does_not_allow(
    policy: str, refused: str, case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    answer = close(api_as(officer), case, reason=refused)

    assert answer.status_code == 422
    assert answer.json()["code"] == "reason_not_allowed"
    assert answer.json()["policy_rule"] == "closure.reasons"
    assert status_of(case) == "open"
    assert not Closure.objects.exists()


@pytest.mark.parametrize("policy", ["default", "whg", "association", "viridian"], indirect=True)
def test_without_the_survivors_agreement_nobody_closes_where_it_is_required(
    policy: str, case: Case, director: Staff, api_as: Callable[..., Client]
) -> None:
    answer = close(api_as(director), case, survivor_agrees=False, override_reason="x" * 40)

    assert answer.status_code == 422
    assert answer.json()["code"] == "survivor_agreement_required"
    assert answer.json()["policy_rule"] == "closure.survivor_agreement"
    assert status_of(case) == "open"


@pytest.mark.parametrize(
    ("policy", "overrider", "other_approver"),
    # [000 Closure of cases] "some cases will have to be closed even though the victim is
    # not satisfied" (wha.toml: the director decides); Wrekin's override_role is a manager.
    [("wha", "director", "manager"), ("wrekin", "manager", "director")],
    indirect=["policy"],
)
def test_without_her_agreement_the_closure_waits_for_someone_else_in_the_override_role(
    policy: str,
    overrider: str,
    other_approver: str,
    case: Case,
    officer: Staff,
    request: pytest.FixtureRequest,
    make_staff: Callable[..., Staff],
    api_as: Callable[..., Client],
) -> None:
    """Issue 16 §2: overriding the survivor's agreement is a decision by someone other than
    the person who asked. Any reason that is not blank will do: no seed sets a length."""
    without_reason = close(api_as(officer), case, survivor_agrees=False, explanation="")
    assert without_reason.status_code == 422
    assert without_reason.json()["code"] == "override_reason_required"
    assert without_reason.json()["policy_rule"] == "closure.override_role"

    staff = request.getfixturevalue(overrider)
    asked = close(api_as(staff), case, survivor_agrees=False, override_reason="She moved.")
    assert asked.status_code == 201, asked.content
    assert asked.json()["survivor_agrees"] is False
    assert status_of(case) == "closing"  # it always waits for the override role

    own = approve(api_as(staff), case, {"note": "She is safe now."})
    assert own.status_code == 403
    assert own.json()["code"] == "own_request"
    not_theirs = approve(api_as(request.getfixturevalue(other_approver)), case, {"note": "Fine"})
    assert not_theirs.status_code == 403
    assert not_theirs.json()["code"] == "may_not_override_agreement"
    assert not_theirs.json()["policy_rule"] == "closure.override_role"
    colleague = make_staff("otto.overrider", role=overrider)
    no_reason = approve(api_as(colleague), case, {"note": " "})
    assert no_reason.status_code == 422
    assert no_reason.json()["code"] == "override_reason_required"
    assert status_of(case) == "closing"

    approved = approve(api_as(colleague), case, {"note": "No contact possible."})

    assert approved.status_code == 200, approved.content
    assert approved.json()["decided_by"] == colleague.username
    assert status_of(case) == "closed"


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
@pytest.mark.parametrize("role", ["manager", "director", "da_lead"])
def test_nobody_approves_or_declines_a_closure_they_asked_for(
    policy: str,
    role: str,
    case: Case,
    make_staff: Callable[..., Staff],
    api_as: Callable[..., Client],
) -> None:
    """Issue 16 §2: "This holds for every role, directors included"."""
    asker = make_staff(f"asking.{role}", role=role)
    assert close(api_as(asker), case).status_code == 201

    for verb in ("approve", "decline"):
        own = api_as(asker).post(
            f"/api/v1/cases/{case.pk}/closure/{verb}",
            {"note": "I asked, I agree"},
            content_type="application/json",
        )
        assert own.status_code == 403, verb
        assert own.json()["code"] == "own_request"
    assert status_of(case) == "closing"
    assert case.pk not in [c.pk for c in selectors.closures_to_approve(asker)]

    other = make_staff(f"other.{role}", role=role)
    assert approve(api_as(other), case).json()["status"] == "closed"


def refer_without_consent(client: Client, case: Case):
    body = {
        "agency": "police",
        "reason": "Threats",
        "without_consent": {
            "ground": active_policy().disclosure.grounds[0],
            "explanation": "She is too afraid to agree",
        },
    }
    return client.post(f"/api/v1/cases/{case.pk}/referrals", body, content_type="application/json")


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_a_disclosure_awaiting_a_decision_holds_the_closure(
    policy: str,
    case: Case,
    officer: Staff,
    manager: Staff,
    make_staff: Callable[..., Staff],
    api_as: Callable[..., Client],
) -> None:
    """Issue 16 §2: closing while a disclosure awaits a decision is 409 decisions_pending,
    when asking and when approving."""
    held = refer_without_consent(api_as(officer), case).json()
    refused = close(api_as(officer), case)
    assert refused.status_code == 409
    assert refused.json()["code"] == "decisions_pending"
    assert status_of(case) == "open"

    approver = make_staff("ann.approver", role=active_policy().disclosure.approver_roles[0])
    decided = api_as(approver).post(
        f"/api/v1/referrals/{held['id']}/reject", {"note": ""}, content_type="application/json"
    )
    assert decided.status_code == 200
    assert close(api_as(officer), case).status_code == 201

    refer_without_consent(api_as(officer), case)  # made while the closure waits
    held_up = approve(api_as(manager), case)
    assert held_up.status_code == 409
    assert held_up.json()["code"] == "decisions_pending"
    assert status_of(case) == "closing"


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_it_needs_the_review_meeting_where_the_policy_says(
    policy: str, case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    missing = close(api_as(officer), case, review_meeting_at=None)
    assert missing.status_code == 422
    assert missing.json()["code"] == "review_meeting_required"
    assert missing.json()["policy_rule"] == "closure.review_meeting_required"

    future = close(api_as(officer), case, review_meeting_at="2099-01-01T10:00:00+00:00")
    assert future.status_code == 422
    assert future.json()["code"] == "review_meeting_at_in_future"
    assert status_of(case) == "open"


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_it_waits_for_every_action_to_be_done(
    policy: str, case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    action = plan.action_add(
        case=case,
        by=officer,
        kind="support",
        detail="Support to apply for a non-molestation order",
        due_at=timezone.now() + timedelta(days=7),
    )

    refused = close(api_as(officer), case)
    assert refused.status_code == 422
    assert refused.json()["code"] == "open_actions_remaining"
    assert refused.json()["policy_rule"] == "closure.no_open_actions"

    plan.action_complete(action=action, by=officer)
    assert close(api_as(officer), case).status_code == 201


def test_it_refuses_to_close_a_case_that_is_not_open(
    policy: str, case: Case, officer: Staff, manager: Staff, api_as: Callable[..., Client]
) -> None:
    close(api_as(officer), case)
    closing = close(api_as(officer), case)
    assert closing.status_code == 409
    assert closing.json()["code"] == "case_not_open"

    approve(api_as(manager), case)
    closed = close(api_as(officer), case)
    assert closed.status_code == 409
    assert Closure.objects.count() == 1


@pytest.mark.parametrize("who", ["officer", "teammate", "auditor", "admin", "outsider"])
def test_only_an_approver_role_approves(
    policy: str,
    who: str,
    case: Case,
    officer: Staff,
    request: pytest.FixtureRequest,
    api_as: Callable[..., Client],
) -> None:
    close(api_as(officer), case)

    answer = approve(api_as(request.getfixturevalue(who)), case)

    assert answer.status_code == 403
    assert answer.json()["code"] == "may_not_approve_closure"
    assert answer.json()["policy_rule"] == "closure.approver_roles"
    assert status_of(case) == "closing"


def test_a_manager_of_another_team_cannot_learn_of_the_case(
    policy: str, case: Case, officer: Staff, make_staff: Callable[..., Staff], api_as: Any
) -> None:
    close(api_as(officer), case)
    elsewhere = make_staff("rita.riverside", role="manager", team="Riverside")

    assert approve(api_as(elsewhere), case).status_code == 404
    assert status_of(case) == "closing"


def test_approving_a_case_that_awaits_no_approval_is_a_conflict(
    policy: str, case: Case, manager: Staff, api_as: Callable[..., Client]
) -> None:
    answer = approve(api_as(manager), case)

    assert answer.status_code == 409
    assert answer.json()["code"] == "case_not_closing"


def test_a_declined_closure_leaves_the_case_open(
    policy: str, case: Case, officer: Staff, manager: Staff, api_as: Callable[..., Client]
) -> None:
    close(api_as(officer), case)
    path = f"/api/v1/cases/{case.pk}/closure/decline"

    blank = api_as(manager).post(path, {"note": "  "}, content_type="application/json")
    assert blank.status_code == 422
    assert blank.json()["code"] == "note_required"
    assert status_of(case) == "closing"

    # Any words will do: no seed sets a minimum length for a reason (issue 16).
    declined = api_as(manager).post(path, {"note": "Too soon."}, content_type="application/json")
    assert declined.status_code == 200
    assert declined.json()["closure_status"] == "declined"
    assert status_of(case) == "open"


def test_a_manager_reopens_a_closed_case_with_a_reason(
    policy: str,
    case: Case,
    officer: Staff,
    manager: Staff,
    api_as: Callable[..., Client],
) -> None:
    close(api_as(officer), case)
    approve(api_as(manager), case)
    path = f"/api/v1/cases/{case.pk}/reopen"
    reason = {"reason": "She called again: he has been released and came to the door."}

    by_officer = api_as(officer).post(path, reason, content_type="application/json")
    assert by_officer.status_code == 403
    no_reason = api_as(manager).post(path, {"reason": " "}, content_type="application/json")
    assert no_reason.status_code == 422
    assert status_of(case) == "closed"

    reason = {"reason": "Released."}  # short, and enough
    reopened = api_as(manager).post(path, reason, content_type="application/json")
    assert reopened.status_code == 200, reopened.content
    assert reopened.json()["status"] == "open"
    assert reopened.json()["closure_status"] == "reopened"
    case.refresh_from_db()
    assert (case.closed_at, case.closure_reason) == (None, "")
    again = api_as(manager).post(path, reason, content_type="application/json")
    assert again.status_code == 409

    assert close(api_as(officer), case).status_code == 201  # and it can close again


def test_every_step_is_in_the_audit_trail(
    policy: str, case: Case, officer: Staff, manager: Staff, api_as: Callable[..., Client]
) -> None:
    close(api_as(officer), case)
    approve(api_as(manager), case)

    actions = list(
        AuditEntry.objects.filter(target_id=case.pk).order_by("seq").values_list("action", "actor")
    )
    assert ("closure.requested", officer.username) in actions
    assert ("closure.approved", manager.username) in actions
    assert ("case.closed", manager.username) in actions
    assert ("letter.created", manager.username) in actions


def test_a_new_report_after_closure_opens_a_new_repeat_case(
    policy: str, case: Case, officer: Staff, manager: Staff, api_as: Callable[..., Client]
) -> None:
    close(api_as(officer), case)
    approve(api_as(manager), case)

    again = case_services.case_open(report=report(), by=officer)

    assert again.pk != case.pk
    assert again.repeat is True
    assert again.status == "open"
    assert again.survivor_identity_id == case.survivor_identity_id


@pytest.mark.parametrize(
    ("policy", "evaluator"),
    [("wha", "director"), ("association", "da_lead")],
    indirect=["policy"],
)
def test_the_policys_evaluator_has_every_closed_case_queued(
    policy: str,
    evaluator: str,
    case: Case,
    officer: Staff,
    manager: Staff,
    request: pytest.FixtureRequest,
    api_as: Callable[..., Client],
) -> None:
    close(api_as(officer), case)
    approve(api_as(manager), case)
    staff = request.getfixturevalue(evaluator)
    path = f"/api/v1/cases/{case.pk}/closure/evaluation"
    notes = {"notes": "Response on time; the plan worked; letters clear."}

    assert [c.pk for c in selectors.closures_to_evaluate(staff)] == [case.pk]
    assert list(selectors.closures_to_evaluate(manager)) == []
    refused = api_as(manager).post(path, notes, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["policy_rule"] == "closure.evaluation_role"

    done = api_as(staff).post(path, notes, content_type="application/json")

    assert done.status_code == 200, done.content
    assert list(selectors.closures_to_evaluate(staff)) == []
    twice = api_as(staff).post(path, notes, content_type="application/json")
    assert twice.status_code == 409


def test_closures_to_approve_are_queued_for_approvers_only(
    policy: str, case: Case, officer: Staff, manager: Staff, outsider: Staff, api_as: Any
) -> None:
    close(api_as(officer), case)

    assert [c.pk for c in selectors.closures_to_approve(manager)] == [case.pk]
    assert list(selectors.closures_to_approve(officer)) == []
    assert list(selectors.closures_to_approve(outsider)) == []


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "resolved"},
        {"reason": "resolved", "survivor_agrees": "yes"},
        {"reason": 5, "survivor_agrees": True},
        {"reason": "resolved", "survivor_agrees": True, "review_meeting_at": "last tuesday"},
        {"reason": "resolved", "survivor_agrees": True, "colour": "red"},
    ],
)
def test_a_malformed_closure_is_400_and_changes_nothing(
    policy: str, body: dict[str, Any], case: Case, officer: Staff, api_as: Any
) -> None:
    answer = api_as(officer).post(
        f"/api/v1/cases/{case.pk}/closure", body, content_type="application/json"
    )

    assert answer.status_code == 400
    assert status_of(case) == "open"
    assert not Closure.objects.exists()


def test_asking_and_approving_show_what_the_closure_is_decided_on(
    policy: str,
    case: Case,
    officer: Staff,
    manager: Staff,
    director: Staff,
    as_staff: Callable[[Staff], Any],
    api_as: Callable[..., Client],
) -> None:
    """Issue 16 §2: the risk level and when it was assessed, a MARAC referral made or
    recommended, open referrals and actions, and the last contact, on the page where the
    closure is asked for and where it is approved."""
    client = api_as(officer)
    answers = {f"q{n}": "yes" if n <= 14 else "no" for n in range(1, 25)}
    assessed = client.post(
        f"/api/v1/cases/{case.pk}/risk-assessments",
        {"tool": "dash-ric", "answers": answers},
        content_type="application/json",
    )
    assert assessed.json()["marac_referral_recommended"] is True
    contact = {"at": timezone.now().isoformat(), "channel": "phone", "direction": "outbound"}
    client.post(
        f"/api/v1/cases/{case.pk}/contacts",
        {**contact, "with": "survivor", "notes": "Checked in"},
        content_type="application/json",
    )
    action = plan.action_add(case=case, by=officer, kind="support", detail="Weekly IDVA call")
    held = refer_without_consent(client, case).json()

    page = as_staff(officer).get(f"/cases/{case.pk}/close").content.decode()

    assert 'data-testid="closing-risk">High, assessed' in page
    assert "Recommended, not referred" in page
    assert 'data-testid="closing-referrals">To Police' in page  # its name (issue 18)
    assert 'data-testid="closing-actions">Support' in page
    assert "phone with the survivor" in page

    api_as(director).post(
        f"/api/v1/referrals/{held['id']}/approve",
        {"note": "High risk of serious harm"},
        content_type="application/json",
    )
    client.post(
        f"/api/v1/cases/{case.pk}/consents",
        {"agency": "marac", "purpose": "referral", "given": True},
        content_type="application/json",
    )
    client.post(
        f"/api/v1/cases/{case.pk}/referrals",
        {"agency": "marac", "reason": "High risk"},
        content_type="application/json",
    )
    plan.action_complete(action=action, by=officer)
    assert close(client, case).status_code == 201

    decision = as_staff(manager).get(f"/cases/{case.pk}/closure/decision").content.decode()

    assert 'data-testid="closing-risk">High, assessed' in decision
    assert 'data-testid="closing-marac">Referred' in decision
    assert 'data-testid="closing-referrals">None' in decision
    assert 'data-testid="closing-actions">None' in decision
    assert "phone with the survivor" in decision


def test_a_decider_who_asked_is_refused_on_the_decision_page(
    policy: str, case: Case, manager: Staff, as_staff: Callable[[Staff], Any], api_as: Any
) -> None:
    assert close(api_as(manager), case).status_code == 201
    page = as_staff(manager).get(f"/cases/{case.pk}/").content.decode()
    assert "Decide on the closure" not in page  # not offered to the person who asked
    own = as_staff(manager).post(
        f"/cases/{case.pk}/closure/decision", {"decision": "approve", "note": "Mine"}
    )
    assert own.status_code == 403
    assert status_of(case) == "closing"
