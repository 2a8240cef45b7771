"""Letters as real PDFs: safe channels for the survivor, and nothing of hers in a letter
to the alleged perpetrator (API.md §5 "Letters and documents")."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework.models import Document
from safehold.privacy.models import AuditEntry
from tests.casedata import (
    CHILD,
    EMAIL,
    PERPETRATOR_NAME,
    SAFE_TIMES,
    SURVIVOR_ADDRESS,
    SURVIVOR_NAME,
    SURVIVOR_PHONE,
    pdf_text,
)

pytestmark = pytest.mark.django_db


def letter(client: Client, case: Case, **body: Any):
    return client.post(f"/api/v1/cases/{case.pk}/letters", body, content_type="application/json")


def test_a_warning_to_the_alleged_perpetrator_holds_nothing_of_the_survivor(
    full_case: Case, officer: Staff, api_as
) -> None:
    client = api_as(officer)
    created = letter(client, full_case, kind="warning", recipient="alleged_perpetrator")
    assert created.status_code == 201
    text = pdf_text(client, created.json()["id"])
    assert PERPETRATOR_NAME in text
    assert full_case.reference in text
    for value in (
        SURVIVOR_NAME,
        SURVIVOR_ADDRESS,
        "Wistmoor",
        SURVIVOR_PHONE,
        EMAIL,
        SAFE_TIMES,
        CHILD,
        "T-55821",
        "1988",
    ):
        assert value not in text, f"{value!r} is in a letter to the alleged perpetrator"


def test_a_letter_to_the_survivor_by_post_needs_post_marked_safe(
    case: Case, full_case: Case, officer: Staff, api_as
) -> None:
    client = api_as(officer)
    refused = letter(client, case, kind="acknowledgement", recipient="survivor")  # post_ok False
    assert refused.status_code == 422
    assert refused.json()["code"] == "unsafe_contact_channel"
    by_hand = letter(client, case, kind="acknowledgement", recipient="survivor", channel="by_hand")
    assert by_hand.status_code == 201
    posted = letter(client, full_case, kind="acknowledgement", recipient="survivor")
    assert posted.status_code == 201
    text = pdf_text(client, posted.json()["id"])
    assert SURVIVOR_NAME in text
    assert "We believe you" in text


def test_the_action_plan_letter_lists_the_plan(full_case: Case, officer: Staff, api_as) -> None:
    client = api_as(officer)
    client.post(
        f"/api/v1/cases/{full_case.pk}/actions",
        {
            "kind": "security_measure",
            "measure": "panic_alarm",
            "detail": "Monitored panic alarm",
            "agreed_with_survivor": True,
        },
        content_type="application/json",
    )
    created = letter(client, full_case, kind="action_plan", recipient="survivor")
    assert "Monitored panic alarm" in pdf_text(client, created.json()["id"])


def test_a_referral_letter_goes_to_an_agency_from_the_directory(
    full_case: Case, officer: Staff, api_as
) -> None:
    client = api_as(officer)
    assert (
        letter(client, full_case, kind="referral", recipient="agency", agency="atlantis").json()[
            "code"
        ]
        == "unknown_agency"
    )
    created = letter(client, full_case, kind="referral", recipient="agency", agency="idva")
    assert created.status_code == 201
    listed = client.get(f"/api/v1/cases/{full_case.pk}/documents").json()["items"]
    assert [d["kind"] for d in listed] == ["referral"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"kind": "love_letter", "recipient": "survivor"}, 400, "invalid_request"),
        ({"kind": "warning", "recipient": "survivor"}, 422, "wrong_recipient"),
        ({"kind": "closure", "recipient": "survivor"}, 409, "case_not_closed"),
        (
            {"kind": "acknowledgement", "recipient": "survivor", "channel": "pigeon"},
            400,
            "invalid_request",
        ),
    ],
)
def test_bad_letters_are_refused(
    full_case: Case, officer: Staff, api_as, body: dict[str, Any], status: int, code: str
) -> None:
    response = letter(api_as(officer), full_case, **body)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert not Document.objects.exists()


def test_documents_are_reached_only_through_need_to_know(
    full_case: Case, officer: Staff, outsider: Staff, api_as
) -> None:
    created = letter(api_as(officer), full_case, kind="warning", recipient="alleged_perpetrator")
    document_id = created.json()["id"]
    assert api_as(outsider).get(f"/api/v1/documents/{document_id}").status_code == 404
    assert api_as(outsider).get(f"/api/v1/cases/{full_case.pk}/documents").status_code == 404
    api_as(officer).get(f"/api/v1/documents/{document_id}")
    assert AuditEntry.objects.filter(action="document.downloaded").count() == 1
    stored = bytes(Document.objects.get().sealed)
    assert b"%PDF" not in stored
    assert PERPETRATOR_NAME.encode() not in stored
