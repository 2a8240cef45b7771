"""Uploaded PDFs are made safe (issue 17, section 9): scripts, launch actions, attached
files and author metadata are removed by rewriting the file, or it is refused. The PDFs
are built here, in memory, with pypdf."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from safehold.accounts.models import Staff
from safehold.evidence import pdf, storage
from safehold.evidence.models import Evidence
from safehold.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db

SCRIPT = "app.alert('Zephyrine is at the refuge')"
ATTACHED = b"Barnaby's new address: 4 Elmhurst Row"
AUTHOR = "Winifred Ashgrove"
PAGE_TEXT = "Statement of the landlord"


def name(value: str) -> NameObject:
    return NameObject(value)


def action(kind: str, **entries: str) -> DictionaryObject:
    found = DictionaryObject({name("/Type"): name("/Action"), name("/S"): name(kind)})
    for key, value in entries.items():
        found[name(f"/{key}")] = TextStringObject(value)
    return found


def page_with_text(writer: PdfWriter) -> None:
    """One page that says PAGE_TEXT, in Helvetica."""
    page = writer.add_blank_page(300, 200)
    font = DictionaryObject(
        {name("/Type"): name("/Font"), name("/Subtype"): name("/Type1")}
        | {name("/BaseFont"): name("/Helvetica")}
    )
    page[name("/Resources")] = DictionaryObject(
        {name("/Font"): DictionaryObject({name("/F1"): writer._add_object(font)})}
    )
    content = DecodedStreamObject()
    content.set_data(f"BT /F1 12 Tf 20 100 Td ({PAGE_TEXT}) Tj ET".encode())
    page[name("/Contents")] = writer._add_object(content)


def dangerous_pdf() -> bytes:
    """A PDF with a script run on opening (as the open action and in the document's
    scripts), a file attached to the document and to an annotation, a launch action run
    when the page opens, a link that runs a script, an XFA form, and the author's name in
    the document information and in XMP."""
    writer = PdfWriter()
    page_with_text(writer)
    writer.add_open_action(JavaScript(SCRIPT))
    writer.add_attachment("address.txt", ATTACHED)
    writer.add_metadata({"/Author": AUTHOR, "/Title": "Notes by Winifred"})
    root = writer.root_object
    root[name("/OpenAction")] = action("/JavaScript", JS=SCRIPT)
    root[name("/AcroForm")] = DictionaryObject(
        {name("/Fields"): ArrayObject(), name("/XFA"): TextStringObject("<xdp:xdp/>")}
    )
    xmp = DecodedStreamObject()
    xmp.set_data(f"<x:xmpmeta><dc:creator>{AUTHOR}</dc:creator></x:xmpmeta>".encode())
    xmp.update({name("/Type"): name("/Metadata"), name("/Subtype"): name("/XML")})
    root[name("/Metadata")] = writer._add_object(xmp)
    page = writer.pages[0]
    page[name("/AA")] = DictionaryObject({name("/O"): action("/Launch", F="calc.exe")})
    box = ArrayObject([NumberObject(n) for n in (10, 10, 100, 40)])
    link = DictionaryObject(
        {name("/Type"): name("/Annot"), name("/Subtype"): name("/Link"), name("/Rect"): box}
        | {name("/A"): action("/JavaScript", JS=SCRIPT)}
    )
    spec = DictionaryObject(
        {name("/Type"): name("/Filespec"), name("/F"): TextStringObject("run.exe")}
        | {name("/EF"): DictionaryObject({name("/F"): writer._add_object(DecodedStreamObject())})}
    )
    attachment = DictionaryObject(
        {name("/Type"): name("/Annot"), name("/Subtype"): name("/FileAttachment")}
        | {name("/Rect"): box, name("/FS"): spec}
    )
    page[name("/Annots")] = ArrayObject([writer._add_object(link), writer._add_object(attachment)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


NEEDLES = [
    b"/JavaScript",
    b"/JS",
    b"/OpenAction",
    b"/Launch",
    b"/EmbeddedFile",
    b"/FileAttachment",
    b"/XFA",
    b"/AA",
    b"/Metadata",
    b"alert",
    b"calc",
    b"run\\056exe",  # pypdf writes the full stop of a string as \\056
    b"Elmhurst",
    b"Winifred",
    b"Ashgrove",
]


def stored(evidence: Evidence) -> bytes:
    evidence = Evidence.objects.select_related("case__data_key").get(pk=evidence.pk)
    return storage.decrypt_content(evidence.case.data_key, evidence.content, row_id=evidence.pk)


def test_the_test_pdf_carries_everything_dangerous() -> None:
    """The control: every needle is in the upload, and a reader sees the script and the
    attachment, so their absence after upload means something."""
    original = dangerous_pdf()
    assert [needle for needle in NEEDLES if needle not in original] == []
    reader = PdfReader(io.BytesIO(original))
    assert reader.attachments == {"address.txt": [ATTACHED]}
    assert reader.metadata is not None
    assert reader.metadata.author == AUTHOR


def test_it_removes_scripts_attachments_and_author_metadata_from_a_pdf(
    upload_as, officer: Staff
) -> None:
    response = upload_as(officer, dangerous_pdf(), "statement.pdf", description="From the landlord")
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.content_type == "application/pdf"
    kept = stored(evidence)
    assert evidence.size == len(kept)
    assert [needle for needle in NEEDLES if needle in kept] == []
    reader = PdfReader(io.BytesIO(kept))
    assert reader.attachments == {}
    assert reader.metadata is None
    assert reader.xmp_metadata is None
    assert "/OpenAction" not in reader.trailer["/Root"]
    [page] = reader.pages
    assert page.extract_text() == PAGE_TEXT  # what the page shows is kept
    [link] = page["/Annots"]
    assert "/A" not in link.get_object()  # the link stays, without its script
    pdf.check_clean(kept)


def test_a_plain_pdf_is_kept_readable(upload_as, officer: Staff) -> None:
    writer = PdfWriter()
    page_with_text(writer)
    out = io.BytesIO()
    writer.write(out)
    assert upload_as(officer, out.getvalue(), "letter.pdf").status_code == 302
    reader = PdfReader(io.BytesIO(stored(Evidence.objects.get())))
    assert [page.extract_text() for page in reader.pages] == [PAGE_TEXT]


def test_a_password_protected_pdf_is_refused_and_nothing_is_saved(
    upload_as, officer: Staff
) -> None:
    writer = PdfWriter()
    page_with_text(writer)
    writer.encrypt("only-she-knows")
    out = io.BytesIO()
    writer.write(out)
    response = upload_as(officer, out.getvalue(), "locked.pdf")
    assert response.status_code == 422
    assert b"The selected PDF is protected with a password" in response.content
    assert b'href="#id_upload"' in response.content  # the GOV.UK error summary
    assert not Evidence.objects.exists()
    assert not AuditEntry.objects.filter(action="evidence.added").exists()


def test_a_pdf_that_cannot_be_cleaned_is_refused_and_nothing_is_saved(
    upload_as, officer: Staff, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were the rewrite to leave anything behind (here, it is made to change nothing),
    the check of the rewritten file refuses it rather than keep it."""
    monkeypatch.setattr(pdf, "rewritten", lambda content: content)
    response = upload_as(officer, dangerous_pdf(), "statement.pdf")
    assert response.status_code == 422
    assert b"holds scripts or attached files that could not be removed" in response.content
    assert not Evidence.objects.exists()
    assert not AuditEntry.objects.filter(action="evidence.added").exists()


@pytest.mark.parametrize(
    "content",
    [b"%PDF-1.7\nnot a pdf at all\n%%EOF\n", b"%PDF-1.4\n" + b"\x00" * 200 + b"\n%%EOF"],
    ids=["text", "zeros"],
)
def test_a_pdf_that_cannot_be_read_is_refused_as_damaged(
    upload_as, officer: Staff, content: bytes
) -> None:
    response = upload_as(officer, content, "letter.pdf")
    assert response.status_code == 422
    assert b"The selected file is damaged or incomplete" in response.content
    assert not Evidence.objects.exists()
