"""Every write to evidence, as a named function: keyword-only, atomic, audited.

An upload is judged and cleaned in full before anything is written, so a refused or
damaged file leaves no row, no file and no audit entry."""

from __future__ import annotations

from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases import access, sealing
from safehold.cases.models import Case, new_id
from safehold.errors import Refusal
from safehold.evidence import inspection, storage
from safehold.evidence.models import Evidence
from safehold.privacy import audit

MAX_DESCRIPTION = 1000
MAX_FILENAME = 255


def upload_content(upload: UploadedFile) -> bytes:
    """The upload's bytes, refusing an oversized one before reading it."""
    inspection.check_size(upload.size or 0)
    upload.seek(0)
    content = bytes(upload.read(inspection.MAX_BYTES + 1))
    inspection.check_size(len(content))
    return content


@transaction.atomic
def evidence_add(
    *,
    case: Case,
    by: Staff,
    upload: UploadedFile,
    description: str,
    now: datetime | None = None,
) -> Evidence:
    case = access.case_for(by, case.pk)  # 404 for anyone who may not see the case
    if len(description) > MAX_DESCRIPTION:
        raise Refusal(
            "description_too_long",
            f"The description must be {MAX_DESCRIPTION} characters or fewer",
            field="description",
        )
    kept = inspection.cleaned(upload_content(upload))
    evidence = Evidence(
        id=new_id("evd"),
        case=case,
        content_type=kept.content_type,
        size=len(kept.content),
        uploaded_by=by,
        uploaded_at=now or timezone.now(),
    )
    evidence.content = storage.encrypt_content(case.data_key, kept.content, row_id=evidence.pk)
    filename = (upload.name or "").strip()[:MAX_FILENAME]
    evidence.sealed = sealing.seal(
        case.data_key, evidence, {"filename": filename, "description": description.strip()}
    )
    evidence.save(force_insert=True)
    audit.record(
        actor=by.username,
        action="evidence.added",
        target_type="case",
        target_id=case.pk,
        detail={
            "evidence": evidence.pk,
            "content_type": evidence.content_type,
            "size": evidence.size,
        },
    )
    return evidence
