"""What may be attached to a case: type judged by content, size limited, photos kept
without their metadata, damaged files refused with nothing half-saved."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image
from pypdf import PdfReader

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.errors import Refusal
from safehold.evidence import inspection, storage, views
from safehold.evidence.models import Evidence
from safehold.privacy.models import AuditEntry
from tests.evidence import files

pytestmark = pytest.mark.django_db


def stored(evidence: Evidence) -> bytes:
    evidence = Evidence.objects.select_related("case__data_key").get(pk=evidence.pk)
    return storage.decrypt_content(evidence.case.data_key, evidence.content, row_id=evidence.pk)


def assert_nothing_saved() -> None:
    assert not Evidence.objects.exists()
    assert not AuditEntry.objects.filter(action="evidence.added").exists()


@pytest.mark.parametrize("name", ["holiday.jpg", "statement.pdf", "scan.png"])
def test_it_refuses_an_executable_renamed_as_a_photo_or_pdf(
    upload_as, officer: Staff, name: str
) -> None:
    response = upload_as(officer, files.EXECUTABLE, name)
    assert response.status_code == 422
    assert b"The selected file must be a JPG, PNG or WebP image, or a PDF" in response.content
    assert b'href="#id_upload"' in response.content  # the GOV.UK error summary
    assert_nothing_saved()


@pytest.mark.parametrize(
    "content",
    [b"<html><script>alert(1)</script></html>", b"GIF89a" + b"\x00" * 40, b"plain text"],
    ids=["html", "gif", "text"],
)
def test_it_refuses_other_types(add_evidence, content: bytes) -> None:
    with pytest.raises(Refusal) as refused:
        add_evidence(content, "photo.jpg")
    assert refused.value.code == "unsupported_file_type"
    assert_nothing_saved()


def test_it_refuses_an_oversized_file(upload_as, officer: Staff) -> None:
    too_big = files.png() + b"\x00" * inspection.MAX_BYTES
    response = upload_as(officer, too_big, "photo.png")
    assert response.status_code == 422
    assert b"The selected file must be smaller than 10MB" in response.content
    assert_nothing_saved()


def test_a_request_far_over_the_limit_is_refused_unread_with_413(
    upload_as, officer: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    def parsed(*args: object, **kwargs: object) -> None:
        raise AssertionError("the body of an oversized request was parsed")

    monkeypatch.setattr("django.http.multipartparser.MultiPartParser.parse", parsed)
    too_big = files.png() + b"\x00" * (inspection.MAX_BYTES + views.FORM_ROOM)
    response = upload_as(officer, too_big, "photo.png")
    assert response.status_code == 413
    assert b"The selected file must be smaller than 10MB" in response.content
    assert b'href="#id_upload"' in response.content  # the GOV.UK error summary
    assert b"Select a file" not in response.content
    assert_nothing_saved()


def test_a_file_at_the_limit_is_judged_on_its_content(add_evidence) -> None:
    with pytest.raises(Refusal) as refused:
        add_evidence(b"\x00" * inspection.MAX_BYTES, "photo.png")
    assert refused.value.code == "unsupported_file_type"


def test_it_refuses_an_empty_file(add_evidence) -> None:
    with pytest.raises(Refusal) as refused:
        add_evidence(b"", "photo.png")
    assert refused.value.code == "empty_file"


def test_it_strips_gps_and_other_metadata_from_photos(add_evidence) -> None:
    original = files.jpeg_with_location()
    before = Image.open(io.BytesIO(original))
    assert before.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # control: the upload has a location

    kept = stored(add_evidence(original, "bruise.jpg"))

    after = Image.open(io.BytesIO(kept))
    assert after.format == "JPEG"
    assert after.size == before.size
    exif = after.getexif()
    assert ExifTags.Base.GPSInfo not in exif
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert not exif  # no camera make, no owner's name: no EXIF at all
    assert not {"exif", "xmp", "comment"} & set(after.info)
    for needle in (b"Exif", files.CAMERA_OWNER.encode(), files.XMP_PLACE.encode(), b"Snoopcam"):
        assert needle not in kept


def test_it_strips_text_and_exif_from_png(add_evidence) -> None:
    kept = stored(add_evidence(files.png_with_text(), "bruise.png"))
    after = Image.open(io.BytesIO(kept))
    assert after.format == "PNG"
    assert not after.getexif()
    assert "Location" not in after.info
    assert files.XMP_PLACE.encode() not in kept


def test_a_photo_is_kept_the_way_up_the_camera_meant(add_evidence) -> None:
    kept = stored(add_evidence(files.jpeg_turned_on_its_side(), "door.jpg"))
    assert Image.open(io.BytesIO(kept)).size == (20, 60)


@pytest.mark.parametrize(
    ("make", "cut"),
    [(files.jpeg_with_location, 2), (files.png, 2), (files.webp, 2)],
    ids=["jpeg", "png", "webp"],
)
def test_it_refuses_a_corrupt_image_and_saves_nothing(
    upload_as, officer: Staff, make, cut: int
) -> None:
    whole = make()
    response = upload_as(officer, whole[: len(whole) // cut], "photo.jpg")
    assert response.status_code == 422
    assert b"The selected file is damaged or incomplete" in response.content
    assert_nothing_saved()


def test_a_pdf_cut_short_is_refused(add_evidence) -> None:
    whole = files.pdf()
    with pytest.raises(Refusal) as refused:
        add_evidence(whole[: len(whole) // 2], "letter.pdf")
    assert refused.value.code == "corrupt_file"
    assert_nothing_saved()


def test_it_accepts_a_pdf_rewritten_without_its_metadata(add_evidence) -> None:
    """PDFs were kept exactly as uploaded until issue 17 (section 9): now they are
    rewritten without active content or author metadata (tests/evidence/test_pdf.py)."""
    original = files.pdf()
    assert PdfReader(io.BytesIO(original)).metadata.title == "Wistmoor tenancy letter"
    evidence = add_evidence(original, "letter.pdf", description="Notice from the landlord")
    assert evidence.content_type == "application/pdf"
    kept = stored(evidence)
    assert evidence.size == len(kept)
    reader = PdfReader(io.BytesIO(kept))
    assert len(reader.pages) == 1
    assert reader.metadata is None


@pytest.mark.parametrize(
    ("make", "detected"),
    [
        (files.png, "image/png"),
        (files.webp, "image/webp"),
        (files.jpeg_with_location, "image/jpeg"),
    ],
)
def test_the_type_comes_from_the_content_not_the_name(add_evidence, make, detected: str) -> None:
    evidence = add_evidence(make(), "misnamed.pdf")
    assert evidence.content_type == detected
    assert Image.open(io.BytesIO(stored(evidence))).get_format_mimetype() == detected


def test_an_upload_is_audited_without_its_name_or_description(add_evidence, case: Case) -> None:
    evidence = add_evidence(files.png(), "Zephyrine-bruise.png", description="Left arm, Tuesday")
    entry = AuditEntry.objects.get(action="evidence.added")
    assert entry.target_id == case.pk
    assert entry.detail == {
        "evidence": evidence.pk,
        "content_type": "image/png",
        "size": evidence.size,
    }


def test_a_long_description_is_refused(upload_as, officer: Staff) -> None:
    response = upload_as(officer, files.png(), "photo.png", description="x" * 1001)
    assert response.status_code == 422
    assert b"The description must be 1000 characters or fewer" in response.content
    assert_nothing_saved()


def test_the_form_asks_for_a_file(as_staff, officer: Staff, case: Case) -> None:
    response = as_staff(officer).post(f"/cases/{case.pk}/evidence", {"description": "x"})
    assert response.status_code == 422
    assert b"Select a file" in response.content
    assert_nothing_saved()


def test_a_corrupt_image_is_refused_even_after_a_letter_was_rendered(
    upload_as, officer: Staff
) -> None:
    """WeasyPrint relaxes Pillow's process-wide LOAD_TRUNCATED_IMAGES when it loads; a
    worker that has written a letter must still refuse a damaged photo."""
    import weasyprint  # noqa: F401 - the import is what relaxes the flag

    whole = files.png()
    response = upload_as(officer, whole[: len(whole) // 2], "photo.png")
    assert response.status_code == 422
    assert_nothing_saved()
