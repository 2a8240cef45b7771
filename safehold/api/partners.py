"""The partner API (API.md §4, docs/partners.md): what was shared with a partner's
agency, through the partner door (partners/selectors.py) only. Anyone but a partner gets
403 here; a partner gets 404 on every other case endpoint (api/auth.py), and here for a
case that is not shared with their agency now, as for one that does not exist."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import StringConstraints

from safehold.accounts.models import Staff
from safehold.accounts.roles import is_partner
from safehold.api.cases import staff, utc
from safehold.api.schemas import Strict, problems
from safehold.errors import Refusal
from safehold.partners import selectors, services

router = Router(tags=["partners"])

VIA = "partner_api"


class PartnerCaseSummary(Schema):
    id: str
    reference: str
    last_shared_at: datetime


class PartnerCaseList(Schema):
    items: list[PartnerCaseSummary]
    next_page: int | None = None


class PartnerReferral(Schema):
    id: str
    sent_at: datetime
    basis: str  # "consent" or "without consent: <ground>"
    reason: str


class PartnerDocument(Schema):
    id: str
    kind: str
    created_at: datetime


class PartnerUpdateOut(Schema):
    id: str
    text: str
    by: str
    agency: str
    created_at: datetime


class PartnerMaracAction(Schema):
    id: str
    what: str
    status: str


class PartnerCase(Schema):
    id: str
    reference: str
    agency: str
    referrals: list[PartnerReferral]
    documents: list[PartnerDocument]
    updates: list[PartnerUpdateOut]
    marac_actions: list[PartnerMaracAction]


class PartnerMaracStatusIn(Strict):
    status: Literal["open", "done", "cancelled"]
    note: Annotated[str, StringConstraints(max_length=services.TEXT_LIMIT)] = ""


class PartnerUpdateIn(Strict):
    text: Annotated[str, StringConstraints(max_length=services.TEXT_LIMIT)]


def partner(request: HttpRequest) -> Staff:
    user = staff(request)
    if not is_partner(user.role):
        raise PermissionDenied
    return user


@router.get(
    "/cases",
    response={200: PartnerCaseList, **problems(403, 422)},
    summary="The cases shared with the partner's agency now (partners only), newest "
    "referral first, 50 a page (`?page=`; `next_page` when there are more); each listing "
    "is audited",
)
def partner_cases(request: HttpRequest, page: int = 1) -> dict[str, Any]:
    user = partner(request)
    if page < 1:
        raise Refusal("invalid_page", "page is a whole number from 1", field="page")
    shared = selectors.shared_cases(user, via=VIA, page=page)
    return {
        "items": [
            {"id": c.id, "reference": c.reference, "last_shared_at": utc(c.last_sent_at)}
            for c in shared.cases
        ],
        "next_page": page + 1 if shared.more else None,
    }


def case_out(view: selectors.SharedView) -> dict[str, Any]:
    return {
        "id": view.id,
        "reference": view.reference,
        "agency": view.agency,
        "referrals": [
            {
                "id": r.id,
                "sent_at": utc(r.sent_at),
                "basis": "consent" if r.with_consent else f"without consent: {r.ground}",
                "reason": r.reason,
            }
            for r in view.referrals
        ],
        "documents": [
            {"id": d.id, "kind": d.kind, "created_at": utc(d.created_at)} for d in view.documents
        ],
        "updates": [
            {
                "id": u.id,
                "text": u.text,
                "by": u.by,
                "agency": view.agency,
                "created_at": utc(u.created_at),
            }
            for u in view.updates
        ],
        "marac_actions": [
            {"id": a.id, "what": a.what, "status": a.status} for a in view.marac_actions
        ],
    }


@router.get(
    "/cases/{case_id}",
    response={200: PartnerCase, **problems(403, 404)},
    summary="The shared view of one case: only what was shared with the partner's agency, "
    "while the sharing stands (404 otherwise); audited",
)
def partner_case(request: HttpRequest, case_id: str) -> dict[str, Any]:
    user = partner(request)
    return case_out(selectors.shared_view(user, case_id, via=VIA))


@router.post(
    "/cases/{case_id}/updates",
    response={201: PartnerUpdateOut, **problems(403, 404, 422)},
    summary="Add an update to a case shared with the partner's agency, recorded as from "
    "that agency (while the sharing stands; 404 otherwise)",
)
def partner_update_create(
    request: HttpRequest, case_id: str, body: PartnerUpdateIn
) -> Status[dict[str, Any]]:
    user = partner(request)
    update = services.partner_update_add(by=user, case_id=case_id, text=body.text)
    return Status(
        201,
        {
            "id": update.pk,
            "text": body.text.strip(),
            "by": user.full_name,
            "agency": update.agency,
            "created_at": utc(update.created_at),
        },
    )


@router.post(
    "/cases/{case_id}/marac-actions/{action_id}",
    response={200: PartnerMaracAction, **problems(403, 404, 422)},
    summary="Set the status of a MARAC action the partner's agency owns on a case shared "
    "with it (while the sharing stands; 404 otherwise)",
)
def partner_marac_status(
    request: HttpRequest, case_id: str, action_id: str, body: PartnerMaracStatusIn
) -> dict[str, Any]:
    user = partner(request)
    services.marac_action_status_set(
        by=user,
        case_id=case_id,
        action_id=action_id,
        status=body.status,
        note=body.note,
        now=timezone.now(),
    )
    case, agency, _ = selectors.shared_case(user, case_id)
    shown = {a.id: a for a in selectors.marac_actions_of(case, agency)}[action_id]
    return {"id": shown.id, "what": shown.what, "status": shown.status}
