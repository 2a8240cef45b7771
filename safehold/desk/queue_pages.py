"""The queue pages: one queue of work (desk/queues.py) in full, the most urgent first.

The queues of the person's own cases (first contact, actions, reviews, contacts) show the
date each is about (the response due time, the action's, the review's, the contact's)
and how overdue in words, with what confirms the right person (`with_survivors`,
audited as `case.listed`). The queues of decisions (closures, feedback, appeals,
interviews) show it too, on the cases the reader may see (`named_where_seen`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.selectors import signed_in_staff
from safehold.cases import access, selectors
from safehold.cases.models import Case
from safehold.desk import queues
from safehold.web.paging import page_asked

# How many rows a queue page shows; the rest are on the next pages (`?page=N`), as on
# the case list. A page, not the whole queue, is read, decrypted and rendered (issue 19).
# A presentation choice, not a policy rule.
QUEUE_PAGE = 50
CASE_QUEUES = ("first-contact", "reviews", "contacts")


def shown(user: Staff, slug: str, rows: list[Any], now: datetime) -> list[Any]:
    """The rows of a queue of the person's own cases, each with the date it is about."""
    if slug in CASE_QUEUES:
        rows = selectors.with_survivors(user, selectors.cases_seen_by(user, rows), via="queue")
        for case in rows:
            case.next_due = queues.queue_dated(slug, case, now)  # type: ignore[attr-defined]
    elif slug == "actions":
        # The action's case shows who it is about; one case object per row.
        selectors.with_survivors(user, [a.case for a in rows], via="queue")
        for action in rows:
            action.dated = queues.dated("Action", action.due_at, now)
    elif slug in DECISION_QUEUES:
        named_where_seen(user, rows if slug in CASE_ROWS else [row.case for row in rows])
    return rows


# The queues of decisions (issue 18): their rows are cases (closures, feedback) or an
# appeal's or an interview request's case.
DECISION_QUEUES = (
    "closures-to-approve",
    "closures-to-evaluate",
    "feedback-to-ask",
    "appeals-to-answer",
    "interviews-to-agree",
)
CASE_ROWS = ("closures-to-approve", "closures-to-evaluate", "feedback-to-ask")


def named_where_seen(user: Staff, cases: list[Case]) -> None:
    """A decision queue shows who each case is about on the cases the reader may see
    (`access.cases_visible_to`, one query for the page): the survivor's name and date of
    birth through `with_survivors` (audited as `case.listed`). A restricted case reached
    only as its decider (`access.cases_for_decision`) is not the reader's to see, so its
    row does not name her; `survivor_shown` says which."""
    seen = set(
        access.cases_visible_to(user)
        .filter(pk__in={case.pk for case in cases})
        .values_list("pk", flat=True)
    )
    for case in cases:
        case.survivor_shown = case.pk in seen  # type: ignore[attr-defined]
    selectors.with_survivors(user, [case for case in cases if case.pk in seen], via="queue")


def queue(request: HttpRequest, slug: str) -> HttpResponse:
    user = signed_in_staff(request)
    if not access.may_record_report(user):
        raise PermissionDenied
    if slug == "approvals":
        return redirect("approvals")
    if slug == "triage":
        return redirect("triage")
    found = next((q for q in queues.QUEUES if q.slug == slug), None)
    if found is None:
        raise Http404("No such queue")
    number = page_asked(request)
    now = timezone.now()
    listing = queues.LISTINGS[slug](user, now)
    start = (number - 1) * QUEUE_PAGE
    # One row more than a page says whether there is a next one, without a count.
    rows = list(listing[start : start + QUEUE_PAGE + 1])
    more = len(rows) > QUEUE_PAGE
    rows = shown(user, slug, rows[:QUEUE_PAGE], now)
    context = {"queue": found, "rows": rows, "now": now, "nav": "home", "page": number}
    context["more"] = more
    return render(request, "desk/queue.html", context)
