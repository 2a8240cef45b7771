"""Reads for closure, feedback and appeals: what a case page shows, and the queues of
closures to approve, closed cases to evaluate, feedback to ask for and appeals to
answer. Every queue starts from `cases_visible_to`, so nobody's queue names a case they
may not see, and each is a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from safehold.accounts.models import Staff
from safehold.cases import access, sealing
from safehold.cases.models import Case, PersonRole, Status
from safehold.casework.models import Document, LetterKind, Recipient
from safehold.casework.selectors import on_visible_case
from safehold.casework.services import permission_missing
from safehold.closure.models import (
    Appeal,
    AppealStatus,
    Closure,
    ClosureStatus,
    Feedback,
    FeedbackRequest,
)
from safehold.policy.loader import active_policy

QUEUE_LIMIT = 200


def explanation_of_closure(case: Case) -> str:
    """The officer's explanation of the closure that closed the case, for its letters."""
    closure = Closure.objects.filter(case=case, status=ClosureStatus.CLOSED).first()
    if closure is None:
        return ""
    return str(sealing.unseal(case.data_key, closure).get("explanation", ""))


def perpetrator_explanation_of_closure(case: Case) -> str:
    """What the officer wrote for the closure letters to the alleged perpetrators."""
    closure = Closure.objects.filter(case=case, status=ClosureStatus.CLOSED).first()
    if closure is None:
        return ""
    return str(sealing.unseal(case.data_key, closure).get("perpetrator_explanation", ""))


NOT_PERMITTED = "survivor_permission_required"
NOT_WRITTEN = "not_written"
OUTSTANDING_MESSAGES = {
    NOT_PERMITTED: "Closure letter to the alleged perpetrator not sent: the survivor's "
    "permission is not on record",
    NOT_WRITTEN: "Closure letter to the alleged perpetrator not sent yet: the survivor's "
    "permission is now on record, so it can be written",
}


@dataclass(frozen=True)
class OutstandingLetter:
    """A closure letter the policy asks for that the closed case has not had."""

    person_id: str
    name: str
    reason: str  # NOT_PERMITTED or NOT_WRITTEN
    kind: str = LetterKind.CLOSURE
    recipient: str = Recipient.ALLEGED_PERPETRATOR

    @property
    def message(self) -> str:
        return OUTSTANDING_MESSAGES[self.reason]


def letters_outstanding(case: Case) -> list[OutstandingLetter]:
    """The closure letters to alleged perpetrators that were held back when the case
    closed, because the survivor's permission was not on record, and not written since
    (through the letters endpoint). None for a case that is not closed."""
    policy = active_policy()
    if case.status != Status.CLOSED or case.closed_at is None:
        return []
    if Recipient.ALLEGED_PERPETRATOR not in policy.closure.letters_to:
        return []
    people = list(case.people.filter(role=PersonRole.ALLEGED_PERPETRATOR).order_by("id"))
    written = set(
        Document.objects.filter(
            case=case,
            kind=LetterKind.CLOSURE,
            recipient=Recipient.ALLEGED_PERPETRATOR,
            created_at__gte=case.closed_at,
        ).values_list("person_id", flat=True)
    )
    if None in written and len(people) == 1:  # written before letters named their addressee
        written.add(people[0].pk)
    missing = [p for p in people if p.pk not in written]
    if not missing:
        return []
    reason = NOT_PERMITTED if permission_missing(case, policy) else NOT_WRITTEN
    return [
        OutstandingLetter(p.pk, str(sealing.unseal(case.data_key, p).get("name", "")), reason)
        for p in missing
    ]


@dataclass(frozen=True)
class ClosureView:
    closure: Closure
    details: dict[str, Any]


@dataclass(frozen=True)
class AppealView:
    appeal: Appeal
    details: dict[str, Any]

    @property
    def overdue_at(self) -> datetime:
        if self.appeal.status == AppealStatus.RECEIVED:
            return self.appeal.acknowledge_due_at
        return self.appeal.due_at


@dataclass(frozen=True)
class AfterClosure:
    """What the case page shows about closing: past closures, feedback and appeals."""

    closures: list[ClosureView]
    feedback: list[tuple[Feedback, str]]
    feedback_requests: list[FeedbackRequest]
    appeals: list[AppealView]


