"""Reviews and evaluations have structure (issue 18): a review records the survivor's
views, the change in risk, the progress of each open action and the next review date
(sealed like the notes); an action marked done records its outcome and can be reopened
(`POST /actions/{id}/reopen`), only while the case is open."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework.models import Action, Review
from safehold.privacy.models import AuditEntry
from safehold.web.words import day
from tests.casework.test_action_cancel import add_action, post

pytestmark = pytest.mark.django_db

VIEWS = "She feels safer since the locks were changed but fears he will come back at night."
PROGRESS = "The locksmith has a date; she has the spare keys."
NOTES = "Discussed the plan with her on the phone."
OUTCOME = "Both doors now have new locks; she holds every key."
WHY = "He was seen trying the back door: the new lock was forced."


def review_body(action_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "survivor_views": VIEWS,
        "risk_change": "increased",
        "action_progress": {action_id: PROGRESS},
        "next_review_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "notes": NOTES,
        **extra,
    }


def test_it_records_a_review_with_every_field_sealed_and_shows_it_on_the_case_page(
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[..., Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    case = open_case()
    client = api_as(officer)
    action = add_action(client, case)

    answer = post(client, f"/cases/{case.pk}/reviews", review_body(action["id"]))

    assert answer.status_code == 201, answer.content
    body = answer.json()
    next_on = timezone.localdate() + timedelta(days=7)
    assert body["next_review_on"] == next_on.isoformat()
    assert body["risk_change"] == "increased"
    assert body["survivor_views"] == VIEWS
    assert body["action_progress"] == {action["id"]: PROGRESS}
    row = Review.objects.get(pk=body["id"])
    stored = bytes(row.sealed)
    for text in (VIEWS, PROGRESS, NOTES):
        assert text.encode() not in stored  # sealed, never plaintext
    assert row.risk_change == "increased"
    assert row.next_review_on == next_on
    page = as_staff(officer).get(f"/cases/{case.pk}/").content.decode()
    reviews = page[page.index('data-testid="reviews"') :]
    assert VIEWS in reviews
    assert PROGRESS in reviews
    assert NOTES in reviews
    assert "Increased" in reviews
    assert day(next_on) in reviews
    assert "increased" not in reviews  # the code never reaches the page


def test_a_review_with_no_date_is_next_due_after_the_policys_interval(
    open_case: Callable[..., Case], officer: Staff, api_as: Callable[..., Client]
) -> None:
    from safehold.policy.loader import active_policy

    case = open_case()
    answer = post(api_as(officer), f"/cases/{case.pk}/reviews", {"notes": "On track"})

    assert answer.status_code == 201, answer.content
    interval = active_policy().review_interval_days
    expected = timezone.localdate() + timedelta(days=interval)
    assert answer.json()["next_review_on"] == expected.isoformat()


def test_a_next_review_date_in_the_past_is_refused_and_nothing_is_written(
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[..., Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    case = open_case()
    client = api_as(officer)
    action = add_action(client, case)
    yesterday = timezone.localdate() - timedelta(days=1)
    audit_before = AuditEntry.objects.count()

    answer = post(
        client,
        f"/cases/{case.pk}/reviews",
        review_body(action["id"], next_review_on=yesterday.isoformat()),
    )

    assert answer.status_code == 422
    assert answer.json()["code"] == "next_review_in_past"
    assert not Review.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    case.refresh_from_db()
    assert case.last_review_at is None

    page = as_staff(officer).post(
        f"/cases/{case.pk}/reviews/new",
        {
            "survivor_views": VIEWS,
            "next_review_on_0": str(yesterday.day),
            "next_review_on_1": str(yesterday.month),
            "next_review_on_2": str(yesterday.year),
        },
    )
    assert page.status_code == 400
    assert "The next review date cannot be in the past" in page.content.decode()
    assert not Review.objects.exists()


def test_a_next_review_date_later_than_the_policy_allows_is_refused(
    open_case: Callable[..., Case], officer: Staff, api_as: Callable[..., Client]
) -> None:
    case = open_case()
    late = timezone.localdate() + timedelta(days=400)

    answer = post(
        api_as(officer), f"/cases/{case.pk}/reviews", {"next_review_on": late.isoformat()}
    )

    assert answer.status_code == 422
    assert answer.json()["code"] == "next_review_too_late"
    assert answer.json()["policy_rule"] == "review_interval_days"
    assert not Review.objects.exists()


def test_progress_only_for_the_cases_open_actions(
    open_case: Callable[..., Case], officer: Staff, api_as: Callable[..., Client]
) -> None:
    case = open_case()
    client = api_as(officer)
    other = add_action(client, open_case())

    answer = post(client, f"/cases/{case.pk}/reviews", {"action_progress": {other["id"]: "x"}})

    assert answer.status_code == 422
    assert answer.json()["code"] == "unknown_action"
    assert not Review.objects.exists()


def test_the_review_page_asks_each_field_and_records_them(
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[..., Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    case = open_case()
    action = add_action(api_as(officer), case)
    client = as_staff(officer)
    form = client.get(f"/cases/{case.pk}/reviews/new").content.decode()
    assert "The survivor&#x27;s views" in form or "The survivor's views" in form
    assert "Stayed the same" in form
    assert f'name="progress_{action["id"]}"' in form
    assert "Progress: Security measure: Lock change" in form
    assert 'name="next_review_on_0"' in form
    assert client.post(f"/cases/{case.pk}/reviews/new", {}).status_code == 400
    next_on = timezone.localdate() + timedelta(days=3)

    answer = client.post(
        f"/cases/{case.pk}/reviews/new",
        {
            "survivor_views": VIEWS,
            "risk_change": "decreased",
            f"progress_{action['id']}": PROGRESS,
            "next_review_on_0": str(next_on.day),
            "next_review_on_1": str(next_on.month),
            "next_review_on_2": str(next_on.year),
            "notes": NOTES,
        },
    )

    assert answer.status_code == 302
    review = Review.objects.get()
    assert review.risk_change == "decreased"
    assert review.next_review_on == next_on
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert VIEWS in page
    assert PROGRESS in page
    assert "Decreased" in page
    assert "Lock change" in page[page.index('data-testid="reviews"') :]


def test_an_action_done_records_its_outcome_and_can_be_reopened_through_the_api(
    open_case: Callable[..., Case], officer: Staff, api_as: Callable[..., Client]
) -> None:
    case = open_case()
    client = api_as(officer)
    action = add_action(client, case)

    done = post(client, f"/actions/{action['id']}/complete", {"outcome": OUTCOME})

    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done"
    assert done.json()["outcome"] == OUTCOME
    assert OUTCOME.encode() not in bytes(Action.objects.get(pk=action["id"]).sealed)
    assert post(client, f"/actions/{action['id']}/reopen", {}).json()["code"] == ("reason_required")

    reopened = post(client, f"/actions/{action['id']}/reopen", {"reason": WHY})

    assert reopened.status_code == 200, reopened.content
    body = reopened.json()
    assert body["status"] == "open"
    assert body["completed_at"] is None
    assert body["outcome"] is None
    assert body["reopened_by"] == officer.username
    assert body["reopened_at"] is not None
    row = Action.objects.get(pk=action["id"])
    assert WHY.encode() not in bytes(row.sealed)
    entry = AuditEntry.objects.get(action="action.reopened")
    assert entry.actor == officer.username
    assert entry.detail["action"] == action["id"]
    assert WHY not in str(entry.detail)
    # open again: it can be marked done again, and not reopened while open
    assert post(client, f"/actions/{action['id']}/reopen", {"reason": WHY}).status_code == 409
    again = post(client, f"/actions/{action['id']}/complete", {"outcome": "Fixed again"})
    assert again.json()["outcome"] == "Fixed again"


def test_complete_still_takes_no_body(
    open_case: Callable[..., Case], officer: Staff, api_as: Callable[..., Client]
) -> None:
    case = open_case()
    client = api_as(officer)
    action = add_action(client, case)

    done = client.post(f"/api/v1/actions/{action['id']}/complete")

    assert done.status_code == 200, done.content
    assert done.json()["outcome"] == ""


def test_a_reopened_action_counts_as_open_again(
    own_policy: Callable[[str], str],
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[..., Client],
) -> None:
    own_policy("[closure]\nno_open_actions = true\nmanager_approval_required = false\n")
    case = open_case()
    client = api_as(officer)
    action = add_action(client, case)
    post(client, f"/actions/{action['id']}/complete", {"outcome": OUTCOME})
    post(client, f"/actions/{action['id']}/reopen", {"reason": WHY})

    closing = post(
        client,
        f"/cases/{case.pk}/closure",
        {
            "reason": "resolved",
            "survivor_agrees": True,
            "review_meeting_at": (timezone.now() - timedelta(days=1)).isoformat(),
            "explanation": "Resolved at the review meeting.",
        },
    )

    assert closing.status_code == 422, closing.content
    assert Case.objects.get(pk=case.pk).status == "open"


def test_reopening_on_a_closed_case_is_refused(
    own_policy: Callable[[str], str],
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[..., Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    own_policy("[closure]\nno_open_actions = true\nmanager_approval_required = false\n")
    case = open_case()
    client = api_as(officer)
    action = add_action(client, case)
    post(client, f"/actions/{action['id']}/complete", {"outcome": OUTCOME})
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

    answer = post(client, f"/actions/{action['id']}/reopen", {"reason": WHY})

    assert answer.status_code == 409
    assert answer.json()["code"] == "case_not_open"
    assert Action.objects.get(pk=action["id"]).status == "done"
    page = as_staff(officer).post(f"/actions/{action['id']}/reopen", {"reason": WHY})
    assert Action.objects.get(pk=action["id"]).status == "done"
    assert "Reopen<" not in as_staff(officer).get(f"/cases/{case.pk}/").content.decode()
    assert page.status_code in (200, 400, 409)


def test_an_outsider_gets_404_for_every_new_door(
    open_case: Callable[..., Case],
    officer: Staff,
    outsider: Staff,
    api_as: Callable[..., Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    case = open_case()
    client = api_as(officer)
    action = add_action(client, case)
    post(client, f"/actions/{action['id']}/complete", {"outcome": OUTCOME})
    stranger = api_as(outsider)

    assert post(stranger, f"/actions/{action['id']}/reopen", {"reason": WHY}).status_code == 404
    assert post(stranger, "/actions/act_missing/reopen", {"reason": WHY}).status_code == 404
    assert post(stranger, f"/cases/{case.pk}/reviews", {"notes": "x"}).status_code == 404
    web = as_staff(outsider)
    assert web.get(f"/actions/{action['id']}/reopen").status_code == 404
    assert web.post(f"/actions/{action['id']}/reopen", {"reason": WHY}).status_code == 404
    assert web.get(f"/actions/{action['id']}/done").status_code == 404
    assert web.get(f"/cases/{case.pk}/reviews/new").status_code == 404
    assert Action.objects.get(pk=action["id"]).status == "done"
    assert not Review.objects.exists()


def test_the_pages_ask_for_the_outcome_show_it_and_reopen(
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[..., Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    case = open_case()
    action = add_action(api_as(officer), case)
    client = as_staff(officer)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'href="/actions/{action["id"]}/done"' in page
    form = client.get(f"/actions/{action['id']}/done").content.decode()
    assert "What was the outcome?" in form

    done = client.post(f"/actions/{action['id']}/done", {"outcome": OUTCOME})

    assert done.status_code == 302
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert OUTCOME in page
    assert f'href="/actions/{action["id"]}/reopen"' in page
    assert client.get(f"/actions/{action['id']}/reopen").status_code == 200
    refused = client.post(f"/actions/{action['id']}/reopen", {"reason": ""})
    assert refused.status_code == 400
    assert "Say why the action is reopened" in refused.content.decode()

    reopened = client.post(f"/actions/{action['id']}/reopen", {"reason": WHY})

    assert reopened.status_code == 302
    assert Action.objects.get(pk=action["id"]).status == "open"
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert WHY in page
    assert "Reopened" in page
    assert f'href="/actions/{action["id"]}/done"' in page


def test_the_next_review_date_set_is_the_one_every_list_and_page_holds_to(
    open_case: Callable[..., Case],
    officer: Staff,
    api_as: Callable[..., Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    """A review that sets the next review three days on puts the case in the review queue
    (within its week's horizon) with that date, on the case page and in the API; the
    policy's interval (fourteen days or more) would have kept it out of the queue."""
    import time_machine

    from safehold.desk import queues
    from safehold.policy.loader import active_policy

    assert active_policy().review_interval_days > 10
    case = open_case()
    next_on = timezone.localdate() + timedelta(days=3)
    answer = post(
        api_as(officer), f"/cases/{case.pk}/reviews", {"next_review_on": next_on.isoformat()}
    )
    assert answer.status_code == 201, answer.content

    due = api_as(officer).get(f"/api/v1/cases/{case.pk}").json()["next_review_due_at"]
    assert due is not None
    assert timezone.localtime(timezone.datetime.fromisoformat(due)).date() == next_on
    assert [c.pk for c in queues.reviews(officer, timezone.now())] == [case.pk]
    queue = as_staff(officer).get("/queues/reviews").content.decode()
    assert case.reference in queue
    assert day(next_on) in queue
    page = as_staff(officer).get(f"/cases/{case.pk}/").content.decode()
    assert day(next_on) in page

    # A day after the date the officer set, the review is overdue: on the home page's count
    # and first on the queue, though the policy's interval has not yet run.
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        overdue = {q.slug: late for q, _, late in queues.overdue_counts(officer, timezone.now())}
        assert overdue["reviews"] == 1
        assert "overdue" in as_staff(officer).get("/queues/reviews").content.decode().lower()


def test_a_review_recorded_after_an_officer_set_date_is_due_from_that_date(
    open_case: Callable[..., Case], officer: Staff, api_as: Callable[..., Client]
) -> None:
    case = open_case()
    next_on = timezone.localdate() + timedelta(days=2)
    post(api_as(officer), f"/cases/{case.pk}/reviews", {"next_review_on": next_on.isoformat()})
    import time_machine

    with time_machine.travel(timezone.now() + timedelta(days=5)):
        answer = post(api_as(officer), f"/cases/{case.pk}/reviews", {"notes": "Late"})
    assert answer.status_code == 201, answer.content
    second = Review.objects.get(pk=answer.json()["id"])
    assert timezone.localtime(second.due_at).date() == next_on
