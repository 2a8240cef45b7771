"""Work queues: what is due and overdue on the cases a person may see.

"Due" means due within QUEUE_HORIZON or already overdue; overdue rows are marked on the
page. Every queue starts from cases.access, so it lists nothing a person may not see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import access
from safehold.cases.models import Case
from safehold.casework.models import Action, ActionStatus, PerpetratorInterview
from safehold.casework.selectors import approvals_waiting
from safehold.casework.selectors import interviews_to_agree as interviews_waiting
from safehold.casework.services import may_approve
from safehold.closure import selectors as closure_selectors
from safehold.closure.models import Appeal
from safehold.policy.loader import active_policy

# How far ahead a queue looks: a working week. A presentation choice, not a policy rule.
QUEUE_HORIZON = timedelta(days=7)


@dataclass(frozen=True)
class Queue:
    slug: str
    title: str


QUEUES = (
    Queue("first-contact", "Awaiting first contact"),
    Queue("actions", "Actions due"),
    Queue("reviews", "Reviews due"),
    Queue("contacts", "Contacts due"),
    Queue("approvals", "Approvals waiting"),
    Queue("closures-to-approve", "Closures to approve"),
    Queue("closures-to-evaluate", "Closed cases to evaluate"),
    Queue("feedback-to-ask", "Feedback to ask for"),
    Queue("appeals-to-answer", "Appeals to answer"),
    Queue("interviews-to-agree", "Interviews to agree"),
)
CLOSURE_QUEUES = QUEUES[5:9]
INTERVIEW_QUEUE = QUEUES[9]


def open_cases(user: Staff) -> QuerySet[Case]:
    return (
        access.cases_visible_to(user)
        .filter(status="open")
        .select_related("team", "assigned_officer")
    )


def first_contact(user: Staff, now: datetime) -> QuerySet[Case]:
    return open_cases(user).filter(first_contact_at__isnull=True).order_by("response_due_at")


def actions(user: Staff, now: datetime) -> QuerySet[Action]:
    return (
        Action.objects.filter(
            status=ActionStatus.OPEN,
            due_at__lt=now + QUEUE_HORIZON,
            case__in=access.cases_visible_to(user),
        )
        .select_related("case", "case__team", "owner")
        .order_by("due_at")
    )


def reviews(user: Staff, now: datetime) -> QuerySet[Case]:
    interval = timedelta(days=active_policy().review_interval_days)
    return (
        open_cases(user)
        .annotate(last_reviewed=Coalesce("last_review_at", "reported_at"))
        .filter(last_reviewed__lt=now + QUEUE_HORIZON - interval)
        .order_by("last_reviewed")
    )


def contacts(user: Staff, now: datetime) -> QuerySet[Case]:
    return (
        open_cases(user)
        .filter(next_contact_due_at__lt=now + QUEUE_HORIZON)
        .order_by("next_contact_due_at")
    )


def closures_to_approve(user: Staff, now: datetime) -> QuerySet[Case]:
    return closure_selectors.closures_to_approve(user)


def closures_to_evaluate(user: Staff, now: datetime) -> QuerySet[Case]:
    return closure_selectors.closures_to_evaluate(user)


def feedback_to_ask(user: Staff, now: datetime) -> QuerySet[Case]:
    return closure_selectors.feedback_to_request(user)


def appeals_to_answer(user: Staff, now: datetime) -> list[Appeal]:
    return closure_selectors.appeals_to_answer(user)


def interviews_to_agree(user: Staff, now: datetime) -> list[PerpetratorInterview]:
    """Requests to interview an alleged perpetrator waiting for this manager (or, on a
    restricted case, the role deciding there), never one they asked for themselves."""
    return interviews_waiting(user)


Listing = Callable[[Staff, datetime], "QuerySet[Any] | list[Any]"]
LISTINGS: dict[str, Listing] = {
    "first-contact": first_contact,
    "actions": actions,
    "reviews": reviews,
    "contacts": contacts,
    "closures-to-approve": closures_to_approve,
    "closures-to-evaluate": closures_to_evaluate,
    "feedback-to-ask": feedback_to_ask,
    "appeals-to-answer": appeals_to_answer,
    "interviews-to-agree": interviews_to_agree,
}


def closure_counts(user: Staff) -> list[tuple[Queue, int]]:
    """The closure queues this person's role works from: approving and evaluating only
    for the roles deciding them (on ordinary or restricted cases, cases/access.py);
    appeals for the policy's reviewer, or anyone with some."""
    policy = active_policy()
    approve, evaluate, ask, answer = CLOSURE_QUEUES
    found = []
    if access.takes_decision(user, access.Decision.CLOSURE) or access.takes_decision(
        user, access.Decision.CLOSURE_OVERRIDE
    ):
        found.append((approve, closure_selectors.closures_to_approve(user).count()))
    if access.takes_decision(user, access.Decision.EVALUATION):
        found.append((evaluate, closure_selectors.closures_to_evaluate(user).count()))
    if policy.feedback.after_closure:
        found.append((ask, closure_selectors.feedback_to_request(user).count()))
    appeals = len(closure_selectors.appeals_to_answer(user))
    second = policy.appeals.stage_2
    if appeals or user.role in (policy.appeals.reviewer_role, second and second.reviewer_role):
        found.append((answer, appeals))
    return found


def counts(user: Staff, now: datetime | None = None) -> list[tuple[Queue, int]]:
    now = now or timezone.now()
    found = [
        (QUEUES[0], first_contact(user, now).count()),
        (QUEUES[1], actions(user, now).count()),
        (QUEUES[2], reviews(user, now).count()),
        (QUEUES[3], contacts(user, now).count()),
    ]
    if may_approve(user):
        found.append((QUEUES[4], len(approvals_waiting(user))))
    found += closure_counts(user)
    if access.takes_decision(user, access.Decision.INTERVIEW):
        found.append((INTERVIEW_QUEUE, len(interviews_to_agree(user, now))))
    return found
