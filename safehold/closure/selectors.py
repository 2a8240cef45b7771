"""Reads for closure, feedback and appeals: what a case page shows, and the queues of
closures to approve, closed cases to evaluate, feedback to ask for and appeals to
answer. Every queue starts from `cases_visible_to`, so nobody's queue names a case they
may not see, and each is a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from safehold.accounts.models import Staff
from safehold.cases import access, sealing
from safehold.cases.models import Case, CaseTeamMember, Contact, PersonRole, Status
from safehold.casework.models import (
    Action,
    ActionStatus,
    Document,
    LetterKind,
    Recipient,
    Referral,
    ReferralStatus,
)
from safehold.casework.selectors import MARAC
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
from safehold.risk.selectors import latest_assessment, seen_by

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
    """An appeal on a case the user may see, or on a restricted case while it waits for
    the user's answer as the reviewer there (that read audited); 404 otherwise."""
    found = (
        Appeal.objects.select_related("case", "case__data_key", "escalated_from")
        .filter(pk=appeal_id)
        .first()
    )
    if found is None:
        raise Http404("No such appeal")
    waiting = Q(appeals__pk=found.pk, appeals__reviewer_role=user.role) & ~Q(
        appeals__status=AppealStatus.DECIDED
    )
    found.case = access.case_for_decision(
        user, found.case_id, decision=access.Decision.APPEAL, waiting=waiting
    )
    return found


def closure_waiting(*, survivor_agrees: bool | None = None) -> Q:
    """On a case (as a condition on it): a closure waits for approval, with or without
    the survivor's agreement."""
    rows = Closure.objects.filter(case=OuterRef("pk"), status=ClosureStatus.AWAITING_APPROVAL)
    if survivor_agrees is not None:
        rows = rows.filter(survivor_agrees=survivor_agrees)
    return Q(Exists(rows), status=Status.CLOSING)


def evaluation_waiting() -> Q:
    """On a case: its closure waits for the policy's evaluation."""
    rows = Closure.objects.filter(
        case=OuterRef("pk"), status=ClosureStatus.CLOSED, evaluated_at__isnull=True
    )
    return Q(Exists(rows), status=Status.CLOSED)


def closures_to_approve(user: Staff) -> QuerySet[Case]:
    """Cases waiting as `closing` that this user may decide: with the survivor's agreement
    for the approver roles, without it for the override role; restricted cases for the
    roles deciding there; never a closure the user asked for."""
    approve = access.cases_for_decision(user, access.Decision.CLOSURE).filter(
        closure_waiting(survivor_agrees=True)
    )
    override = access.cases_for_decision(user, access.Decision.CLOSURE_OVERRIDE).filter(
        closure_waiting(survivor_agrees=False)
    )
    own = Closure.objects.filter(
        case=OuterRef("pk"), status=ClosureStatus.AWAITING_APPROVAL, requested_by=user
    )
    return (
        Case.objects.filter(Q(pk__in=approve.values("pk")) | Q(pk__in=override.values("pk")))
        .exclude(Exists(own))
        .select_related("team", "assigned_officer")
        .order_by("reported_at")[:QUEUE_LIMIT]
    )


def closures_to_evaluate(user: Staff) -> QuerySet[Case]:
    """Closed cases whose closure the policy's evaluator has not yet evaluated."""
    return (
        access.cases_for_decision(user, access.Decision.EVALUATION)
        .filter(evaluation_waiting())
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
        .filter(named_on_closed(user), status=Status.CLOSED)
        .exclude(Exists(asked))
        .select_related("team", "assigned_officer")
        .order_by("closed_at")[:QUEUE_LIMIT]
    )


# How many cases a person may be named on for their closed cases to be read from their
# own (issue 19); a reading plan, not a policy rule.
NAMED_ON_FEW = 2_000


