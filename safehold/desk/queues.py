"""Work queues: what is due and overdue on a person's own cases.

"Due" means due within QUEUE_HORIZON or already overdue; overdue rows are marked on the
page, and each queue lists the most overdue first. The case queues hold the person's own
work (`own`): an officer's cases, a manager's (director's, DA lead's) team. Every queue
starts from cases.access, so it lists and counts nothing a person may not see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access, selectors
from safehold.cases.models import NEVER, Case, CaseTeamMember
from safehold.casework.models import Action, ActionStatus, PerpetratorInterview
from safehold.casework.selectors import interviews_waiting, referrals_held
from safehold.casework.services import may_approve
from safehold.closure import selectors as closure_selectors
from safehold.closure.models import Appeal
from safehold.policy.loader import active_policy
from safehold.public import selectors as public_selectors
from safehold.web import words

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
    Queue("triage", "Public reports to triage"),
)
CLOSURE_QUEUES = QUEUES[5:9]
INTERVIEW_QUEUE = QUEUES[9]
# Reports sent through the public page, waiting for triage (safehold/public).
TRIAGE_QUEUE = QUEUES[10]


# Leading a team makes its cases one's own work; an officer's own are those named on.
LEADS_A_TEAM = (Role.MANAGER, Role.DIRECTOR, Role.DA_LEAD)


def own(user: Staff) -> Q:
    """The cases that are `user`'s own work: those they are the officer of or on the case
    team of, and for a manager, director or DA lead those of their team too. Each part
    is read through an index (the case's officer, the case team's staff, the case's
    team). It is always combined with `access.cases_visible_to`, so a restricted case
    of the team is counted only for someone who may see it."""
    named = Q(assigned_officer=user) | Q(
        pk__in=CaseTeamMember.objects.filter(staff=user).values("case_id")
    )
    if user.role in LEADS_A_TEAM and user.team_id is not None:
        return named | Q(team_id=user.team_id)
    return named


def own_open_ids(user: Staff) -> Q:
    """Of `own`, the open cases, as one id list of its parts read first: the cases they
    are the officer of, on the case team of, and their team's open cases (index
    `case_open_by_team`); with `status="open"` it is the same cases as `own`. As an OR
    PostgreSQL read a queue in its order through every open case of the provider and
    asked `own` of each, 12,000 cases for a manager's 39 in a provider of 400 teams,
    since it cannot judge how many the case team's part lets through (issue 19)."""
    ids = access.named_case_ids(user)
    if user.role in LEADS_A_TEAM and user.team_id is not None:
        team = Case.objects.filter(team_id=user.team_id, status="open")
        ids = ids.union(team.values("pk"), all=True)
    return Q(pk__in=ids)


def own_open(user: Staff) -> QuerySet[Case]:
    """The person's own open cases, as the queues and counts of them read them: where
    the database does better so (`access.reads_reach_first`: PostgreSQL) from
    `own_open_ids`, otherwise from `own`."""
    mine = own_open_ids(user) if access.reads_reach_first() else own(user)
    return access.cases_visible_to(user).filter(mine, status="open")


def open_cases(user: Staff) -> QuerySet[Case]:
    return own_open(user).select_related("team", "assigned_officer")


def first_contact(user: Staff, now: datetime) -> QuerySet[Case]:
    return open_cases(user).filter(first_contact_at__isnull=True).order_by("response_due_at", "id")


def actions(user: Staff, now: datetime) -> QuerySet[Action]:
    """Open actions due within the horizon on the person's own cases. It starts from
    the actions (index `action_due`) and asks of each whether its case is theirs, so it
    reads the actions due, never every case of a team (`case__in` had both databases
    list the team's cases, closed ones too, first)."""
    theirs = access.cases_visible_to(user).filter(own(user), pk=OuterRef("case_id"))
    return (
        Action.objects.filter(status=ActionStatus.OPEN, due_at__lt=now + QUEUE_HORIZON)
        .filter(Exists(theirs))
        .select_related("case", "case__team", "owner")
        .order_by("due_at", "id")
    )


def review_due_before(at: datetime) -> Q:
    """The cases whose next review is due before `at`: every case carries the date from
    intake (the policy's interval after the report), and each review sets the next
    (`Case.next_review_at`), so the queue reads the index on it (issue 19)."""
    return Q(next_review_at__lt=at)


def reviews(user: Staff, now: datetime) -> QuerySet[Case]:
    return (
        open_cases(user)
        .filter(review_due_before(now + QUEUE_HORIZON))
        .order_by("next_review_at", "id")
    )


def contacts(user: Staff, now: datetime) -> QuerySet[Case]:
    return (
        open_cases(user)
        .filter(next_contact_due_at__lt=now + QUEUE_HORIZON)
        .order_by("next_contact_due_at", "id")
    )


def by_urgency(user: Staff) -> QuerySet[Case]:
    """The person's open cases, the one with the earliest date due first (as
    `selectors.next_due` reads a case: first contact until it is made, then the next
    contact agreed, and the next review). `Case.next_due_at` is that date, kept by the
    database and indexed, so a page of them is read in order and the rest never."""
    return open_cases(user).order_by("next_due_at", "id")


def closures_to_approve(user: Staff, now: datetime) -> QuerySet[Case]:
    return closure_selectors.closures_to_approve(user)


