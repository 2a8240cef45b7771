"""What partners add to a case shared with their agency, and the DA lead's approval that
lets a restricted case through the partner door (docs/partners.md). Every write is
sealed with the case's key and audited."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.accounts.roles import Role
from safehold.cases import access, sealing
from safehold.cases.models import Alert, Case, new_id
from safehold.errors import Refusal
from safehold.evidence import inspection
from safehold.evidence import services as evidence_services
from safehold.partners import selectors
from safehold.partners.models import (
    PartnerDocument,
    PartnerUpdate,
    RestrictedShare,
    ShareStatus,
)
from safehold.policy.loader import active_policy
from safehold.privacy import audit, vault
from safehold.privacy.models import WrappedKey

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


# The stored bytes of a partner's document: AES-256-GCM under the case's data key, bound
# to this table, column and row, as evidence's are (evidence/storage.py).
DOCUMENT_TABLE = "partners_partnerdocument"
DOCUMENT_COLUMN = "content"
MAX_FILENAME = 255


def document_encrypt(data_key: WrappedKey, content: bytes, *, row_id: str) -> bytes:
    nonce = os.urandom(vault.NONCE_BYTES)
    aad = vault.associated_data(DOCUMENT_TABLE, DOCUMENT_COLUMN, row_id)
    cipher = AESGCM(vault.open_key(data_key))
    return vault.FORMAT_VERSION + nonce + cipher.encrypt(nonce, content, aad)


def document_decrypt(data_key: WrappedKey, blob: bytes | memoryview, *, row_id: str) -> bytes:
    blob = bytes(blob)
    if blob[:1] != vault.FORMAT_VERSION:
        raise vault.DecryptionFailed(f"{DOCUMENT_TABLE} of {row_id}: unknown format")
    nonce, sealed = blob[1 : 1 + vault.NONCE_BYTES], blob[1 + vault.NONCE_BYTES :]
    aad = vault.associated_data(DOCUMENT_TABLE, DOCUMENT_COLUMN, row_id)
    try:
        return AESGCM(vault.open_key(data_key)).decrypt(nonce, sealed, aad)
    except InvalidTag as error:
        raise vault.DecryptionFailed(f"{DOCUMENT_TABLE} of {row_id} does not decrypt") from error


@transaction.atomic
def partner_document_add(
    *,
    by: Staff,
    case_id: str,
    upload: UploadedFile,
    description: str = "",
    now: datetime | None = None,
) -> PartnerDocument:
    """A partner adds a file to a case shared with their agency, while the sharing stands
    (Http404 otherwise): judged and cleaned in full by the evidence upload's checks
    (a photo or PDF, within the size limit, metadata removed) before anything is written,
    so a refused file leaves nothing; stored encrypted, recorded as from the agency."""
    case, agency, _ = selectors.shared_case(by, case_id)
    if len(description) > evidence_services.MAX_DESCRIPTION:
        raise Refusal(
            "description_too_long",
            f"The description must be {evidence_services.MAX_DESCRIPTION} characters or fewer",
            field="description",
        )
    kept = inspection.cleaned(evidence_services.upload_content(upload))
    document = PartnerDocument(
        id=new_id("pdc"),
        case=case,
        agency=agency,
        content_type=kept.content_type,
        size=len(kept.content),
        created_by=by,
        created_at=now or timezone.now(),
    )
    document.content = document_encrypt(case.data_key, kept.content, row_id=document.pk)
    filename = (upload.name or "").strip()[:MAX_FILENAME]
    document.sealed = sealing.seal(
        case.data_key, document, {"filename": filename, "description": description.strip()}
    )
    document.save(force_insert=True)
    audit.record(
        actor=by.username,
        action="partner.document_added",
        target_type="case",
        target_id=case.pk,
        detail={
            "document": document.pk,
            "agency": agency,
            "content_type": document.content_type,
            "size": document.size,
        },
    )
    return document


def partner_document_content(document: PartnerDocument, *, case: Case, by: Staff) -> bytes:
    """The bytes of a partner's document the caller reached through a door (the partner
    door, or the staff door for staff); audited as a download."""
    content = document_decrypt(case.data_key, document.content, row_id=document.pk)
    audit.record(
        actor=by.username,
        action="document.downloaded",
        target_type="case",
        target_id=case.pk,
        detail={"document": document.pk, "agency": document.agency},
    )
    return content


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
