"""`GET /api/v1/reports/monitoring` (API.md §5 "Audit and reports")."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from safehold.api.cases import staff
from safehold.api.schemas import problems
from safehold.policy.clock import LONDON
from safehold.reports import period, scope, services

router = Router(tags=["reports"])


class MonitoringQuery(Schema):
    from_: str = Field("", alias="from", description="First day, YYYY-MM-DD (London)")
    to: str = Field("", description="Last day, YYYY-MM-DD, inclusive")
    suppress: bool = Field(
        True,
        description='Replace counts of 1 to 4 in breakdowns by "<5" (the default); '
        "suppress=false gives them exactly. Either way, cases the caller may not see are "
        "counted only in the whole provider's totals over whole quarters (docs/reports.md)",
    )
    team: str = Field("", description="A team's name; the whole provider when left out")


@router.get(
    "/monitoring",
    response={200: dict[str, Any], **problems(403, 422)},
    summary="The monitoring figures for a period (director, DA lead, auditor; manager: own team)",
)
def monitoring(request: HttpRequest, query: Query[MonitoringQuery]) -> dict[str, Any]:
    user = staff(request)
    reach = scope.scope_for(user, query.team)
    today = timezone.now().astimezone(LONDON).date()
    asked = period.period_parse(query.from_, query.to, today=today)
    return services.report_produce(
        by=user, period=asked, scope=reach, form="api", suppress=query.suppress
    )
