"""Producing a report is recorded in the audit log: who asked for which figures, for
which period and scope, and in what form (the figures themselves are not logged).

The figures are read from the reports database (a streaming replica when one is
configured, reports/routers.py), the audit entry written to the main database, and the
report says how far behind the main database its figures are (`read_from`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.policy.loader import active_policy
from safehold.privacy import audit
from safehold.reports.freshness import freshness_of
from safehold.reports.period import Period
from safehold.reports.report import monitoring_report, with_previous
from safehold.reports.routers import reports_database
from safehold.reports.scope import Scope


def report_record(
    *,
    by: Staff,
    period: Period,
    scope: Scope,
    form: str,
    suppress: bool,
    counted_at: datetime | None = None,
) -> None:
    """`counted_at`: when the figures shown were counted, for kept figures (reports/kept.py)."""
    kept = {"counted_at": counted_at.isoformat()} if counted_at else {}
    audit.record(
        actor=by.username,
        action="report.exported" if form != "page" else "report.viewed",
        target_type="report",
        target_id="monitoring",
        detail={
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "team": scope.team.name if scope.team else "",
            "form": form,
            "suppressed": suppress,
            **kept,
        },
    )


def report_produce(
    *, by: Staff, period: Period, scope: Scope, form: str, suppress: bool
) -> dict[str, Any]:
    """The monitoring report for `by`, audited; `form` says how it leaves (api, csv...)."""
    using = reports_database()
    read_from = freshness_of(using).answer()
    report = monitoring_report(
        period=period,
        scope=scope,
        now=timezone.now(),
        policy=active_policy(),
        suppress=suppress,
        reader=by,
        using=using,
    )
    report_record(by=by, period=period, scope=scope, form=form, suppress=suppress)
    return {**report, "read_from": read_from}


def counted_with_previous(
    *, by: Staff, period: Period, scope: Scope, suppress: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    """This period's report and the previous one's for `by`, counted now; not audited
    (report_with_previous is the audited door; the nightly run, reports/kept.py, counts
    for readers who are not looking)."""
    using = reports_database()
    read_from = freshness_of(using).answer()
    current, previous = with_previous(
        period=period,
        scope=scope,
        now=timezone.now(),
        policy=active_policy(),
        suppress=suppress,
        reader=by,
        using=using,
    )
    return {**current, "read_from": read_from}, {**previous, "read_from": read_from}


def report_with_previous(
    *, by: Staff, period: Period, scope: Scope, form: str, suppress: bool
) -> tuple[dict[str, Any], dict[str, Any]]:
    current, previous = counted_with_previous(by=by, period=period, scope=scope, suppress=suppress)
    report_record(by=by, period=period, scope=scope, form=form, suppress=suppress)
    return current, previous
