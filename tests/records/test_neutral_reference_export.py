"""An alleged perpetrator's subject access export is a document for him too: it quotes
its request's id, never the domestic abuse case reference, in its text, PDF and file
name; the survivor's keeps the case reference (issue 17 §9; docs/records.md)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client
from pypdf import PdfReader

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.records.models import SubjectAccessRequest
from tests.casedata import PERPETRATOR_NAME

pytestmark = pytest.mark.django_db


def export(client: Client, request_id: str, fmt: str):
    return client.get(f"/api/v1/subject-access-requests/{request_id}/export?format={fmt}")


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
    return metadata + " " + " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def test_the_alleged_perpetrators_export_quotes_no_case_reference(
    full_case: Case,
    log_request: Callable[..., SubjectAccessRequest],
    da_lead: Staff,
    outsider: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    sar = log_request(full_case, "alleged_perpetrator")
    client = api_as(da_lead)

    as_json = export(client, sar.pk, "json")
    assert as_json.status_code == 200
    assert as_json.json()["reference"] == sar.pk
    as_pdf = export(client, sar.pk, "pdf")
    text = pdf_text(as_pdf.content)
    assert PERPETRATOR_NAME in text
    assert f"Our reference: {sar.pk}" in text
    on_the_page = as_staff(da_lead).post(f"/subject-access/{sar.pk}/export.pdf")
    assert on_the_page.status_code == 200
    for answer, fmt in ((as_json, "json"), (as_pdf, "pdf"), (on_the_page, "pdf")):
        assert answer["Content-Disposition"] == (
            f'attachment; filename="subject-access-{sar.pk}.{fmt}"'
        )
    for body in (as_json.content.decode(), text, pdf_text(on_the_page.content)):
        assert full_case.reference not in body
        assert "DA-" not in body

    assert export(api_as(outsider), sar.pk, "pdf").status_code in (403, 404)


def test_the_survivors_export_keeps_the_case_reference(
    full_case: Case,
    log_request: Callable[..., SubjectAccessRequest],
    da_lead: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    sar = log_request(full_case)
    answer = export(api_as(da_lead), sar.pk, "pdf")
    assert answer.status_code == 200
    assert f"Our reference: {full_case.reference}" in pdf_text(answer.content)
    assert answer["Content-Disposition"] == (
        f'attachment; filename="{full_case.reference}-subject-access-{sar.pk}.pdf"'
    )
