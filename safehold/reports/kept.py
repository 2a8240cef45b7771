"""Kept figures: the monitoring report page shows the figures last counted for the same
reader and question, saying when they were counted, instead of counting a year of cases
on every visit (issue 19, "Counts ... are kept").

Counting reads every case of the period and the period before: at a million cases the
whole provider's last twelve months took 6.6 seconds on this machine's PostgreSQL, and
it grows with the provider. So:

- the page shows kept figures when the same reader asked the same question (period,
  scope, small counts hidden or not) less than KEPT_FOR ago, standing where they stood
  then (`standing_of`: the same role and team, the same cases seen beyond the role,
  under the same policy and shape of figures); it says when they were counted and
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
when the figures shown were kept. Rows hold what the page shows (counts, and the names
of the staff who approved referrals) and are removed once older than KEPT_FOR: the
reader's own when they are counted again, everyone's by the nightly run."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases.access import named_case_ids
from safehold.cases.models import BreakGlass, Case
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
# The shape of the figures kept (reports/monitoring.py's answer, as reports/pages.py reads
# it): raise it whenever that shape changes, so rows of the old shape are counted again
# rather than shown (tests/reports/test_kept.py pins the shape against it).
FIGURES = 1

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Figures:
    current: dict[str, Any]
    previous: dict[str, Any]
    counted_at: datetime
    kept: bool  # True: counted before this visit, at counted_at


def scope_key(scope: Scope) -> str:
    return str(scope.team.pk) if scope.team else "provider"


def standing_of(reader: Staff, now: datetime) -> str:
    """What the figures counted for `reader` at `now` depend on besides the question:
    their role and team, the cases they see beyond them (`beyond_role`), the policy and
    the shape of the figures. Kept figures are shown only while it is the same."""
    policy = active_policy().version
    return f"{FIGURES}:{reader.role}:{reader.team_id or ''}:{policy}:{beyond_role(reader, now)}"


def beyond_role(reader: Staff, now: datetime) -> str:
    """A digest of the cases `reader` sees at `now` that their role alone does not give
    them (cases/access.py `by_role`): restricted cases (or, for a manager, another team's)
    they are named on or hold an unexpired break-glass grant for. When a grant expires
    or they are no longer named on such a case, the digest changes and figures counted
    before are not shown: no case is counted to someone who may no longer see it. Read
    from the indexes of the person's own rows; an auditor's figures depend on no case."""
    if reader.role == Role.AUDITOR:
        return ""
    reach = named_case_ids(reader).union(
        BreakGlass.objects.filter(staff=reader, expires_at__gt=now).values("case_id"), all=True
    )
    beyond = Q(restricted=True)
    if reader.role == Role.MANAGER:
        beyond |= ~Q(team_id=reader.team_id)
    ids = Case.objects.filter(beyond, pk__in=reach).order_by("pk").values_list("pk", flat=True)
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:16]


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
    standing = standing_of(by, now)
    kept = (
        None
        if recount
        else KeptReport.objects.filter(
            **question, standing=standing, counted_at__gt=now - KEPT_FOR
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
    KeptReport.objects.filter(reader=by, counted_at__lte=now - KEPT_FOR).delete()
    keep(question, standing, current, previous, counted_at=now)
    return Figures(current, previous, now, kept=False)


def keep(
    question: dict[str, Any],
    standing: str,
    current: dict[str, Any],
    previous: dict[str, Any],
    *,
    counted_at: datetime,
) -> None:
    """Keeps figures counted at `counted_at` unless figures counted later were kept for
    the same question meanwhile (the nightly run and a recount at the same moment: the
    later count stands, whichever finishes first)."""
    kept = {
        "standing": standing,
        "figures": {"current": current, "previous": previous},
        "counted_at": counted_at,
    }
    rows = KeptReport.objects.filter(**question)
    if rows.filter(counted_at__lt=counted_at).update(**kept) or rows.exists():
        return
    try:
        with transaction.atomic():
            KeptReport.objects.create(**question, **kept)
    except IntegrityError:
        pass  # a count of the same moment was kept first


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
        try:
            keep_opening_question(reader, today)
        except Exception:
            # One reader's count failing (the reports database not answering) must not
            # leave everyone after them without: their page counts when they open it.
            logger.exception("The nightly count of the monitoring report failed for one reader")
            continue
        counted += 1
    return counted


def keep_opening_question(reader: Staff, today: date) -> None:
    period, scope, suppress = opening_question(reader, today)
    counted_at = timezone.now()
    standing = standing_of(reader, counted_at)
    current, previous = services.counted_with_previous(
        by=reader, period=period, scope=scope, suppress=suppress
    )
    keep(
        question_of(reader, period, scope, suppress),
        standing,
        current,
        previous,
        counted_at=counted_at,
    )
