"""Perpetrator-facing documents carry a neutral reference, not the domestic abuse case
reference (issue 17 §9): "DA-2026-00001" on a letter tells an alleged perpetrator that
there is a domestic abuse case. His letters quote a reference of their own, in their
text, their file name and their metadata; the survivor's keep the case reference
(docs/casework.md, "Letters")."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.closure import services as closure
from tests.casedata import PERPETRATOR_NAME, SURVIVOR_NAME, pdf_text

pytestmark = pytest.mark.django_db
NEUTRAL = re.compile(r"^HM-[2-9A-HJ-NP-Z]{6}$")


def letter(client: Client, case: Case, **body: Any) -> Any:
    return client.post(f"/api/v1/cases/{case.pk}/letters", body, content_type="application/json")


def permitted(client: Client, case: Case) -> None:
    """Her permission to write to him, which every bundled policy asks for first."""
    body = {"purpose": "contact_alleged_perpetrator", "given": True}
    given = client.post(f"/api/v1/cases/{case.pk}/consents", body, content_type="application/json")
    assert given.status_code == 201


def metadata_of(response: Any) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(str(value) for value in (reader.metadata or {}).values())


def found(client: Client, q: str) -> list[str]:
    answer = client.post("/api/v1/cases/search", {"q": q}, content_type="application/json")
    assert answer.status_code == 200
    return [item["reference"] for item in answer.json()["items"]]


def test_a_letter_to_the_alleged_perpetrator_quotes_a_neutral_reference_never_the_cases(
    case: Case,
    officer: Staff,
    outsider: Staff,
    api_as: Callable[[Staff], Client],
    as_staff: Callable[[Staff], Client],
) -> None:
    client = api_as(officer)
    permitted(client, case)
    made = letter(client, case, kind="warning", recipient="alleged_perpetrator", channel="by_hand")
    assert made.status_code == 201, made.content
    reference = made.json()["reference"]
    assert NEUTRAL.match(reference)

    text = pdf_text(client, made.json()["id"])
    assert PERPETRATOR_NAME in text
    assert f"Our reference: {reference}" in text
    assert case.reference not in text
    assert "DA-" not in text

    for download in (
        client.get(f"/api/v1/documents/{made.json()['id']}"),
        as_staff(officer).get(f"/documents/{made.json()['id']}"),
    ):
        assert download.status_code == 200
        assert download["Content-Disposition"] == f'attachment; filename="{reference}-warning.pdf"'
        assert case.reference not in metadata_of(download)

    # Safehold finds the case it was written on from his reference, as from the case's.
    assert found(client, reference) == [case.reference]
    assert found(client, reference.lower()) == [case.reference]
    page = as_staff(officer).get(f"/cases/{case.pk}/").content.decode()
    assert f"our reference {reference}" in page
    # Someone who may not see the case neither reads the letter nor finds the case by it.
    assert api_as(outsider).get(f"/api/v1/documents/{made.json()['id']}").status_code == 404
    assert found(api_as(outsider), reference) == []


def test_each_letter_to_him_has_its_own_reference_and_hers_keep_the_case_reference(
    case: Case, officer: Staff, api_as: Callable[[Staff], Client]
) -> None:
    client = api_as(officer)
    permitted(client, case)
    first = letter(client, case, kind="warning", recipient="alleged_perpetrator").json()
    second = letter(client, case, kind="warning", recipient="alleged_perpetrator").json()
    assert first["reference"] != second["reference"]

    hers = letter(client, case, kind="acknowledgement", recipient="survivor", channel="by_hand")
    assert hers.status_code == 201
    assert hers.json()["reference"] == ""
    text = pdf_text(client, hers.json()["id"])
    assert SURVIVOR_NAME in text
    assert f"Our reference: {case.reference}" in text
    download = client.get(f"/api/v1/documents/{hers.json()['id']}")
    assert download["Content-Disposition"] == (
        f'attachment; filename="{case.reference}-acknowledgement.pdf"'
    )


def test_a_closure_letter_to_him_takes_case_references_out_of_what_the_officer_wrote(
    open_case: Callable[..., Case],
    officer: Staff,
    manager: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    other = open_case()
    case = open_case()
    client = api_as(officer)
    permitted(client, case)
    closure.closure_request(
        case=case,
        by=officer,
        reason="resolved",
        survivor_agrees=True,
        review_meeting_at=timezone.now() - timedelta(hours=2),
        explanation="All done.",
        perpetrator_explanation=(
            f"Case {case.reference.lower()} is closed; {other.reference} was looked at too."
        ),
    )
    if Case.objects.get(pk=case.pk).status != "closed":
        closure.closure_approve(case=case, by=manager)

    made = letter(client, case, kind="closure", recipient="alleged_perpetrator")
    assert made.status_code == 201, made.content
    reference = made.json()["reference"]
    text = pdf_text(client, made.json()["id"])
    assert f"Case {reference} is closed" in text
    assert "[reference removed] was looked at too" in text
    assert case.reference not in text
    assert other.reference not in text
    assert "DA-" not in text
