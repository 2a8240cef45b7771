"""Reads of evidence, always through cases.access, and always audited: the list shows
the original file names and descriptions, and a download hands over the file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import Http404

from safehold.accounts.models import Staff
from safehold.cases import access, sealing
from safehold.cases.models import Case
from safehold.evidence import storage
from safehold.evidence.models import ContentType, Evidence
from safehold.privacy import audit

EXTENSIONS = {
    ContentType.JPEG: "jpg",
    ContentType.PNG: "png",
    ContentType.WEBP: "webp",
    ContentType.PDF: "pdf",
}


@dataclass(frozen=True)
class EvidenceItem:
    evidence: Evidence
    details: dict[str, Any]


@dataclass(frozen=True)
class Download:
    evidence: Evidence
    content: bytes
    filename: str


def evidence_list(user: Staff, case_id: str, *, via: str) -> tuple[Case, list[EvidenceItem]]:
    """A case's evidence, newest first, in a fixed number of queries; the file content
    itself is not loaded."""
    case = access.case_for(user, case_id)
    found = (
        Evidence.objects.filter(case=case)
        .defer("content")
        .select_related("uploaded_by")
        .order_by("-uploaded_at", "-id")
    )
    items = [EvidenceItem(e, sealing.unseal(case.data_key, e)) for e in found]
    with transaction.atomic():
        audit.record(
            actor=user.username,
            action="evidence.listed",
            target_type="case",
            target_id=case.pk,
            detail={"via": via, "count": len(items)},
        )
    return case, items


def download_name(case: Case, evidence: Evidence) -> str:
    """Named by case reference and evidence id, never by the original name: a downloads
    folder and a browser's history outlive the session, and may be seen by others."""
    extension = EXTENSIONS[ContentType(evidence.content_type)]
    return f"{case.reference}-{evidence.pk}.{extension}"


def evidence_download(user: Staff, case_id: str, evidence_id: str, *, via: str) -> Download:
    case = access.case_for(user, case_id)
    evidence = Evidence.objects.filter(case=case, pk=evidence_id).first()
    if evidence is None:
        raise Http404("No such evidence")
    content = storage.decrypt_content(case.data_key, evidence.content, row_id=evidence.pk)
    with transaction.atomic():
        audit.record(
            actor=user.username,
            action="evidence.downloaded",
            target_type="case",
            target_id=case.pk,
            detail={
                "via": via,
                "evidence": evidence.pk,
                "content_type": evidence.content_type,
                "size": evidence.size,
            },
        )
    return Download(evidence, content, download_name(case, evidence))
