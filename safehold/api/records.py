"""Subject access requests and legal holds (issue 7): thin handlers over
records.services and records.selectors.

| method and path                                         | what                          |
| ------------------------------------------------------- | ----------------------------- |
| POST /cases/{case_id}/subject-access-requests           | log a request (201)           |
| GET  /cases/{case_id}/subject-access-requests           | a case's requests             |
| GET  /subject-access-requests/{id}/export?format=json   | the export, JSON or PDF       |
| POST /subject-access-requests/{id}/complete             | mark it answered              |
| POST /cases/{case_id}/legal-hold                        | place a legal hold            |
| POST /cases/{case_id}/legal-hold/lift                   | lift it                       |

Lifting is a POST to its own path rather than a DELETE with a body: a body on DELETE
is dropped by some proxies and clients, and the reason for lifting is required.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from safehold.api.cases import staff, utc
from safehold.api.openapi import file_answer
from safehold.api.schemas import Moment, Strict, problems
from safehold.cases import access
from safehold.records import rules, selectors, services
from safehold.records.models import LegalHold, SubjectAccessRequest

router = Router(tags=["subject access and retention"])

Notes = Annotated[str, StringConstraints(max_length=services.MAX_NOTES)]
Reason = Annotated[str, StringConstraints(max_length=5000)]


class SubjectAccessIn(Strict):
    subject: Literal["survivor", "alleged_perpetrator"]
    received_at: Moment
    notes: Notes = ""
    person_id: Annotated[str, StringConstraints(max_length=32)] = Field(
        "", description="Which alleged perpetrator asked, when the case names more than one"
    )


class SubjectAccessOut(Schema):
    id: str
    case: str
    subject: str
    person_id: str
    received_at: datetime
    due_at: date
    exported_at: datetime | None
    completed_at: datetime | None


class SubjectAccessList(Schema):
    items: list[SubjectAccessOut]


class ExportFormat(Schema):
    format: Literal["json", "pdf"] = "json"


class LegalHoldIn(Strict):
    reason: Reason


class LegalHoldOut(Schema):
    case: str
    legal_hold: bool
    id: str
    action: str
    at: datetime
    by: str


def request_out(request: SubjectAccessRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "case": request.case_id,
        "subject": request.subject,
        "person_id": request.person_id,
        "received_at": utc(request.received_at),
        "due_at": request.due_at,
        "exported_at": utc(request.exported_at),
        "completed_at": utc(request.completed_at),
    }


@router.post(
    "/cases/{case_id}/subject-access-requests",
    response={201: SubjectAccessOut, **problems(403, 422)},
    summary="Log a subject access request from the survivor or an alleged perpetrator",
)
def subject_access_create(
    request: HttpRequest, case_id: str, body: SubjectAccessIn
) -> Status[dict[str, Any]]:
    user = staff(request)
    if not rules.may_handle_subject_access(user):  # a role that never may: 403 before lookup
        raise rules.subject_access_refusal()
    logged = services.subject_access_log(
        case=access.case_for(user, case_id),
        by=user,
        person_role=body.subject,
        person_id=body.person_id,
        received_at=body.received_at,
        notes=body.notes,
    )
    return Status(201, request_out(logged))


@router.get(
    "/cases/{case_id}/subject-access-requests",
    response={200: SubjectAccessList, **problems(403)},
    summary="A case's subject access requests, newest first",
)
def subject_access_list(request: HttpRequest, case_id: str) -> dict[str, Any]:
    user = staff(request)
    if not rules.may_handle_subject_access(user):
        raise rules.subject_access_refusal()
    case = access.case_for(user, case_id)
    rules.check_subject_access(user, case)
    return {"items": [request_out(r) for r in selectors.subject_access_of(case)]}


def handled(request: HttpRequest, request_id: str) -> SubjectAccessRequest:
    user = staff(request)
    if not rules.may_handle_subject_access(user):
        raise rules.subject_access_refusal()
    return selectors.subject_access_for(user, request_id)


@router.get(
    "/subject-access-requests/{request_id}/export",
    summary="Everything held about the person who asked, as JSON or PDF; audited",
    response={200: None, **problems(403)},
    openapi_extra=file_answer("application/json", "application/pdf"),
)
def subject_access_export(
    request: HttpRequest, request_id: str, query: Query[ExportFormat]
) -> HttpResponse:
    sar = handled(request, request_id)
    document, pdf = services.subject_access_export(request=sar, by=staff(request))
    if query.format == "pdf":
        response = HttpResponse(pdf, content_type="application/pdf")
    else:
        text = json.dumps(document, indent=2, ensure_ascii=False)
        response = HttpResponse(text, content_type="application/json")
    name = f"{sar.case.reference}-subject-access-{sar.pk}.{query.format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/subject-access-requests/{request_id}/complete",
    response={200: SubjectAccessOut, **problems(403, 409)},
    summary="Mark a request answered, once its export has been checked and sent",
)
def subject_access_complete(request: HttpRequest, request_id: str) -> dict[str, Any]:
    sar = handled(request, request_id)
    return request_out(services.subject_access_complete(request=sar, by=staff(request)))


def hold_out(hold: LegalHold, *, held: bool) -> dict[str, Any]:
    return {
        "case": hold.case_id,
        "legal_hold": held,
        "id": hold.pk,
        "action": hold.action,
        "at": hold.at.astimezone(UTC),
        "by": hold.by.username,
    }


@router.post(
    "/cases/{case_id}/legal-hold",
    response={201: LegalHoldOut, **problems(403, 409, 422)},
    summary="Place a legal hold: the case is kept past its retention period (DA lead, director)",
)
def legal_hold_place(
    request: HttpRequest, case_id: str, body: LegalHoldIn
) -> Status[dict[str, Any]]:
    user = staff(request)
    rules.check_may_hold(user)
    hold = services.legal_hold_place(
        case=access.case_for(user, case_id), by=user, reason=body.reason
    )
    return Status(201, hold_out(hold, held=True))


@router.post(
    "/cases/{case_id}/legal-hold/lift",
    response={200: LegalHoldOut, **problems(403, 409, 422)},
    summary="Lift a legal hold, with the reason (DA lead, director)",
)
def legal_hold_lift(request: HttpRequest, case_id: str, body: LegalHoldIn) -> dict[str, Any]:
    user = staff(request)
    rules.check_may_hold(user)
    hold = services.legal_hold_lift(
        case=access.case_for(user, case_id), by=user, reason=body.reason
    )
    return hold_out(hold, held=False)
