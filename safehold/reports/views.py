"""The reporting dashboard and its exports: thin views over reports.services."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.selectors import signed_in_staff
from safehold.errors import Refusal
from safehold.policy.loader import active_policy
from safehold.reports import exports, services
from safehold.reports.forms import ReportForm
from safehold.reports.kept import opening_question, report_for_page
from safehold.reports.pages import dashboard
from safehold.reports.period import Period, period_of
from safehold.reports.scope import PROVIDER_ROLES, Scope, may_see_reports, scope_for

FORM_FIELD = {"from": "start", "to": "end", "team": "team"}


def reporter(request: HttpRequest) -> Staff:
    user = signed_in_staff(request)
    if not may_see_reports(user):
        raise PermissionDenied
    return user


def asked_for(
    request: HttpRequest, user: Staff
) -> tuple[ReportForm, Period | None, Scope | None, bool]:
    """The form, and the period and scope it asks for when they are valid."""
    provider_wide = user.role in PROVIDER_ROLES
    today = timezone.localdate()
    if "start_0" not in request.GET:
        # small counts hidden unless the reader unticks the box (issue 17 §2)
        period, scope, suppress = opening_question(user, today)
        initial = {"start": period.start, "end": period.end, "suppress": suppress}
        return ReportForm(initial=initial, teams=provider_wide), period, scope, suppress
    form = ReportForm(request.GET, teams=provider_wide)
    if not form.is_valid():
        return form, None, None, False
    data = form.cleaned_data
    try:
        period = period_of(data["start"], data["end"], today=today)
        reach = scope_for(user, data.get("team") or "")
    except Refusal as refusal:
        form.add_error(FORM_FIELD.get(refusal.field or ""), refusal.message)
        return form, None, None, False
    return form, period, reach, data["suppress"]


def query_of(period: Period, reach: Scope) -> str:
    params: dict[str, Any] = {}
    for name, day in (("start", period.start), ("end", period.end)):
        params |= {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}
    if reach.team:
        params["team"] = reach.team.name
    return urlencode(params)


def report_page(request: HttpRequest) -> HttpResponse:
    user = reporter(request)
    form, period, reach, suppress = asked_for(request, user)
    context: dict[str, Any] = {"form": form, "nav": "reports", "policy": active_policy()}
    if period is None or reach is None:
        return render(request, "reports/report.html", context, status=422)
    figures = report_for_page(
        by=user, period=period, scope=reach, suppress=suppress, recount="recount" in request.GET
    )
    again = request.GET.copy()
    again["recount"] = "1"
    context |= {
        "board": dashboard(figures.current, figures.previous, active_policy()),
        "counted_at": figures.counted_at,
        "kept": figures.kept,
        "recount_query": again.urlencode(),
        "period": period,
        "previous_period": period.previous(),
        "scope": reach,
        "query": query_of(period, reach),
    }
    return render(request, "reports/report.html", context)


def export(request: HttpRequest, form_name: str) -> HttpResponse:
    """CSV, XLSX or the board report PDF: always suppressed, always audited."""
    user = reporter(request)
    form, period, reach, _ = asked_for(request, user)
    if period is None or reach is None:
        return render(request, "reports/report.html", {"form": form, "nav": "reports"}, status=422)
    current, previous = services.report_with_previous(
        by=user, period=period, scope=reach, form=form_name, suppress=True
    )
    policy = active_policy()
    name = f"monitoring-{period.start}-{period.end}"
    if form_name == "csv":
        body, kind = exports.as_csv(current, previous, policy), "text/csv; charset=utf-8"
    elif form_name == "xlsx":
        body = exports.as_xlsx(current, previous, policy)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        context = {
            "board": dashboard(current, previous, policy),
            "period": period,
            "previous_period": period.previous(),
            "scope": reach,
            "policy": policy,
            "made_at": timezone.localtime(),
            "made_by": user,
        }
        body, kind, name = (
            exports.as_board_pdf(context),
            "application/pdf",
            f"board-report-{period.start}-{period.end}",
        )
        form_name = "pdf"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}.{form_name}"'
    return response


def export_csv(request: HttpRequest) -> HttpResponse:
    return export(request, "csv")


def export_xlsx(request: HttpRequest) -> HttpResponse:
    return export(request, "xlsx")


def export_board(request: HttpRequest) -> HttpResponse:
    return export(request, "board")
