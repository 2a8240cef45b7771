"""Break-glass requests on restricted cases (issue 17 §5; docs/cases.md, "Break glass"):
the ones waiting for the caller's decision, one request with its reasons, and the
decision. `POST /cases/{id}/break-glass` itself is in api/cases.py."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from safehold.api.cases import staff, utc
from safehold.api.schemas import (
    BreakGlassDecisionIn,
    BreakGlassDetail,
    BreakGlassWaitingList,
    problems,
)
from safehold.cases import access, glass

router = Router(tags=["cases"])


def detail(view: glass.GrantView) -> dict[str, Any]:
    grant = view.grant
    return {
        "id": grant.pk,
        "case": grant.case_id,
        "reference": grant.case.reference,
        "restricted": grant.case.restricted,
        "status": grant.status,
        "requested_by": grant.staff.username,
        "requested_at": utc(grant.requested_at),
        "reason": view.reason,
        "decided_by": grant.decided_by.username if grant.decided_by else None,
        "decided_at": utc(grant.decided_at),
        "decision_reason": view.decision_reason,
        "granted_at": utc(grant.granted_at),
        "expires_at": utc(grant.expires_at),
    }


@router.get(
    "",
    response=BreakGlassWaitingList,
    summary="Requests to break the glass on a restricted case waiting for your decision",
)
def waiting_list(request: HttpRequest) -> dict[str, Any]:
    waiting = glass.waiting_for(staff(request))
    return {
        "items": [
            {
                "id": grant.pk,
                "status": grant.status,
                "requested_by": grant.staff.username,
                "requested_at": utc(grant.requested_at),
            }
            for grant in waiting
        ]
    }


@router.get(
    "/{grant_id}",
    response=BreakGlassDetail,
    summary="A request or grant to break the glass, with its reasons",
)
def grant_read(request: HttpRequest, grant_id: str) -> dict[str, Any]:
    return detail(glass.grant_view(staff(request), grant_id))


def decide(request: HttpRequest, grant_id: str, body: BreakGlassDecisionIn, approve: bool) -> Any:
    user = staff(request)
    grant = access.break_glass_for(user, grant_id)
    glass.break_glass_decide(grant=grant, by=user, approve=approve, reason=body.reason)
    return detail(glass.grant_view(user, grant_id))


@router.post(
    "/{grant_id}/approve",
    response={200: BreakGlassDetail, **problems(403, 422)},
    summary="Approve another's request to break the glass, with a reason: access starts",
)
def grant_approve(request: HttpRequest, grant_id: str, body: BreakGlassDecisionIn) -> Any:
    return decide(request, grant_id, body, approve=True)


@router.post(
    "/{grant_id}/decline",
    response={200: BreakGlassDetail, **problems(403, 422)},
    summary="Decline another's request to break the glass, with a reason",
)
def grant_decline(request: HttpRequest, grant_id: str, body: BreakGlassDecisionIn) -> Any:
    return decide(request, grant_id, body, approve=False)
