"""The home page: what is due for the signed-in person, from every app's queues.

It leads with the person's own cases overdue or due today, most overdue first, then how
many are in each of their queues (and how many of those overdue), then the rest of their
own open cases. Each case shows what confirms the right person (`with_survivors`,
audited as `case.listed`)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import is_partner
from safehold.cases import access, selectors
from safehold.cases.models import Case
from safehold.closure import selectors as closure_selectors
from safehold.desk import queues
from safehold.records import rules
from safehold.records import selectors as records_selectors

# How many of the person's own open cases the home page lists; the case list and the
# queues have the rest. A presentation choice, not a policy rule.
HOME_CASES = 50
# The queues of decisions (approvals, closures, feedback, appeals, interviews) read at
# most their first 200 rows, as their pages list them: a count there of 200 means 200 or
# more, and says so. Subject access is counted up to its own page's QUEUE_LIMIT.
DECISIONS_READ = closure_selectors.QUEUE_LIMIT


def at_least(count: int, read: int | None = None) -> int | str:
    """A decision queue's count as the home page shows it, from a count that stopped at
    `read` rows (DECISIONS_READ unless said)."""
    read = DECISIONS_READ if read is None else read
    return f"{read} or more" if count >= read else count


def own_cases_by_urgency(user: Staff, now: datetime) -> tuple[list[Case], list[Case]]:
    """The person's own open cases, the most urgent first, shown with who each is about:
    those overdue or due today, then the rest. One query for the cases and one for their
    survivors, whatever their number."""
    cases = selectors.cases_seen_by(user, list(queues.by_urgency(user)[:HOME_CASES]))
    cases = selectors.with_survivors(user, cases, via="home")
    for case in cases:
        due = case.next_due  # type: ignore[attr-defined]
        if due is not None:
            with_time = due.what == "First contact"
            case.next_due = queues.dated(due.what, due.at, now, with_time=with_time)  # type: ignore[attr-defined]
    due_now = [c for c in cases if is_due_now(c, now)]
    return due_now, [c for c in cases if not is_due_now(c, now)]


def is_due_now(case: Case, now: datetime) -> bool:
    due = case.next_due  # type: ignore[attr-defined]
    return due is not None and queues.due_by_end_of_today(due.at, now)


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if isinstance(user, Staff) and is_partner(user.role):
        return redirect("partner-home")  # a partner's home is what was shared with them
    context: dict[str, object] = {"nav": "home"}
    if isinstance(user, Staff) and access.may_record_report(user):
        now = timezone.now()
        due_now, later = own_cases_by_urgency(user, now)
        context |= {
            "due_now": due_now,
            "later": later,
            "own_queues": queues.overdue_counts(user, now),
            "queues": [(queue, at_least(n)) for queue, n in queues.decision_counts(user, now)],
            "leads_team": user.role in queues.LEADS_A_TEAM,
            "alerts": selectors.unread_alerts(user),
            "may_break_glass": access.may_break_glass(user),
        }
    if isinstance(user, Staff) and rules.may_handle_subject_access(user):
        # Counted up to what the subject access queue page reads, whatever that is.
        read = records_selectors.QUEUE_LIMIT
        open_requests = records_selectors.subject_access_open(user)
        context["subject_access_due"] = at_least(queues.counted(open_requests, read), read)
    return render(request, "desk/home.html", context)
