"""What partners add to a case shared with their agency, and the DA lead's approval that
lets a restricted case through the partner door (docs/partners.md). Every write is
sealed with the case's key and audited."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access, sealing
from safehold.cases.models import Alert, Case, new_id
from safehold.errors import Refusal
from safehold.partners import selectors
from safehold.partners.models import PartnerUpdate, RestrictedShare, ShareStatus
from safehold.policy.loader import active_policy
from safehold.privacy import audit

# The longest update or reason kept: a presentation limit of Safehold's, not a policy rule.
TEXT_LIMIT = 5000


def text_checked(text: object, *, code: str, what: str, field: str = "text") -> str:
    if not isinstance(text, str):
        raise Refusal(code, f"Enter {what} as text", field=field)
    cleaned = text.strip()
    if not cleaned:
        raise Refusal(code, f"Enter {what}", field=field)
    if len(cleaned) > TEXT_LIMIT:
        raise Refusal(
            f"{field}_too_long", f"Keep {what} to {TEXT_LIMIT} characters or fewer", field=field
        )
    if "\x00" in cleaned:
        raise Refusal(code, f"Enter {what} as plain text", field=field)
    return cleaned


@transaction.atomic
def partner_update_add(
    *, by: Staff, case_id: str, text: str, now: datetime | None = None
) -> PartnerUpdate:
    """A partner adds an update to a case shared with their agency, while the sharing
    stands (Http404 otherwise, as for no case): sealed with the case's key, recorded as
    from their agency, shown to staff on the case's chronology."""
    case, agency, _ = selectors.shared_case(by, case_id)
    cleaned = text_checked(text, code="text_required", what="the update")
    update = PartnerUpdate(
        id=new_id("pup"), case=case, agency=agency, created_by=by, created_at=now or timezone.now()
    )
    update.sealed = sealing.seal(case.data_key, update, {"text": cleaned})
    update.save(force_insert=True)
    audit.record(
        actor=by.username,
        action="partner.update_added",
        target_type="case",
        target_id=case.pk,
        detail={"update": update.pk, "agency": agency},
    )
    return update


def marac_action_status_set(
    *, by: Staff, case_id: str, action_id: str, status: str, note: str = "", now: datetime
) -> Any:
    """A partner sets the status of a MARAC action their agency owns, while the sharing
    stands, through the MARAC app's own service (`marac_action_status_set`)."""
    case, agency, action = selectors.marac_action_for(by, case_id, action_id)
    marac_services: Any = importlib.import_module("safehold.marac.services")
    done = marac_services.marac_action_status_set(
        action=action, by=by, status=status, note=note, now=now
    )
    audit.record(
        actor=by.username,
        action="partner.marac_action_status",
        target_type="case",
        target_id=case.pk,
        detail={"action": str(action.pk), "agency": agency, "status": status},
    )
    return done


# A restricted case through the partner door ------------------------------------------


@transaction.atomic
def restricted_share_request(
    *, case: Case, agency: str, by: Staff, reason: str, now: datetime | None = None
) -> RestrictedShare:
    """Someone who sees a restricted case asks that partners at one agency may read what
    was shared with it. Only for a restricted case, an agency of the policy, with a
    reason; a DA lead other than the asker decides (`restricted_share_decide`)."""
    access.case_for(by, case.pk)
    if not case.restricted:
        raise Refusal(
            "not_restricted",
            "This case is not restricted: partners at an agency it was shared with see it",
        )
    if agency not in active_policy().agencies:
        raise Refusal("unknown_agency", "Choose one of the policy's agencies", field="agency")
    cleaned = text_checked(reason, code="reason_required", what="the reason", field="reason")
    if RestrictedShare.objects.filter(
        case=case, agency=agency, status__in=(ShareStatus.PENDING, ShareStatus.APPROVED)
    ).exists():
        raise Refusal(
            "already_asked", "Sharing with this agency is already asked for or approved", status=409
        )
    share = RestrictedShare(
        id=new_id("rsh"),
        case=case,
        agency=agency,
        status=ShareStatus.PENDING,
        requested_by=by,
        requested_at=now or timezone.now(),
    )
    share.sealed = sealing.seal(case.data_key, share, {"reason": cleaned})
    share.save(force_insert=True)
    alert(
        Staff.objects.filter(role=Role.DA_LEAD, is_active=True).exclude(pk=by.pk),
        share,
        f"{by.full_name} ({by.username}) asks that an agency's partners may see what was "
        "shared with it on a restricted case: a DA lead other than them decides.",
    )
    audit.record(
        actor=by.username,
        action="disclosure.partner_share_requested",
        target_type="case",
        target_id=case.pk,
        detail={"share": share.pk, "agency": agency},
    )
    return share


def alert(people: Iterable[Staff], share: RestrictedShare, message: str) -> None:
    """An in-app alert linking to the request's page. It names staff only: never the
    case (restricted), the agency's reasons or anything else from it."""
    Alert.objects.bulk_create(
        [
            Alert(recipient=person, case=None, message=message[:300], link=share_page(share))
            for person in people
        ]
    )


def share_page(share: RestrictedShare) -> str:
    return f"/partner-sharing/{share.pk}"


def may_decide_restricted_share(user: Staff) -> bool:
    return user.is_active and user.role == Role.DA_LEAD


@transaction.atomic
def restricted_share_decide(
    *, share: RestrictedShare, by: Staff, approve: bool, note: str, now: datetime | None = None
) -> RestrictedShare:
    """A DA lead who did not ask approves or refuses, with a reason recorded."""
    if not may_decide_restricted_share(by):
        raise Refusal("may_not_decide", "Only a DA lead decides on this", status=403)
    access.check_not_own_request(by, share.requested_by_id, "sharing")
    share = (
        RestrictedShare.objects.select_for_update()
        .select_related("case__data_key")
        .get(pk=share.pk)
    )
    if share.status != ShareStatus.PENDING:
        raise Refusal("already_decided", "This request is already decided", status=409)
    cleaned = text_checked(note, code="note_required", what="the reason", field="note")
    details = sealing.unseal(share.case.data_key, share)
    share.status = ShareStatus.APPROVED if approve else ShareStatus.REFUSED
    share.decided_by = by
    share.decided_at = now or timezone.now()
    share.sealed = sealing.seal(share.case.data_key, share, {**details, "note": cleaned})
    share.save(update_fields=["status", "decided_by", "decided_at", "sealed"])
    verb = "approved" if approve else "refused"
    alert(
        Staff.objects.filter(pk=share.requested_by_id, is_active=True),
        share,
        f"{by.full_name} ({by.username}) {verb} your request to let an agency's partners see "
        "a restricted case.",
    )
    audit.record(
        actor=by.username,
        action="disclosure.partner_share_approved"
        if approve
        else "disclosure.partner_share_refused",
        target_type="case",
        target_id=share.case_id,
        detail={"share": share.pk, "agency": share.agency},
    )
    return share
