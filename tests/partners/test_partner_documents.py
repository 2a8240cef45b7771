"""A partner adds a document (a photo or a PDF) to a case shared with their agency,
judged and cleaned by the evidence upload's checks; it is recorded as from the agency,
stored encrypted, and shown to staff on the chronology. Nothing is stored for a refused
file, and nothing at all once the sharing ends."""

from __future__ import annotations

import io
from collections.abc import Callable

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework import services
from safehold.partners.models import PartnerDocument
from safehold.privacy.models import AuditEntry


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def upload(name: str = "bruising.png", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png() if content is None else content)


def test_a_partner_adds_a_document_seen_by_staff_as_from_their_agency(
    shared: Case,
    officer: Staff,
    partner: Staff,
    police_partner: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    client = as_staff(partner)
    assert client.get(f"/partner/cases/{shared.pk}/uploads/new").status_code == 200
    posted = client.post(
        f"/partner/cases/{shared.pk}/uploads/new",
        {"upload": upload(), "description": "Photo taken at the refuge"},
    )
    assert posted.status_code == 302
    document = PartnerDocument.objects.get(case=shared)
    assert (document.agency, document.content_type) == ("idva", "image/png")
    assert png()[:8] not in bytes(document.content)  # encrypted
    page = client.get(f"/partner/cases/{shared.pk}/").content.decode()
    assert "bruising.png" in page
    mine = client.get(f"/partner/cases/{shared.pk}/uploads/{document.pk}")
    assert mine.status_code == 200
    assert mine["Content-Type"] == "image/png"

    chronology = as_staff(officer).get(f"/cases/{shared.pk}/chronology").content.decode()
    assert "Document from" in chronology
    assert "Photo taken at the refuge" in chronology
    staff_copy = as_staff(officer).get(f"/cases/{shared.pk}/partner-documents/{document.pk}")
    assert staff_copy.status_code == 200
    assert staff_copy.content == mine.content
    assert AuditEntry.objects.filter(
        actor=partner.username, action="partner.document_added", target_id=shared.pk
    ).exists()
    # Another agency's partner reaches neither the form nor the file.
    other = as_staff(police_partner)
    assert other.get(f"/partner/cases/{shared.pk}/uploads/new").status_code == 404
    assert other.get(f"/partner/cases/{shared.pk}/uploads/{document.pk}").status_code == 404
    assert other.get(f"/cases/{shared.pk}/partner-documents/{document.pk}").status_code == 404


def test_a_refused_file_stores_nothing(
    shared: Case, partner: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(partner)
    url = f"/partner/cases/{shared.pk}/uploads/new"
    for bad in (upload("notes.exe", b"MZ\x90\x00 not a picture"), upload("empty.png", b"")):
        response = client.post(url, {"upload": bad})
        assert response.status_code == 400
    assert client.post(url, {}).status_code == 400
    assert not PartnerDocument.objects.exists()


def test_nothing_is_added_once_consent_is_withdrawn(
    shared: Case, officer: Staff, partner: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    services.consent_record(case=shared, by=officer, agency="idva", purpose="referral", given=False)
    client = as_staff(partner)
    response = client.post(f"/partner/cases/{shared.pk}/uploads/new", {"upload": upload()})
    assert response.status_code == 404
    assert not PartnerDocument.objects.exists()
