"""How well the policy was kept in a period: reviews on time, emergency repairs on time,
disclosures without consent and who approved them, closures with and without the
survivor's agreement, appeals answered on time, and the policy's own review date.

Unlike the monitoring figures, which follow the cases reported in the period, each of
these counts the events that happened in it (a review held, a repair due, a closure),
on cases in the scope; each is an aggregate query."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from safehold.cases.models import Case
from safehold.casework.models import (
    Action,
    ActionKind,
    ActionStatus,
    Referral,
    ReferralStatus,
    Review,
)
from safehold.closure.models import Appeal, Closure
from safehold.policy.schema import Policy
from safehold.reports.monitoring import Window


def in_scope(rows: QuerySet[Any], window: Window) -> QuerySet[Any]:
    """Events on the scope's cases that the reader may see (reports/unseen.py): an event
    on a case they may not see is in no compliance figure, whatever its case's date."""
    if window.scope.team:
        rows = rows.filter(case__team=window.scope.team)
    if window.seen is not None:
        seen = window.rows(Case).filter(window.seen, pk=OuterRef("case_id"))
        rows = rows.filter(Q(case__restricted=False) | Q(Exists(seen)))
    return rows


# (Compliance counts events in the period, whatever their case's report date, so these
# filter on the event's own date, indexed, and on the case's team only.)


def between(field: str, window: Window) -> Q:
    period = window.period
    return Q(**{f"{field}__gte": period.starts_at, f"{field}__lt": period.ends_before})


def compliance_figures(window: Window, policy: Policy) -> dict[str, Any]:
    return {
        "reviews": reviews(window),
        "emergency_repairs": emergency_repairs(window),
        "disclosures_without_consent": disclosures_without_consent(window),
        "closures": closures(window),
        "appeals_answered": appeals_answered(window),
        "policy_review": {
            "review_date": policy.review_date.isoformat(),
            "overdue": policy.review_date < window.now.date(),
        },
    }


def reviews(window: Window) -> dict[str, int]:
    """Reviews held in the period, on time when held by the date they were due."""
    held = in_scope(window.rows(Review).filter(between("at", window)), window)
    return held.aggregate(
        held=Count("id"),
        on_time=Count("id", filter=Q(at__lte=F("due_at"))),
        late=Count("id", filter=Q(at__gt=F("due_at"))),
    )


def emergency_repairs(window: Window) -> dict[str, int]:
    """Emergency repairs due in the period: done by the policy's deadline, done late, not
    done and overdue at the time of the report, or cancelled (not done, and no longer to
    be: not overdue)."""
    due = in_scope(
        window.rows(Action).filter(between("due_at", window), kind=ActionKind.EMERGENCY_REPAIR),
        window,
    )
    now = window.now
    return due.aggregate(
        due=Count("id"),
        on_time=Count("id", filter=Q(completed_at__lte=F("due_at"))),
        late=Count("id", filter=Q(completed_at__gt=F("due_at"))),
        overdue=Count(
            "id",
            filter=Q(completed_at__isnull=True, due_at__lt=now) & ~Q(status=ActionStatus.CANCELLED),
        ),
        cancelled=Count("id", filter=Q(status=ActionStatus.CANCELLED)),
    )


def disclosures_without_consent(window: Window) -> dict[str, Any]:
    """Disclosures asked for without consent in the period, what became of them, and
    who approved those that were sent."""
    asked = in_scope(
        window.rows(Referral)
        .filter(between("created_at", window))
        .exclude(without_consent_ground=""),
        window,
    )
    totals = asked.aggregate(
        asked=Count("id"),
        sent=Count("id", filter=Q(status=ReferralStatus.SENT)),
        rejected=Count("id", filter=Q(status=ReferralStatus.REJECTED)),
        waiting=Count("id", filter=Q(status=ReferralStatus.AWAITING_APPROVAL)),
    )
    approvers = (
        asked.filter(status=ReferralStatus.SENT, decided_by__isnull=False)
        .values("decided_by__full_name", "decided_by__role")
        .annotate(n=Count("id"))
        .order_by("-n", "decided_by__full_name")
    )
    totals["approved_by"] = [
        {"name": row["decided_by__full_name"], "role": row["decided_by__role"], "count": row["n"]}
        for row in approvers
    ]
    return totals


def closures(window: Window) -> dict[str, int]:
    """Cases closed in the period, with and without the survivor's agreement."""
    closed = in_scope(
        window.rows(Closure).filter(between("closed_at", window)).exclude(closed_at__isnull=True),
        window,
    )
    return closed.aggregate(
        closed=Count("id"),
        with_agreement=Count("id", filter=Q(survivor_agrees=True)),
        without_agreement=Count("id", filter=Q(survivor_agrees=False)),
    )


def appeals_answered(window: Window) -> dict[str, int]:
    """Appeal stages received in the period: answered by their due date, answered late,
    or still unanswered."""
    received = in_scope(window.rows(Appeal).filter(between("received_at", window)), window)
    return received.aggregate(
        received=Count("id"),
        answered_on_time=Count("id", filter=Q(decided_at__lte=F("due_at"))),
        answered_late=Count("id", filter=Q(decided_at__gt=F("due_at"))),
        unanswered=Count("id", filter=Q(decided_at__isnull=True)),
    )