def after_closure(case: Case) -> AfterClosure:
    """For a case the caller already reached through `access.case_for`."""
    key = case.data_key
    closures = Closure.objects.filter(case=case).select_related(
        "requested_by", "decided_by", "evaluated_by", "reopened_by"
    )
    feedback = Feedback.objects.filter(case=case).select_related("recorded_by")
    appeals = Appeal.objects.filter(case=case).select_related("decided_by")
    return AfterClosure(
        closures=[
            ClosureView(c, sealing.unseal(key, c)) for c in closures.order_by("-requested_at")
        ],
        feedback=[
            (f, str(sealing.unseal(key, f).get("comments", "")))
            for f in feedback.order_by("-recorded_at")
        ],
        feedback_requests=list(
            FeedbackRequest.objects.filter(case=case)
            .select_related("requested_by")
            .order_by("-requested_at")
        ),
        appeals=[AppealView(a, sealing.unseal(key, a)) for a in appeals.order_by("received_at")],
    )


def appeal_for(user: Staff, appeal_id: str) -> Appeal:
    rows = Appeal.objects.select_related("case", "case__data_key", "escalated_from")
    return on_visible_case(rows, user, appeal_id, "appeal")


def closures_to_approve(user: Staff) -> QuerySet[Case]:
    """Cases waiting as `closing` that this user's role may approve."""
    if user.role not in active_policy().closure.approver_roles:
        return Case.objects.none()
    return (
        access.cases_visible_to(user)
        .filter(status=Status.CLOSING)
        .select_related("team", "assigned_officer")
        .order_by("reported_at")[:QUEUE_LIMIT]
    )


def closures_to_evaluate(user: Staff) -> QuerySet[Case]:
    """Closed cases whose closure the policy's evaluator has not yet evaluated."""
    if user.role != active_policy().closure.evaluation_role:
        return Case.objects.none()
    waiting = Closure.objects.filter(
        case=OuterRef("pk"), status=ClosureStatus.CLOSED, evaluated_at__isnull=True
    )
    return (
        access.cases_visible_to(user)
        .filter(Exists(waiting), status=Status.CLOSED)
        .select_related("team", "assigned_officer")
        .order_by("closed_at")[:QUEUE_LIMIT]
    )


def feedback_to_request(user: Staff) -> QuerySet[Case]:
    """Closed cases, of those the user works on, where feedback has not yet been asked."""
    if not active_policy().feedback.after_closure:
        return Case.objects.none()
    asked = FeedbackRequest.objects.filter(
        case=OuterRef("pk"), requested_at__gte=OuterRef("closed_at")
    )
    return (
        access.cases_visible_to(user)
        .filter(access.named_on_case(user), status=Status.CLOSED)
        .exclude(Exists(asked))
        .select_related("team", "assigned_officer")
        .order_by("closed_at")[:QUEUE_LIMIT]
    )


def appeals_to_answer(user: Staff) -> list[Appeal]:
    """Undecided appeals given to this user's role, soonest due first."""
    return list(
        Appeal.objects.filter(
            reviewer_role=user.role,
            case__in=access.cases_visible_to(user),
        )
        .exclude(status=AppealStatus.DECIDED)
        .select_related("case")
        .order_by("due_at")[:QUEUE_LIMIT]
    )


def closure_in(case: Case, status: str) -> ClosureView | None:
    """The case's latest closure in `status` with its sealed details, for the decision and
    evaluation pages. For a case the caller already reached through `access.case_for`."""
    closure = (
        Closure.objects.filter(case=case, status=status)
        .select_related("requested_by", "decided_by", "evaluated_by")
        .order_by("-requested_at")
        .first()
    )
    return None if closure is None else ClosureView(closure, sealing.unseal(case.data_key, closure))


@dataclass(frozen=True)
class AppealDetail:
    """One appeal's page: the appeal with its sealed grounds and reasons, and the stage 2
    appeal it was escalated to, if any."""

    view: AppealView
    escalated_to: Appeal | None


def appeal_detail(user: Staff, appeal_id: str) -> AppealDetail:
    """404 unless the appeal is on a case the user may see (as `appeal_for`)."""
    appeal = appeal_for(user, appeal_id)
    details = sealing.unseal(appeal.case.data_key, appeal)
    later = Appeal.objects.filter(escalated_from=appeal).first()
    return AppealDetail(AppealView(appeal, details), later)
