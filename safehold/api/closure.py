"""Closure, feedback and appeals (API.md §5): thin handlers over the closure services."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from safehold.api.cases import outstanding_out, staff, utc
from safehold.api.schemas import (
    AppealDecisionIn,
    AppealEscalationIn,
    AppealIn,
    AppealList,
    AppealOut,
    ClosureIn,
    ClosureOut,
    DecisionIn,
    EvaluationIn,
    FeedbackIn,
    FeedbackOut,
    FeedbackRequestIn,
    FeedbackRequestOut,
    ReopenIn,
    problems,
)
from safehold.cases import access, sealing
from safehold.cases.selectors import viewed_record
from safehold.casework.models import Document, LetterKind
from safehold.closure import appeals, feedback, selectors, services
from safehold.closure.models import Appeal, Closure, ClosureStatus
from safehold.errors import Refusal
from safehold.policy.loader import active_policy

cases_router = Router(tags=["closure, feedback and appeals"])
appeals_router = Router(tags=["closure, feedback and appeals"])


def closure_out(closure: Closure) -> dict[str, Any]:
    case = closure.case
    letters = (
        Document.objects.filter(
            case=case, kind=LetterKind.CLOSURE, created_at__gte=closure.closed_at
        )
        if closure.closed_at
        else Document.objects.none()
    )
    return {
        "id": closure.pk,
        "case": case.pk,
        "status": case.status,
        "closure_status": closure.status,
        "reason": closure.reason,
        "survivor_agrees": closure.survivor_agrees,
        "review_meeting_at": utc(closure.review_meeting_at),
        "requested_at": utc(closure.requested_at),
        "requested_by": closure.requested_by.username,
        "decided_by": closure.decided_by.username if closure.decided_by else None,
        "closed_at": utc(closure.closed_at),
        "letters": list(letters.order_by("created_at", "id").values_list("pk", flat=True)),
        "letters_outstanding": [
            outstanding_out(letter)
            for letter in (
                selectors.letters_outstanding(case)
                if closure.status == ClosureStatus.CLOSED
                else []
            )
        ],
        "evaluation": evaluation_out(closure),
    }


def evaluation_out(closure: Closure) -> dict[str, Any] | None:
    """The evaluation of an evaluated closure, its words unsealed for the caller, who
    reached the case through its door for the action this answers (audited as that)."""
    if closure.evaluated_at is None or closure.evaluated_by is None:
        return None
    details = sealing.unseal(closure.case.data_key, closure)
    return {
        "effectiveness": closure.effectiveness,
        "worked": details.get("worked", ""),
        "did_not_work": details.get("did_not_work", ""),
        "lessons": details.get("lessons", ""),
        "notes": details.get("evaluation", ""),
        "evaluated_by": closure.evaluated_by.username,
        "evaluated_at": utc(closure.evaluated_at),
    }


@cases_router.post(
    "/{case_id}/closure",
    response={201: ClosureOut, **problems(409, 422)},
    summary="Close a case under the policy's rules; it waits as closing where approval is needed",
)
def closure_create(request: HttpRequest, case_id: str, body: ClosureIn) -> Status[dict[str, Any]]:
    user = staff(request)
    closure = services.closure_request(
        case=access.case_for(user, case_id),
        by=user,
        reason=body.reason,
        survivor_agrees=body.survivor_agrees,
        review_meeting_at=body.review_meeting_at,
        explanation=body.explanation,
        override_reason=body.override_reason,
        perpetrator_explanation=body.perpetrator_explanation,
    )
    return Status(201, closure_out(closure))


def check_approver_role(request: HttpRequest) -> Any:
    """A role that may never approve is refused before any lookup (403, not 404)."""
    user = staff(request)
    services.check_approver(active_policy(), user)
    return user


@cases_router.post(
    "/{case_id}/closure/approve",
    response={200: ClosureOut, **problems(403, 409, 422)},
    summary="Approve a closure waiting as closing (the policy's approver roles; without the "
    "survivor's agreement its override role, with a note); never the person who asked",
)
def closure_approve(
    request: HttpRequest, case_id: str, body: DecisionIn | None = None
) -> dict[str, Any]:
    user = check_approver_role(request)
    closure = services.closure_approve(
        case=selectors.case_for_closure_decision(user, case_id),
        by=user,
        note=body.note if body else "",
    )
    return closure_out(closure)


@cases_router.post(
    "/{case_id}/closure/decline",
    response={200: ClosureOut, **problems(403, 409, 422)},
    summary="Decline a closure: the case stays open (the policy's approver roles; never the "
    "person who asked)",
)
def closure_decline(request: HttpRequest, case_id: str, body: DecisionIn) -> dict[str, Any]:
    user = check_approver_role(request)
    closure = services.closure_decline(
        case=selectors.case_for_closure_decision(user, case_id), by=user, note=body.note
    )
    return closure_out(closure)


@cases_router.post(
    "/{case_id}/closure/evaluation",
    response={200: ClosureOut, **problems(403, 409, 422)},
    summary="Record the post-closure evaluation (the policy's evaluation role): how "
    "effective the work was, what worked, what did not, what to do differently, notes",
)
def closure_evaluation(request: HttpRequest, case_id: str, body: EvaluationIn) -> dict[str, Any]:
    user = staff(request)
    services.check_evaluator(user)  # a role that evaluates nothing: 403, before any lookup
    closure = services.closure_evaluate(
        case=selectors.case_for_evaluation(user, case_id),
        by=user,
        effectiveness=body.effectiveness,
        worked=body.worked,
        did_not_work=body.did_not_work,
        lessons=body.lessons,
        notes=body.notes,
    )
    return closure_out(closure)


@cases_router.post(
    "/{case_id}/reopen",
    response={200: ClosureOut, **problems(403, 409, 422)},
    summary="Reopen a closed case (manager, director or DA lead), saying why",
)
def case_reopen(request: HttpRequest, case_id: str, body: ReopenIn) -> dict[str, Any]:
    user = staff(request)
    if user.role not in services.REOPEN_ROLES:
        raise Refusal("may_not_reopen", "Only a manager, director or DA lead reopens", status=403)
    closure = services.case_reopen(case=access.case_for(user, case_id), by=user, reason=body.reason)
    return closure_out(closure)


@cases_router.post(
    "/{case_id}/feedback",
    response={201: FeedbackOut, **problems(409, 422)},
    summary="Record the survivor's feedback, a complaint or praise, after closure",
)
def feedback_create(request: HttpRequest, case_id: str, body: FeedbackIn) -> Status[dict[str, Any]]:
    user = staff(request)
    given = feedback.feedback_record(
        case=access.case_for(user, case_id),
        by=user,
        satisfaction=body.satisfaction,
        comments=body.comments,
        kind=body.kind,
    )
    return Status(
        201,
        {
            "id": given.pk,
            "case": given.case_id,
            "kind": given.kind,
            "satisfaction": given.satisfaction,
            "recorded_at": utc(given.recorded_at),
            "recorded_by": user.username,
        },
    )


@cases_router.post(
    "/{case_id}/feedback-requests",
    response={201: FeedbackRequestOut, **problems(409, 422)},
    summary="Record that feedback was asked for, by a channel the survivor marked safe",
)
def feedback_request_create(
    request: HttpRequest, case_id: str, body: FeedbackRequestIn
) -> Status[dict[str, Any]]:
    user = staff(request)
    asked = feedback.feedback_request(
        case=access.case_for(user, case_id), by=user, channel=body.channel
    )
    return Status(
        201,
        {
            "id": asked.pk,
            "case": asked.case_id,
            "channel": asked.channel,
            "requested_at": utc(asked.requested_at),
        },
    )


def appeal_out(appeal: Appeal) -> dict[str, Any]:
    return {
        "id": appeal.pk,
        "case": appeal.case_id,
        "by": appeal.by,
        "stage": appeal.stage,
        "status": appeal.status,
        "reviewer_role": appeal.reviewer_role,
        "received_at": utc(appeal.received_at),
        "acknowledge_due_at": utc(appeal.acknowledge_due_at),
        "acknowledged_at": utc(appeal.acknowledged_at),
        "due_at": utc(appeal.due_at),
        "outcome": appeal.outcome or None,
        "decided_at": utc(appeal.decided_at),
        "escalated_from": appeal.escalated_from_id,
    }


@cases_router.post(
    "/{case_id}/appeals",
    response={201: AppealOut, **problems(422)},
    summary="Record an appeal by the survivor or the alleged perpetrator",
)
def appeal_create(request: HttpRequest, case_id: str, body: AppealIn) -> Status[dict[str, Any]]:
    user = staff(request)
    appeal = appeals.appeal_make(
        case=access.case_for(user, case_id),
        by=user,
        party=body.by,
        grounds=body.grounds,
        received_at=body.received_at,
    )
    return Status(201, appeal_out(appeal))


@cases_router.get("/{case_id}/appeals", response=AppealList, summary="A case's appeals")
def appeal_list(request: HttpRequest, case_id: str) -> dict[str, Any]:
    user = staff(request)
    case = access.case_for(user, case_id)
    rows = Appeal.objects.filter(case=case).order_by("received_at")
    viewed_record(user, case, via="api")  # who appealed and how it stands: a read
    return {"items": [appeal_out(appeal) for appeal in rows]}


@appeals_router.post(
    "/{appeal_id}/acknowledge",
    response={200: AppealOut, **problems(409)},
    summary="Acknowledge an appeal",
)
def appeal_acknowledge(request: HttpRequest, appeal_id: str) -> dict[str, Any]:
    user = staff(request)
    appeal = appeals.appeal_acknowledge(appeal=selectors.appeal_for(user, appeal_id), by=user)
    return appeal_out(appeal)


@appeals_router.post(
    "/{appeal_id}/decision",
    response={200: AppealOut, **problems(403, 409, 422)},
    summary="Decide an appeal (the policy's reviewer role): outcome and reasons",
)
def appeal_decision(request: HttpRequest, appeal_id: str, body: AppealDecisionIn) -> dict[str, Any]:
    user = staff(request)
    appeal = appeals.appeal_decide(
        appeal=selectors.appeal_for(user, appeal_id),
        by=user,
        outcome=body.outcome,
        reasons=body.reasons,
    )
    return appeal_out(appeal)


@appeals_router.post(
    "/{appeal_id}/escalate",
    response={201: AppealOut, **problems(409, 422)},
    summary="Take a decided stage 1 appeal to stage 2",
)
def appeal_escalation(
    request: HttpRequest, appeal_id: str, body: AppealEscalationIn
) -> Status[dict[str, Any]]:
    user = staff(request)
    stage_2 = appeals.appeal_escalate(
        appeal=selectors.appeal_for(user, appeal_id), by=user, grounds=body.grounds
    )
    return Status(201, appeal_out(stage_2))