def closures_to_evaluate(user: Staff, now: datetime) -> QuerySet[Case]:
    return closure_selectors.closures_to_evaluate(user)


def feedback_to_ask(user: Staff, now: datetime) -> QuerySet[Case]:
    return closure_selectors.feedback_to_request(user)


def appeals_to_answer(user: Staff, now: datetime) -> QuerySet[Appeal]:
    return closure_selectors.appeals_waiting(user)


def interviews_to_agree(user: Staff, now: datetime) -> QuerySet[PerpetratorInterview]:
    """Requests to interview an alleged perpetrator waiting for this manager (or, on a
    restricted case, the role deciding there), never one they asked for themselves."""
    return interviews_waiting(user)


def counted(rows: QuerySet[Any], limit: int | None = None) -> int:
    """How many rows a queue of decisions holds, up to the `limit` its page would read
    (closure's QUEUE_LIMIT unless said): one COUNT that stops there, with no row read (a
    count that reaches it means that many or more; desk/home.py says so)."""
    return rows[: closure_selectors.QUEUE_LIMIT if limit is None else limit].count()


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
    appeals = counted(closure_selectors.appeals_waiting(user))
    second = policy.appeals.stage_2
    if appeals or user.role in (policy.appeals.reviewer_role, second and second.reviewer_role):
        found.append((answer, appeals))
    return found


def overdue_counts(user: Staff, now: datetime) -> list[tuple[Queue, int, int]]:
    """The four queues of the person's own cases: how many in each, and how many of them
    overdue. One query for the three queues of cases (each a filtered count over the
    person's open cases, so Django builds need to know's query once, not three times)
    and one for actions, whatever the number of cases."""
    horizon = now + QUEUE_HORIZON
    awaiting = Q(first_contact_at__isnull=True)
    contact_due = Q(next_contact_due_at__lt=horizon)
    cases = own_open(user).aggregate(
        first=Count("pk", filter=awaiting),
        first_late=Count("pk", filter=awaiting & Q(response_due_at__lt=now)),
        reviews=Count("pk", filter=review_due_before(horizon)),
        reviews_late=Count("pk", filter=review_due_before(now)),
        contacts=Count("pk", filter=contact_due),
        contacts_late=Count("pk", filter=Q(next_contact_due_at__lt=now)),
    )
    late_actions = (
        actions(user, now)
        .order_by()
        .aggregate(all=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
    )
    return [
        (QUEUES[0], cases["first"], cases["first_late"]),
        (QUEUES[1], late_actions["all"], late_actions["overdue"]),
        (QUEUES[2], cases["reviews"], cases["reviews_late"]),
        (QUEUES[3], cases["contacts"], cases["contacts_late"]),
    ]


def counts(user: Staff, now: datetime | None = None) -> list[tuple[Queue, int]]:
    """Every queue this person works from, with how many are in each (the four of their
    own cases, then the decisions their role takes)."""
    now = now or timezone.now()
    found = [(queue, count) for queue, count, _ in overdue_counts(user, now)]
    found += decision_counts(user, now)
    return found


def decision_counts(user: Staff, now: datetime) -> list[tuple[Queue, int]]:
    found: list[tuple[Queue, int]] = []
    if may_approve(user):
        found.append((QUEUES[4], counted(referrals_held(user))))
    found += closure_counts(user)
    if access.takes_decision(user, access.Decision.INTERVIEW):
        found.append((INTERVIEW_QUEUE, counted(interviews_waiting(user))))
    if user.role in public_selectors.TRIAGE_ROLES:
        found.append((TRIAGE_QUEUE, public_selectors.triage_queue(user).count()))
    return found


@dataclass(frozen=True)
class Dated:
    """A date a row of a list is about, as a person reads it: what is due, when (a date,
    or a date and time where the hour matters), and how due in words."""

    what: str
    at: datetime
    overdue: bool
    when: str
    words: str


def how_due(at: datetime, now: datetime) -> str:
    """ "3 days overdue", "1 day overdue", "Overdue today", "Due today", "Due tomorrow",
    "Due in 4 days": by calendar days in London, as an officer counts them."""
    days = (words.local(at).date() - words.local(now).date()).days
    if at < now:
        late = -days
        if late == 0:
            return "Overdue today"
        return f"{late} day{'s' if late != 1 else ''} overdue"
    if days == 0:
        return "Due today"
    if days == 1:
        return "Due tomorrow"
    return f"Due in {days} days"


def dated(what: str, at: datetime, now: datetime, *, with_time: bool = False) -> Dated:
    when = words.moment(at) if with_time else words.day(at)
    return Dated(what=what, at=at, overdue=at < now, when=when, words=how_due(at, now))


def due_by_end_of_today(at: datetime, now: datetime) -> bool:
    return words.local(at).date() <= words.local(now).date()


def queue_dated(slug: str, case: Case, now: datetime) -> Dated | None:
    """The date a case queue is about, for one of its cases."""
    if slug == "first-contact":
        return dated("First contact", case.response_due_at, now, with_time=True)
    if slug == "reviews":
        return dated("Review", selectors.next_review_due_at(case) or NEVER, now)
    if slug == "contacts" and case.next_contact_due_at is not None:
        return dated("Contact", case.next_contact_due_at, now)
    return None