def named_on_closed(user: Staff) -> Q:
    """The closed cases `user` is named on (as `access.named_on_case` says: their officer
    or on their case team), as the shorter way to read them. Someone named on few (a
    director, a DA lead, a new officer) has their closed cases read from their own
    (the officer's index and the case team's staff, an id list of at most
    NAMED_ON_FEW); someone named on many has the closed cases read in the order they
    were closed (the index on status and closed_at), which finds a page of theirs long
    before the end. Either way the work is bounded by the smaller, never every closed case of the
    provider for a person named on none (issue 19: a director's feedback queue read all
    94,000 closed cases at 100,000). Two counts that stop at NAMED_ON_FEW decide."""
    as_officer = Case.objects.filter(assigned_officer=user)
    on_team = CaseTeamMember.objects.filter(staff=user)
    # Counted from the indexes alone (open cases too), each stopping at NAMED_ON_FEW.
    named = as_officer.values("pk")[:NAMED_ON_FEW].count()
    if named < NAMED_ON_FEW and named + on_team[:NAMED_ON_FEW].count() < NAMED_ON_FEW:
        closed = Q(case__status=Status.CLOSED)
        return Q(
            pk__in=as_officer.filter(status=Status.CLOSED)
            .values("pk")
            .union(on_team.filter(closed).values("case_id"))
        )
    return Q(assigned_officer=user) | Q(pk__in=on_team.values("case_id"))


def appeals_waiting(user: Staff) -> QuerySet[Appeal]:
    """Undecided appeals given to this user's role, soonest due first, unread: the
    queue page reads one page of them and the home page counts them, each stopping
    where it needs (issue 19)."""
    return (
        Appeal.objects.filter(
            access.on_one_of(access.cases_for_decision(user, access.Decision.APPEAL)),
            reviewer_role=user.role,
        )
        .exclude(status=AppealStatus.DECIDED)
        .select_related("case")
        .order_by("due_at", "id")
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


@dataclass(frozen=True)
class ClosingPicture:
    """What someone asking for or approving a closure sees beside the decision: the risk
    and when it was assessed, MARAC, what is still open, and the last contact."""

    risk_level: str
    assessed_at: datetime | None
    marac_recommended: bool
    marac_referrals: list[Referral]
    referrals_waiting: list[Referral]
    open_actions: list[Action]
    last_contact: Contact | None


def closing_picture(case: Case, user: Staff) -> ClosingPicture:
    """For a case reached through `access.case_for` or `access.case_for_decision`, as
    `user` may be told it (a MARAC recommendation resting only on a referral she may not
    see is not hers to read: risk.selectors.seen_by)."""
    latest = latest_assessment(case)
    seen_by(user, [latest])
    referrals = list(
        Referral.objects.filter(case=case).select_related("created_by").order_by("-created_at")
    )
    return ClosingPicture(
        risk_level=case.get_risk_level_display() if case.risk_level else "Not yet assessed",
        assessed_at=latest.completed_at if latest else None,
        marac_recommended=bool(latest and latest.marac_referral_recommended),
        marac_referrals=[
            r for r in referrals if r.agency == MARAC and r.status != ReferralStatus.REJECTED
        ],
        referrals_waiting=[r for r in referrals if r.status == ReferralStatus.AWAITING_APPROVAL],
        open_actions=list(
            Action.objects.filter(case=case, status=ActionStatus.OPEN).order_by("due_at")
        ),
        last_contact=Contact.objects.filter(case=case).order_by("-at").first(),
    )


def case_for_closure_decision(user: Staff, case_id: str) -> Case:
    """The case whose waiting closure the user decides on (`access.case_for_decision`):
    one the survivor agreed to for the approver roles, one without her agreement for the
    override role."""
    try:
        return access.case_for_decision(
            user,
            case_id,
            decision=access.Decision.CLOSURE,
            waiting=closure_waiting(survivor_agrees=True),
        )
    except Http404:
        return access.case_for_decision(
            user,
            case_id,
            decision=access.Decision.CLOSURE_OVERRIDE,
            waiting=closure_waiting(survivor_agrees=False),
        )


def case_for_evaluation(user: Staff, case_id: str) -> Case:
    """The closed case whose closure the user evaluates (`access.case_for_decision`)."""
    return access.case_for_decision(
        user, case_id, decision=access.Decision.EVALUATION, waiting=evaluation_waiting()
    )
