"""Kept figures: the monitoring report page shows the figures last counted for the same
reader and question, saying when they were counted, instead of counting a year of cases
on every visit (issue 19, "Counts ... are kept").

Counting reads every case of the period and the period before: at a million cases the
whole provider's last twelve months took 6.6 seconds on this machine's PostgreSQL, and
it grows with the provider. So:

- the page shows kept figures when the same reader asked the same question (period,
  scope, small counts hidden or not) less than KEPT_FOR ago, standing where they stood
  then (the same role and team) under the same policy; it says when they were counted and
  offers "Count again now", which counts afresh (`recount`);
- otherwise it counts, shows, and keeps what it counted;
- the nightly run (reports/tasks.py) counts every reader's opening question (the last
  twelve months, their own scope, small counts hidden) at 03:00 London time, after the
  retention run, so the page people open first is ready in the morning;
- downloads (CSV, spreadsheet, board PDF) and the API always count afresh: what leaves
  Safehold is counted when it leaves.

Kept figures are one reader's own: no reader is ever shown figures counted for another,
so neither the figures nor how fast they come tell anything about what someone else
asked or may see. Every view is audited as before (`report.viewed`), with `counted_at`
when the figures shown were kept. Rows hold counts only and are removed by the nightly
run once older than KEPT_FOR (and with their reader's account)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.policy.clock import LONDON
from safehold.policy.loader import active_policy
from safehold.reports import services
from safehold.reports.forms import last_twelve_months
from safehold.reports.models import KeptReport
from safehold.reports.period import Period
from safehold.reports.scope import PROVIDER_ROLES, Scope, scope_for

# not-policy: Safehold's default, no seed says how fresh a monitoring report must be: a
# day, as the nightly run counts them again each night.
KEPT_FOR = timedelta(days=1)


@dataclass(frozen=True)
class Figures:
    current: dict[str, Any]
    previous: dict[str, Any]
    counted_at: datetime
    kept: bool  # True: counted before this visit, at counted_at


def scope_key(scope: Scope) -> str:
    return str(scope.team.pk) if scope.team else "provider"


def standing_of(reader: Staff) -> str:
    """What the figures counted for `reader` depend on besides the question."""
    return f"{reader.role}:{reader.team_id or ''}:{active_policy().version}"


def question_of(reader: Staff, period: Period, scope: Scope, suppress: bool) -> dict[str, Any]:
    return {
        "reader": reader,
        "scope": scope_key(scope),
        "start": period.start,
        "end": period.end,
        "suppress": suppress,
    }


def report_for_page(
    *, by: Staff, period: Period, scope: Scope, suppress: bool, recount: bool = False
) -> Figures:
    """The figures the report page shows `by`: kept ones when there are, else counted now
    and kept. Audited either way."""
    now = timezone.now()
    question = question_of(by, period, scope, suppress)
    kept = (
        None
        if recount
        else KeptReport.objects.filter(
            **question, standing=standing_of(by), counted_at__gt=now - KEPT_FOR
        ).first()
    )
    if kept is not None:
        services.report_record(
            by=by,
            period=period,
            scope=scope,
            form="page",
            suppress=suppress,
            counted_at=kept.counted_at,
        )
        figures = kept.figures
        return Figures(figures["current"], figures["previous"], kept.counted_at, kept=True)
    current, previous = services.report_with_previous(
        by=by, period=period, scope=scope, form="page", suppress=suppress
    )
    keep(question, standing_of(by), current, previous, counted_at=now)
    return Figures(current, previous, now, kept=False)


def keep(
    question: dict[str, Any],
    standing: str,
    current: dict[str, Any],
    previous: dict[str, Any],
    *,
    counted_at: datetime,
) -> None:
    KeptReport.objects.update_or_create(
        **question,
        defaults={
            "standing": standing,
            "figures": {"current": current, "previous": previous},
            "counted_at": counted_at,
        },
    )


def readers() -> QuerySet[Staff]:
    """Everyone who may see figures (reports/scope.py, may_see_reports)."""
    return Staff.objects.filter(is_active=True, role__in=[*PROVIDER_ROLES, Role.MANAGER]).order_by(
        "pk"
    )


def opening_question(reader: Staff, today: date) -> tuple[Period, Scope, bool]:
    """What the report page shows first (reports/views.py, asked_for)."""
    start, end = last_twelve_months(today)
    return Period(start, end), scope_for(reader), True


def keep_for_readers(*, now: datetime | None = None) -> int:
    """The nightly count: every reader's opening question, kept; kept figures older than
    KEPT_FOR removed. Nobody is shown anything, so nothing is audited here: each view of
    these figures is (report_for_page). Returns how many were counted."""
    now = now or timezone.now()
    KeptReport.objects.filter(counted_at__lte=now - KEPT_FOR).delete()
    today = now.astimezone(LONDON).date()
    counted = 0
    for reader in readers().iterator():
        period, scope, suppress = opening_question(reader, today)
        counted_at = timezone.now()
        current, previous = services.counted_with_previous(
            by=reader, period=period, scope=scope, suppress=suppress
        )
        keep(
            question_of(reader, period, scope, suppress),
            standing_of(reader),
            current,
            previous,
            counted_at=counted_at,
        )
        counted += 1
    return counted
