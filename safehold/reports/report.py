"""The monitoring report as people and integrations get it: figures, compliance, the
period and scope, the previous period for comparison, and a definition for each figure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from safehold.policy.schema import Policy
from safehold.reports.compliance import compliance_figures
from safehold.reports.monitoring import Window, monitoring_figures
from safehold.reports.period import Period
from safehold.reports.scope import Scope
from safehold.reports.suppression import counts, suppressed


def monitoring_report(
    *, period: Period, scope: Scope, now: datetime, policy: Policy, suppress: bool = False
) -> dict[str, Any]:
    window = Window(period, scope, now)
    figures = monitoring_figures(window, policy)
    compliance = compliance_figures(window, policy)
    if suppress:
        figures = suppressed(figures)
        compliance = counts(compliance)
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "team": scope.team.name if scope.team else None,
        "suppressed": suppress,
        **figures,
        "compliance": compliance,
    }


def with_previous(
    *, period: Period, scope: Scope, now: datetime, policy: Policy, suppress: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    """This period's report and the one before it, of the same length."""
    current = monitoring_report(
        period=period, scope=scope, now=now, policy=policy, suppress=suppress
    )
    previous = monitoring_report(
        period=period.previous(), scope=scope, now=now, policy=policy, suppress=suppress
    )
    return current, previous
