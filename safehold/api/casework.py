"""Consent, referrals and disclosure (API.md §5): thin handlers over casework.services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.errors import ValidationError
from pydantic import ValidationError as PydanticError

from safehold.api.cases import staff, utc
from safehold.api.openapi import file_answer
from safehold.api.schemas import (
    ActionCancelIn,
    ActionCompleteIn,
    ActionIn,
    ActionOut,
    ActionReopenIn,
    ConsentIn,
    ConsentOut,
    DecisionIn,
    DocumentList,
    DocumentOut,
    InterviewIn,
    InterviewList,
    InterviewOut,
    LetterIn,
    ReferralIn,
    ReferralOut,
    ReviewIn,
    ReviewOut,
    problems,
)
from safehold.cases import access
from safehold.cases import selectors as case_selectors
from safehold.casework import interviews, letters, plan, selectors, services
from safehold.casework.models import Action, Document, PerpetratorInterview, Referral

cases_router = Router(tags=["consent and referrals"])
referrals_router = Router(tags=["consent and referrals"])


def referral_out(referral: Referral) -> dict[str, Any]:
    ground = referral.without_consent_ground or None
    view = selectors.disclosure_view(referral)
    case = referral.case
    return {
        "id": referral.pk,
        "case": referral.case_id,
        "agency": referral.agency,
        "status": referral.status,
        "basis": f"without consent: {ground}" if ground else "consent",
        "without_consent_ground": ground,
        "created_at": utc(referral.created_at),
        "sent_at": utc(referral.sent_at),
        "decided_by": referral.decided_by.username if referral.decided_by else None,
        "created_by": referral.created_by.username,
        "ground_words": view.ground_words if ground else None,
        "reason": view.reason,
        "explanation": view.explanation,
        "note": view.note,
        "case_risk_level": case.risk_level,
        "case_status": case.status,
    }


@cases_router.post(
    "/{case_id}/consents",
    response={201: ConsentOut, **problems(422)},
    summary="Record consent (per agency) or the survivor's permission to contact the alleged "
    "perpetrator, given or withdrawn; the latest stands",
)
def consent_create(request: HttpRequest, case_id: str, body: ConsentIn) -> Status[dict[str, Any]]:
    user = staff(request)
    consent = services.consent_record(
        case=access.case_for(user, case_id),
        by=user,
        agency=body.agency,
        purpose=body.purpose,
        given=body.given,
    )
    return Status(
        201,
        {
            "id": consent.pk,
            "agency": consent.agency,
            "purpose": consent.purpose,
            "given": consent.given,
            "recorded_at": utc(consent.recorded_at),
            "recorded_by": user.username,
        },
    )


@cases_router.post(
    "/{case_id}/referrals",
    response={201: ReferralOut, **problems(409, 422)},
    summary="Refer or disclose to an agency: with consent, or on an allowed ground",
)
def referral_create(request: HttpRequest, case_id: str, body: ReferralIn) -> Status[dict[str, Any]]:
    user = staff(request)
    without = body.without_consent
    referral = services.referral_make(
        case=access.case_for(user, case_id),
        by=user,
        agency=body.agency,
        reason=body.reason,
        ground=without.ground if without else "",
        explanation=without.explanation if without else "",
    )
    return Status(201, referral_out(referral))


def decide(
    request: HttpRequest, referral_id: str, body: DecisionIn, *, approve: bool
) -> dict[str, Any]:
    user = staff(request)
    if not services.may_approve(user):  # a role that may never approve: 403, before any lookup
        raise services.not_an_approver()
    referral = selectors.referral_for_decision(user, referral_id)
    decided = services.referral_decide(referral=referral, by=user, approve=approve, note=body.note)
    return referral_out(decided)


@referrals_router.get(
    "/{referral_id}",
    response={200: ReferralOut},
    summary="A referral, with what an approver reads before deciding; the read of a "
    "restricted case by its approver is audited",
)
def referral_get(request: HttpRequest, referral_id: str) -> dict[str, Any]:
    return referral_out(selectors.referral_for_decision(staff(request), referral_id))


@referrals_router.post(
    "/{referral_id}/approve",
    response={200: ReferralOut, **problems(403, 409, 422)},
    summary="Approve sharing without consent (the policy's approver roles, never the "
    "person who made the referral), with a note saying why",
)
def referral_approve(request: HttpRequest, referral_id: str, body: DecisionIn) -> dict[str, Any]:
    return decide(request, referral_id, body, approve=True)


@referrals_router.post(
    "/{referral_id}/reject",
    response={200: ReferralOut, **problems(403, 409)},
    summary="Refuse sharing without consent (the policy's approver roles, never the person "
    "who made the referral)",
)
def referral_reject(request: HttpRequest, referral_id: str, body: DecisionIn) -> dict[str, Any]:
    return decide(request, referral_id, body, approve=False)


actions_router = Router(tags=["action plan and reviews"])


def action_out(action: Action) -> dict[str, Any]:
    return {
        "id": action.pk,
        "case": action.case_id,
        "kind": action.kind,
        "measure": action.measure,
        "option": action.option,
        "status": action.status,
        "due_at": utc(action.due_at),
        "agreed_with_survivor": action.agreed_with_survivor,
        "recharge": action.recharge,
        "owner": action.owner.username,
        "source": action.source,
        "completed_at": utc(action.completed_at),
        "cancelled_at": utc(action.cancelled_at),
        "cancelled_by": action.cancelled_by.username if action.cancelled_by else None,
        "cancel_reason": selectors.cancel_reason(action),
        "outcome": selectors.outcome(action),
        "reopened_at": utc(action.reopened_at),
        "reopened_by": action.reopened_by.username if action.reopened_by else None,
    }


@cases_router.post(
    "/{case_id}/actions",
    response={201: ActionOut, **problems(409, 422)},
    summary="Add an action to the plan agreed with the survivor",
)
def action_create(request: HttpRequest, case_id: str, body: ActionIn) -> Status[dict[str, Any]]:
    user = staff(request)
    action = plan.action_add(case=access.case_for(user, case_id), by=user, **body.model_dump())
    return Status(201, action_out(action))


@actions_router.post(
    "/{action_id}/complete",
    response={200: ActionOut, **problems(409)},
    summary="Mark an action done, with its outcome (optional; the body may be left out)",
    openapi_extra={
        "requestBody": {
            "required": False,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ActionCompleteIn"}}
            },
        }
    },
)
def action_complete(request: HttpRequest, action_id: str) -> dict[str, Any]:
    # The body is optional (callers before issue 18 send none), so it is read here.
    body = ActionCompleteIn()
    if request.content_type == "application/json" and request.body.strip():
        try:
            body = ActionCompleteIn.model_validate_json(request.body)
        except PydanticError as error:
            raise ValidationError(
                [
                    {"type": e["type"], "loc": ("body", *e["loc"]), "msg": e["msg"]}
                    for e in error.errors(include_url=False)
                ]
            ) from None
    user = staff(request)
    action = selectors.action_for(user, action_id)
    return action_out(plan.action_complete(action=action, by=user, outcome=body.outcome))


@actions_router.post(
    "/{action_id}/reopen",
    response={200: ActionOut, **problems(409, 422)},
    summary="Reopen an action marked done, with the reason; it counts as open again "
    "(only on an open case)",
)
def action_reopen(request: HttpRequest, action_id: str, body: ActionReopenIn) -> dict[str, Any]:
    user = staff(request)
    action = selectors.action_for(user, action_id)
    return action_out(plan.action_reopen(action=action, by=user, reason=body.reason))


@actions_router.post(
    "/{action_id}/cancel",
    response={200: ActionOut, **problems(409, 422)},
    summary="Cancel an action that will not be done, with the reason; it no longer counts as open",
)
def action_cancel(request: HttpRequest, action_id: str, body: ActionCancelIn) -> dict[str, Any]:
    user = staff(request)
    action = selectors.action_for(user, action_id)
    return action_out(plan.action_cancel(action=action, by=user, reason=body.reason))


@cases_router.post(
    "/{case_id}/reviews",
    response={201: ReviewOut, **problems(409, 422)},
    summary="Record an internal review; the next is due after the policy's interval",
)
def review_create(request: HttpRequest, case_id: str, body: ReviewIn) -> Status[dict[str, Any]]:
    user = staff(request)
    review = plan.review_record(
        case=access.case_for(user, case_id),
        by=user,
        at=body.at,
        notes=body.notes,
        survivor_views=body.survivor_views,
        risk_change=body.risk_change,
        action_progress=body.action_progress,
        next_review_on=body.next_review_on,
    )
    case = access.case_for(user, case_id)
    return Status(
        201,
        {
            "id": review.pk,
            "case": case.pk,
            "at": utc(review.at),
            "next_review_due_at": utc(case_selectors.next_review_due_at(case)),
            "next_review_on": review.next_review_on,
            "risk_change": review.risk_change,
            "survivor_views": body.survivor_views,
            "action_progress": {k: v.strip() for k, v in body.action_progress.items() if v.strip()},
        },
    )


documents_router = Router(tags=["letters and documents"])


def document_out(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "kind": document.kind,
        "recipient": document.recipient,
        "agency": document.agency,
        "alleged_perpetrator": document.person_id,
        "reference": document.reference,
        "channel": document.channel,
        "created_at": utc(document.created_at),
    }


@cases_router.post(
    "/{case_id}/letters",
    response={201: DocumentOut, **problems(409, 422)},
    summary="Write a letter as a PDF: to the survivor only by a safe channel, to an agency "
    "only on a disclosure basis, to an alleged perpetrator only with the survivor's permission "
    "and, by post, only to his address on record (422 address_required)",
)
def letter_create(request: HttpRequest, case_id: str, body: LetterIn) -> Status[dict[str, Any]]:
    user = staff(request)
    document = letters.letter_create(
        case=access.case_for(user, case_id), by=user, **body.model_dump()
    )
    return Status(201, document_out(document))


@cases_router.get("/{case_id}/documents", response=DocumentList, summary="A case's documents")
def document_list(request: HttpRequest, case_id: str) -> dict[str, Any]:
    user = staff(request)
    case = access.case_for(user, case_id)
    return {"items": [document_out(d) for d in selectors.documents_of(case)]}


@documents_router.get(
    "/{document_id}",
    summary="The PDF of a document; the read is audited",
    openapi_extra=file_answer("application/pdf"),
)
def document_get(request: HttpRequest, document_id: str) -> HttpResponse:
    user = staff(request)
    document = selectors.document_for(user, document_id)
    response = HttpResponse(letters.document_pdf(document, by=user), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{letters.document_file_name(document)}"'
    )
    return response


def interview_out(interview: PerpetratorInterview) -> dict[str, Any]:
    view = selectors.interview_view(interview)
    return {
        "id": interview.pk,
        "case": interview.case_id,
        "status": interview.status,
        "requested_by": interview.planned_by.username,
        "manager_agreed": interview.manager_agreed.username if interview.manager_agreed else None,
        "survivor_agrees": interview.survivor_agrees,
        "created_at": utc(interview.created_at),
        "decided_by": interview.decided_by.username if interview.decided_by else None,
        "decided_at": utc(interview.decided_at),
        "safety_assessment": view.safety_assessment,
        "note": view.note,
    }


@cases_router.post(
    "/{case_id}/perpetrator-interviews",
    response={201: InterviewOut, **problems(409, 422)},
    summary="Ask to interview the alleged perpetrator, under the policy's conditions; it "
    "waits for a manager of the case's team where the policy wants their agreement",
)
def interview_create(
    request: HttpRequest, case_id: str, body: InterviewIn
) -> Status[dict[str, Any]]:
    user = staff(request)
    interview = interviews.interview_request(
        case=access.case_for(user, case_id), by=user, **body.model_dump()
    )
    return Status(201, interview_out(interview))


@cases_router.get(
    "/{case_id}/perpetrator-interviews",
    response=InterviewList,
    summary="A case's requests to interview the alleged perpetrator, and their answers",
)
def interview_list(request: HttpRequest, case_id: str) -> dict[str, Any]:
    case = access.case_for(staff(request), case_id)
    return {"items": [interview_out(v.interview) for v in selectors.interviews_of(case)]}


interviews_router = Router(tags=["action plan and reviews"])


def interview_decision(
    request: HttpRequest, interview_id: str, body: DecisionIn, *, agree: bool
) -> dict[str, Any]:
    user = staff(request)
    if not access.takes_decision(user, access.Decision.INTERVIEW):  # 403 before any lookup
        raise interviews.not_the_manager_of_any_case()
    interview = selectors.interview_for_decision(user, interview_id)
    decided = interviews.interview_decide(interview=interview, by=user, agree=agree, note=body.note)
    return interview_out(decided)


@interviews_router.post(
    "/{interview_id}/agree",
    response={200: InterviewOut, **problems(403, 409, 422)},
    summary="Agree to an interview with the alleged perpetrator (a manager of the case's "
    "team, never the officer who asked), with a note",
)
def interview_agree(request: HttpRequest, interview_id: str, body: DecisionIn) -> dict[str, Any]:
    return interview_decision(request, interview_id, body, agree=True)


@interviews_router.post(
    "/{interview_id}/decline",
    response={200: InterviewOut, **problems(403, 409, 422)},
    summary="Decline an interview with the alleged perpetrator, with a note saying why",
)
def interview_decline(request: HttpRequest, interview_id: str, body: DecisionIn) -> dict[str, Any]:
    return interview_decision(request, interview_id, body, agree=False)
