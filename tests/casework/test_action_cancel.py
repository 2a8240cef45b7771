"""Cancelling an action that will not be done, with the reason (issue 16, API.md §5
"Action plan, reviews": `POST /actions/{id}/cancel {"reason"}`): a cancelled action is
not open, so it holds no closure open and leaves the queues, and the case page and the
action plan letter show it as cancelled with its reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework.models import Action
from safehold.privacy.models import AuditEntry
from tests.casedata import SEEDS, pdf_text
from tests.casework.test_queues import queue_counts

pytestmark = pytest.mark.django_db
REASON = "The survivor moved in with her sister; the locks are no longer needed."


def post(client: Client, path: str, body: dict[str, Any] | None = None):
    return client.post(f"/api/v1{path}", body or {}, content_type="application/json")


def add_action(client: Client, case: Case, **body: Any) -> dict[str, Any]:
    answer = post(
        client,
        f"/cases/{case.pk}/actions",
        {
            "kind": "security_measure",
            "measure": "lock_change",
            "detail": "Change the locks on the front and back doors",
            "due_at": (timezone.now() + timedelta(days=2)).isoformat(),
            "agreed_with_survivor": True,
            **body,
        },
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


def cancel(client: Client, action: dict[str, Any], reason: str | None = REASON):
    return post(
        client, f"/actions/{action['id']}/cancel", {} if reason is None else {"reason": reason}
    )


@pytest.fixture
def case_in_policy(policy: str, open_case: Callable[..., Case]) -> Case:
    return open_case()


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_it_cancels_an_open_action_with_its_reason(
    policy: str, case_in_policy: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(officer)
    action = add_action(client, case_in_policy)

    answer = cancel(client, action)

    assert answer.status_code == 200, answer.content
    cancelled = answer.json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["cancelled_by"] == officer.username
    assert cancelled["cancelled_at"] is not None
    assert cancelled["cancel_reason"] == REASON
    assert cancelled["completed_at"] is None
    row = Action.objects.get(pk=action["id"])
    assert REASON.encode() not in bytes(row.sealed)  # sealed with the detail, not plain
    entry = AuditEntry.objects.get(action="action.cancelled")
    assert entry.actor == officer.username
    assert entry.detail["action"] == action["id"]
    assert REASON not in str(entry.detail)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_it_needs_a_reason(
    policy: str,
    reason: str | None,
    case: Case,
    officer: Staff,
    api_as: Callable[..., Client],
) -> None:
    client = api_as(officer)
    action = add_action(client, case)

    answer = cancel(client, action, reason)

    assert answer.status_code == 422
    assert answer.json()["code"] == "reason_required"
    assert Action.objects.get(pk=action["id"]).status == "open"
    assert not AuditEntry.objects.filter(action="action.cancelled").exists()


def test_any_reason_will_do(
    policy: str, case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(officer)
    action = add_action(client, case)

    assert cancel(client, action, "Moved").status_code == 200  # no minimum length


def test_a_done_or_cancelled_action_cannot_be_cancelled_or_done(
    policy: str, case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(officer)
    done = add_action(client, case)
    post(client, f"/actions/{done['id']}/complete")
    cancelled = add_action(client, case)
    assert cancel(client, cancelled).status_code == 200

    done_again = cancel(client, done)
    assert done_again.status_code == 409
    assert done_again.json()["code"] == "already_done"
    twice = cancel(client, cancelled)
    assert twice.status_code == 409
    assert twice.json()["code"] == "already_cancelled"
    completed = post(client, f"/actions/{cancelled['id']}/complete")
    assert completed.status_code == 409
    assert completed.json()["code"] == "already_cancelled"
    assert Action.objects.get(pk=done["id"]).status == "done"
    assert Action.objects.get(pk=cancelled["id"]).status == "cancelled"


def test_whoever_may_complete_an_action_may_cancel_it(
    policy: str,
    case: Case,
    officer: Staff,
    teammate: Staff,
    outsider: Staff,
    manager: Staff,
    auditor: Staff,
    admin: Staff,
    api_as: Callable[..., Client],
) -> None:
    client = api_as(officer)
    action = add_action(client, case)

    for nobody in (outsider, teammate, auditor, admin):
        assert cancel(api_as(nobody), action).status_code == 404
        assert post(api_as(nobody), f"/actions/{action['id']}/complete").status_code == 404
    assert Action.objects.get(pk=action["id"]).status == "open"

    by_manager = cancel(api_as(manager), action)  # the case is in her team
    assert by_manager.status_code == 200
    assert by_manager.json()["cancelled_by"] == manager.username


def test_a_cancelled_action_leaves_the_queues(
    policy: str, case: Case, officer: Staff, as_staff: Callable[..., Client], api_as: Any
) -> None:
    client = as_staff(officer)
    action = add_action(
        api_as(officer), case, due_at=(timezone.now() + timedelta(hours=3)).isoformat()
    )
    assert case.reference in client.get("/queues/actions").content.decode()

    cancel(api_as(officer), action)

    assert case.reference not in client.get("/queues/actions").content.decode()
    assert queue_counts(client.get("/").content.decode())["Actions due"] == 0


def test_a_closed_cases_plan_does_not_change(
    own_policy: Callable[[str], str],
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[..., Client],
) -> None:
    own_policy("[closure]\nno_open_actions = false\nmanager_approval_required = false\n")
    case = open_case()
    client = api_as(officer)
    action = add_action(client, case)
    closed = post(
        client,
        f"/cases/{case.pk}/closure",
        {
            "reason": "resolved",
            "survivor_agrees": True,
            "review_meeting_at": (timezone.now() - timedelta(days=1)).isoformat(),
            "explanation": "Resolved at the review meeting.",
        },
    )
    assert closed.json()["status"] == "closed", closed.content

    answer = cancel(client, action)

    assert answer.status_code == 409
    assert answer.json()["code"] == "case_not_open"
    assert Action.objects.get(pk=action["id"]).status == "open"


@pytest.mark.parametrize("policy", ["wha"], indirect=True)
def test_no_further_action_possible_closes_a_case_without_marking_undone_work_done(
    policy: str,
    case_in_policy: Case,
    officer: Staff,
    manager: Staff,
    api_as: Callable[..., Client],
) -> None:
    """000 (WHA) [Closure of cases]: a case is closed when "there is no further action
    which can be taken". The action that cannot be taken is cancelled, not marked done,
    and no longer holds the closure open (closure.no_open_actions)."""
    client = api_as(officer)
    case = case_in_policy
    injunction = add_action(
        client,
        case,
        kind="support",
        measure="",
        detail="Support her to apply for a non-molestation order",
    )
    body = {
        "reason": "no_further_action_possible",
        "survivor_agrees": True,
        "review_meeting_at": (timezone.now() - timedelta(days=1)).isoformat(),
        "explanation": "She has decided not to apply; there is nothing more we can do.",
    }
    held_open = post(client, f"/cases/{case.pk}/closure", body)
    assert held_open.status_code == 422
    assert held_open.json()["code"] == "open_actions_remaining"
    assert held_open.json()["policy_rule"] == "closure.no_open_actions"

    assert cancel(client, injunction, "She decided not to apply for the order.").status_code == 200
    closing = post(client, f"/cases/{case.pk}/closure", body)

    assert closing.status_code == 201, closing.content
    assert closing.json()["reason"] == "no_further_action_possible"
    assert post(api_as(manager), f"/cases/{case.pk}/closure/approve").status_code == 200
    case.refresh_from_db()
    assert case.status == "closed"
    assert Action.objects.get(pk=injunction["id"]).status == "cancelled"
    assert Action.objects.get(pk=injunction["id"]).completed_at is None


def test_the_case_page_offers_cancelling_and_shows_the_reason(
    policy: str,
    case: Case,
    officer: Staff,
    outsider: Staff,
    as_staff: Callable[..., Client],
    api_as: Callable[..., Client],
) -> None:
    client = as_staff(officer)
    action = add_action(api_as(officer), case)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/actions/{action["id"]}/cancel"' in page
    assert as_staff(outsider).get(f"/actions/{action['id']}/cancel").status_code == 404

    form = client.get(f"/actions/{action['id']}/cancel")
    assert form.status_code == 200
    assert "Change the locks on the front and back doors" in form.content.decode()
    empty = client.post(f"/actions/{action['id']}/cancel", {"reason": "  "})
    assert empty.status_code == 400
    assert "Say why the action is cancelled" in empty.content.decode()
    assert Action.objects.get(pk=action["id"]).status == "open"

    done = client.post(f"/actions/{action['id']}/cancel", {"reason": REASON}, follow=True)

    assert done.redirect_chain == [(f"/cases/{case.pk}/", 302)]
    page = done.content.decode()
    assert "Action cancelled" in page
    plan = page.split('data-testid="plan"')[1].split("</table>")[0]
    assert "Cancelled" in plan
    assert REASON in plan
    assert f'href="/actions/{action["id"]}/cancel"' not in page
    assert "cannot be cancelled" in client.get(f"/actions/{action['id']}/cancel").content.decode()


def test_the_action_plan_letter_shows_a_cancelled_action_with_its_reason(
    policy: str, case: Case, officer: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(officer)
    cancel(client, add_action(client, case))
    add_action(client, case, measure="panic_alarm", detail="Fit a panic alarm")

    letter = post(
        client,
        f"/cases/{case.pk}/letters",
        {"kind": "action_plan", "recipient": "survivor", "channel": "by_hand"},
    )

    assert letter.status_code == 201, letter.content
    text = pdf_text(client, letter.json()["id"])
    assert f"Cancelled: {REASON}" in text
    assert "Fit a panic alarm" in text
