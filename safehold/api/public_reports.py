"""Triage of reports sent through the public page (docs/public-pages.md): the caller's
triage queue, and the three ways triage ends a report. The same services as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import StringConstraints

from safehold.api.cases import staff, utc
from safehold.api.schemas import Strict, problems
from safehold.public import selectors, services
from safehold.public.models import PublicReport

router = Router(tags=["public reports"])


class PublicReportOut(Schema):
    id: str
    case: str
    reference: str
    team: str
    sent_at: datetime
    response_due_at: datetime
    relation: str
    anonymous: bool
    danger_now: str
    children_in_home: str
    routed: bool
    triage: str


class PublicReportsOut(Schema):
    items: list[PublicReportOut]


class AssignIn(Strict):
    officer: Annotated[str, StringConstraints(min_length=1, max_length=150)]


class MergeIn(Strict):
    case: Annotated[str, StringConstraints(min_length=1, max_length=40)]


class NoActionIn(Strict):
    reason: Annotated[str, StringConstraints(max_length=2000)]


def report_out(report: PublicReport) -> dict[str, Any]:
    case = report.case
    return {
        "id": report.pk,
        "case": case.pk,
        "reference": case.reference,
        "team": case.team.name,
        "sent_at": utc(report.sent_at),
        "response_due_at": utc(case.response_due_at),
        "relation": report.relation,
        "anonymous": report.anonymous,
        "danger_now": report.danger_now,
        "children_in_home": report.children_in_home,
        "routed": report.routed,
        "triage": report.triage,
    }


@router.get("", response=PublicReportsOut, summary="Reports from the public page to triage")
def public_reports(request: HttpRequest) -> dict[str, Any]:
    rows = selectors.triage_queue(staff(request))[:200]
    return {"items": [report_out(report) for report in rows]}


@router.post(
    "/{report_id}/assign",
    response={200: PublicReportOut, **problems(403, 409, 422)},
    summary="Triage: assign the report's case to an officer",
)
def assign(request: HttpRequest, report_id: str, body: AssignIn) -> dict[str, Any]:
    report = services.triage_assign(
        report_id=report_id, officer=body.officer, by=staff(request), now=timezone.now()
    )
    return report_out(report)


@router.post(
    "/{report_id}/merge",
    response={200: PublicReportOut, **problems(409, 422)},
    summary="Triage: add the report to an open case of the same survivor",
)
def merge(request: HttpRequest, report_id: str, body: MergeIn) -> dict[str, Any]:
    report = services.triage_merge(
        report_id=report_id, into=body.case, by=staff(request), now=timezone.now()
    )
    return report_out(report)


@router.post(
    "/{report_id}/no-action",
    response={200: PublicReportOut, **problems(409, 422)},
    summary="Triage: record why no action follows (closes the report's case)",
)
def no_action(request: HttpRequest, report_id: str, body: NoActionIn) -> dict[str, Any]:
    report = services.triage_no_action(
        report_id=report_id, reason=body.reason, by=staff(request), now=timezone.now()
    )
    return report_out(report)
