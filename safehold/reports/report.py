"""The monitoring report as people and integrations get it: figures, compliance, the
period and scope, the previous period for comparison, and a definition for each figure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS

from safehold.accounts.models import Staff
from safehold.policy.schema import Policy
from safehold.reports.compliance import compliance_figures
from safehold.reports.marac_figures import marac_figures
from safehold.reports.monitoring import Window, monitoring_figures
from safehold.reports.period import Period
from safehold.reports.scope import Scope
from safehold.reports.suppression import counts, suppressed
from safehold.reports.unseen import IN_TOTALS, LEFT_OUT, Unseen, counted_in_totals, sees, unseen_in


def monitoring_report(
    *,
    period: Period,
    scope: Scope,
    now: datetime,
    policy: Policy,
    suppress: bool = False,
    reader: Staff | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> dict[str, Any]:
    """The report as `reader` may have it (reports/unseen.py): the cases they may not see
    are in none of its figures but the whole provider's totals over ended quarters. With
    no reader (checks over synthetic data, retention), every case is counted. Every
    figure is read from the database `using` (reports/routers.py), through the same
    conditions on what the reader may see (cases/access.py) wherever it is read."""
    in_totals = counted_in_totals(period, scope, now)
    if reader is None:
        window, unseen = Window(period, scope, now, using=using), Unseen()
    else:
        seen = sees(reader, now)
        unseen = unseen_in(period, scope, seen, using=using)
        window = Window(period, scope, now, seen=seen, unseen=unseen.ids, using=using)
    figures = monitoring_figures(window, policy)
    if in_totals:
        figures["reports"] += unseen.reports
        figures["individuals"] += unseen.survivors
        figures["repeat_reports"] += unseen.repeats
    compliance = compliance_figures(window, policy)
    marac = marac_figures(window)
    if suppress:
        figures = suppressed(figures)
        compliance = counts(compliance)
        marac = counts(marac)
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "team": scope.team.name if scope.team else None,
        "suppressed": suppress,
        "unseen_cases": IN_TOTALS if in_totals else LEFT_OUT,
        **figures,
        "compliance": compliance,
        "marac": marac,
    }


def with_previous(
    *,
    period: Period,
    scope: Scope,
    now: datetime,
    policy: Policy,
    suppress: bool = False,
    reader: Staff | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """This period's report and the one before it, of the same length."""
    current, previous = (
        monitoring_report(
            period=asked,
            scope=scope,
            now=now,
            policy=policy,
            suppress=suppress,
            reader=reader,
            using=using,
        )
        for asked in (period, period.previous())
    )
    return current, previous
