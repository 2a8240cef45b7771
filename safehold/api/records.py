"""Subject access requests and legal holds (issue 7): thin handlers over
records.services and records.selectors.

| method and path                                         | what                          |
| ------------------------------------------------------- | ----------------------------- |
| POST /cases/{case_id}/subject-access-requests           | log a request (201)           |
| GET  /cases/{case_id}/subject-access-requests           | a case's requests             |
| GET  /subject-access-requests/{id}                      | a request, its cases, review  |
| POST /subject-access-requests/{id}/verification         | record the identity check     |
| POST /subject-access-requests/{id}/cases                | confirm the cases it covers   |
| POST /subject-access-requests/{id}/review               | record the review             |
| POST /subject-access-requests/{id}/release              | release it (a disclosure)     |
| GET  /subject-access-requests/{id}/export?format=json   | the export, JSON or PDF       |
| POST /subject-access-requests/{id}/complete             | mark it answered (released)   |
| POST /subject-access-requests/{id}/close                | end it without releasing      |
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
from safehold.records.export import export_file_name
from safehold.records.models import (
    LegalHold,
    ReleaseChannel,
    SubjectAccessRequest,
    VerificationMethod,
)

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
    logged_by: str
    verified_at: datetime | None
    verified_by: str | None
    verification_method: str | None
    included_cases: list[str] = Field(
        description="The cases confirmed for the export: the case it was made on and each "
        "other case the handler confirmed"
    )
    reviewed_at: datetime | None
    reviewed_by: str | None
    released_at: datetime | None
    released_by: str | None
    release_channel: str | None
    exported_at: datetime | None
    completed_at: datetime | None


class VerificationIn(Strict):
    method: Literal["photo_id_in_person", "safe_phone_call_back", "known_in_person", "other"] = (
        Field(description="; ".join(f"{m.value}: {m.label}" for m in VerificationMethod))
    )
    notes: Notes = ""


class CasesIn(Strict):
    cases: list[Annotated[str, StringConstraints(max_length=32)]] = Field(
        max_length=200,
        description="Every case to include besides the one the request was made on, each "
        "from the request's `candidates`",
    )


class CloseIn(Strict):
    reason: Reason


class ReleaseIn(Strict):
    channel: Literal["email", "post"] = Field(
        description="; ".join(f"{c.value}: {c.label}" for c in ReleaseChannel)
    )


class CandidateOut(Schema):
    id: str
    reference: str
    reported_at: datetime
    team: str
    request_made_on_this_case: bool
    included: bool
    contact_details_match: bool | None = Field(
        description="For the survivor: whether this case has her phone, email or address "
        "as on the case the request was made on; null for that case"
    )


class ReviewItemOut(Schema):
    case: str
    where: str
    what: str
    words: list[str]


class SubjectAccessDetailOut(SubjectAccessOut):
    candidates: list[CandidateOut] | None = Field(
        description="The cases that may be included; null until the identity is checked"
    )
    review: list[ReviewItemOut] | None = Field(
        description="What must be looked at before release; null until cases are confirmed"
    )


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


def username(staff: Any) -> str | None:
    return staff.username if staff else None


def request_out(request: SubjectAccessRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "case": request.case_id,
        "subject": request.subject,
        "person_id": request.person_id,
        "received_at": utc(request.received_at),
        "due_at": request.due_at,
        "logged_by": request.logged_by.username,
        "verified_at": utc(request.verified_at),
        "verified_by": username(request.verified_by),
        "verification_method": request.verification_method or None,
        "included_cases": sorted(row.case_id for row in request.included.all()),
        "reviewed_at": utc(request.reviewed_at),
        "reviewed_by": username(request.reviewed_by),
        "released_at": utc(request.released_at),
        "released_by": username(request.released_by),
        "release_channel": request.release_channel or None,
        "exported_at": utc(request.exported_at),
        "completed_at": utc(request.completed_at),
    }


def detail_out(detail: selectors.RequestDetail) -> dict[str, Any]:
    listed = detail.candidates
    return {
        **request_out(detail.request),
        "candidates": None
        if listed is None
        else [
            {
                "id": c.case.pk,
                "reference": c.case.reference,
                "reported_at": utc(c.case.reported_at),
                "team": c.case.team.name,
                "request_made_on_this_case": c.request_made_on_this_case,
                "included": c.included,
                "contact_details_match": c.contact_details_match,
            }
            for c in listed
        ],
        "review": None if detail.review is None else [i.as_dict() for i in detail.review],
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


def fresh(request: HttpRequest, request_id: str) -> dict[str, Any]:
    return request_out(selectors.subject_access_for(staff(request), request_id))


@router.get(
    "/subject-access-requests/{request_id}",
    response={200: SubjectAccessDetailOut, **problems(403)},
    summary="A request: who checked the requester's identity, the cases it may cover and "
    "what must be reviewed before release; audited as a read",
)
def subject_access_detail(request: HttpRequest, request_id: str) -> dict[str, Any]:
    user = staff(request)
    if not rules.may_handle_subject_access(user):
        raise rules.subject_access_refusal()
    return detail_out(selectors.subject_access_detail(user, request_id, via="api"))


@router.post(
    "/subject-access-requests/{request_id}/verification",
    response={200: SubjectAccessOut, **problems(403, 409, 422)},
    summary="Record how the requester's identity was checked, by someone other than the "
    "person who logged the request; nothing is gathered before this",
)
def subject_access_verify(
    request: HttpRequest, request_id: str, body: VerificationIn
) -> dict[str, Any]:
    sar = handled(request, request_id)
    services.subject_access_verify(
        request=sar, by=staff(request), method=body.method, notes=body.notes
    )
    return fresh(request, request_id)


@router.post(
    "/subject-access-requests/{request_id}/cases",
    response={200: SubjectAccessOut, **problems(403, 409, 422)},
    summary="Confirm, one by one, the cases the export covers besides the one the request "
    "was made on",
)
def subject_access_cases(request: HttpRequest, request_id: str, body: CasesIn) -> dict[str, Any]:
    sar = handled(request, request_id)
    services.subject_access_cases_confirm(request=sar, by=staff(request), case_ids=body.cases)
    return fresh(request, request_id)


@router.post(
    "/subject-access-requests/{request_id}/review",
    response={200: SubjectAccessOut, **problems(403, 409)},
    summary="Record that what could not be redacted automatically, and what was withheld, "
    "has been reviewed",
)
def subject_access_review(request: HttpRequest, request_id: str) -> dict[str, Any]:
    sar = handled(request, request_id)
    services.subject_access_review(request=sar, by=staff(request))
    return fresh(request, request_id)


@router.post(
    "/subject-access-requests/{request_id}/release",
    response={200: SubjectAccessOut, **problems(403, 409, 422)},
    summary="Release the reviewed export by a channel the requester gave as safe on the "
    "case: a disclosure, audited on every case it holds; each case's officer is told",
)
def subject_access_release(
    request: HttpRequest, request_id: str, body: ReleaseIn
) -> dict[str, Any]:
    sar = handled(request, request_id)
    services.subject_access_release(request=sar, by=staff(request), channel=body.channel)
    return fresh(request, request_id)


@router.get(
    "/subject-access-requests/{request_id}/export",
    summary="Everything held about the person who asked in the confirmed cases, as JSON or "
    "PDF; refused until the identity is checked and the cases confirmed; audited",
    response={200: None, **problems(403, 409)},
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
    name = export_file_name(sar, query.format)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@router.post(
    "/subject-access-requests/{request_id}/complete",
    response={200: SubjectAccessOut, **problems(403, 409)},
    summary="Mark a request answered, once its export has been released",
)
def subject_access_complete(request: HttpRequest, request_id: str) -> dict[str, Any]:
    sar = handled(request, request_id)
    services.subject_access_complete(request=sar, by=staff(request))
    return fresh(request, request_id)


@router.post(
    "/subject-access-requests/{request_id}/close",
    response={200: SubjectAccessOut, **problems(403, 409, 422)},
    summary="End a request without releasing anything (identity not confirmed, withdrawn or "
    "refused), with the reason",
)
def subject_access_close(request: HttpRequest, request_id: str, body: CloseIn) -> dict[str, Any]:
    sar = handled(request, request_id)
    services.subject_access_close(request=sar, by=staff(request), reason=body.reason)
    return fresh(request, request_id)


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
