"""Letters as real PDFs: safe channels for the survivor, nothing of hers in a letter to
the alleged perpetrator, and a referral letter only on a disclosure basis (API.md §5
"Letters and documents"; issue 16 §1 "Letters are disclosures")."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework.models import Document
from safehold.policy.loader import active_policy
from safehold.privacy.models import AuditEntry
from tests.casedata import (
    CHILD,
    EMAIL,
    PERPETRATOR_NAME,
    SAFE_TIMES,
    SEEDS,
    SURVIVOR_ADDRESS,
    SURVIVOR_NAME,
    SURVIVOR_PHONE,
    pdf_text,
)

pytestmark = pytest.mark.django_db


def letter(client: Client, case: Case, **body: Any):
    return client.post(f"/api/v1/cases/{case.pk}/letters", body, content_type="application/json")


def consent(client: Client, case: Case, **body: Any):
    return client.post(f"/api/v1/cases/{case.pk}/consents", body, content_type="application/json")


def permitted(client: Client, case: Case) -> None:
    """The survivor's permission to write to the alleged perpetrator, which every bundled
    policy asks for first (tests/casework/test_perpetrator_permission.py)."""
    given = consent(client, case, purpose="contact_alleged_perpetrator", given=True)
    assert given.status_code == 201


def test_a_warning_to_the_alleged_perpetrator_holds_nothing_of_the_survivor(
    full_case: Case, officer: Staff, api_as
) -> None:
    client = api_as(officer)
    permitted(client, full_case)
    created = letter(client, full_case, kind="warning", recipient="alleged_perpetrator")
    assert created.status_code == 201
    text = pdf_text(client, created.json()["id"])
    assert PERPETRATOR_NAME in text
    assert created.json()["reference"] in text  # its own neutral reference (issue 17 §9)
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
        full_case.reference,
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
    consent(client, full_case, agency="idva", purpose="referral", given=True)  # issue 16
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
    permitted(api_as(officer), full_case)
    created = letter(api_as(officer), full_case, kind="warning", recipient="alleged_perpetrator")
    document_id = created.json()["id"]
    assert api_as(outsider).get(f"/api/v1/documents/{document_id}").status_code == 404
    assert api_as(outsider).get(f"/api/v1/cases/{full_case.pk}/documents").status_code == 404
    api_as(officer).get(f"/api/v1/documents/{document_id}")
    assert AuditEntry.objects.filter(action="document.downloaded").count() == 1
    stored = bytes(Document.objects.get().sealed)
    assert b"%PDF" not in stored
    assert PERPETRATOR_NAME.encode() not in stored


# A referral letter is a disclosure (issue 16 §1) ------------------------------------

SUMMARY = "He broke the back door at three in the morning and took her phone."
APPROVED = "Two children at home when he broke in; please visit with the school's DSL."
HERS = (SURVIVOR_ADDRESS, "Wistmoor", SURVIVOR_PHONE)


@pytest.fixture
def reported(policy: str, open_case) -> Case:
    """A case opened under the parametrised policy, with a summary a letter could leak."""
    return open_case(summary=SUMMARY)


DISCLOSURE_KEYS = ("document", "agency", "basis", "consent", "referral", "approved_by")


def disclosures(manager: Staff, case: Case, api_as) -> list[dict[str, Any]]:
    """The `disclosure.letter` entries of the case's audit trail, with what they say of
    the disclosure (not the request's own details, such as where it came from)."""
    trail = api_as(manager).get(f"/api/v1/cases/{case.pk}/audit").json()["items"]
    return [
        {key: value for key, value in item["detail"].items() if key in DISCLOSURE_KEYS}
        for item in trail
        if item["action"] == "disclosure.letter"
    ]


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_it_writes_a_referral_letter_only_while_consent_to_share_with_the_agency_stands(
    policy: str, reported: Case, officer: Staff, manager: Staff, api_as
) -> None:
    """API.md §5: "A referral letter to an agency is a disclosure: without consent to
    share with that agency or an approved disclosure to it, 422 consent_required"."""
    client = api_as(officer)
    referral = {"kind": "referral", "recipient": "agency", "agency": "idva"}
    consent(client, reported, agency="police", purpose="referral", given=True)

    refused = letter(client, reported, **referral)  # consent to the police is not to the IDVA

    assert refused.status_code == 422
    assert refused.json()["code"] == "consent_required"
    assert not Document.objects.filter(agency="idva").exists()
    assert disclosures(manager, reported, api_as) == []

    given = consent(client, reported, agency="idva", purpose="referral", given=True).json()
    made = letter(client, reported, **referral)

    assert made.status_code == 201, made.content
    text = pdf_text(client, made.json()["id"])
    assert SURVIVOR_NAME in text
    assert SUMMARY in text  # she agreed: what she told us, before any referral says more
    assert "has agreed to our sharing this with you" in text
    assert [hers for hers in HERS if hers in text] == []
    assert disclosures(manager, reported, api_as) == [
        {
            "document": made.json()["id"],
            "agency": "idva",
            "basis": "consent",
            "consent": given["id"],
        }
    ]

    consent(client, reported, agency="idva", purpose="referral", given=False)
    withdrawn = letter(client, reported, **referral)

    assert withdrawn.status_code == 422
    assert withdrawn.json()["code"] == "consent_required"


def test_consent_to_share_information_with_the_agency_is_a_basis_too(
    policy: str, reported: Case, officer: Staff, api_as
) -> None:
    client = api_as(officer)
    consent(client, reported, agency="victim_support", purpose="information_sharing", given=True)

    made = letter(client, reported, kind="referral", recipient="agency", agency="victim_support")

    assert made.status_code == 201, made.content


def test_a_referral_sent_with_consent_is_no_basis_once_she_withdraws_it(
    policy: str, reported: Case, officer: Staff, api_as
) -> None:
    """The survivor withdrawing consent stops further disclosure, though a referral went
    while it stood (docs/casework.md)."""
    client = api_as(officer)
    consent(client, reported, agency="idva", purpose="referral", given=True)
    sent = client.post(
        f"/api/v1/cases/{reported.pk}/referrals",
        {"agency": "idva", "reason": APPROVED},
        content_type="application/json",
    )
    assert sent.json()["status"] == "sent"
    made = letter(client, reported, kind="referral", recipient="agency", agency="idva")
    assert APPROVED in pdf_text(client, made.json()["id"])  # what the referral said

    consent(client, reported, agency="idva", purpose="referral", given=False)
    refused = letter(client, reported, kind="referral", recipient="agency", agency="idva")

    assert refused.status_code == 422
    assert refused.json()["code"] == "consent_required"


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_after_an_approved_disclosure_the_letter_says_only_what_was_approved(
    policy: str, reported: Case, officer: Staff, manager: Staff, api_as, request
) -> None:
    """Without consent, a letter rests on a disclosure the policy's approver approved on a
    ground the policy allows, and carries that referral's words, not the report."""
    rules = active_policy().disclosure
    client = api_as(officer)
    referral = {"kind": "referral", "recipient": "agency", "agency": "childrens_services"}
    held = client.post(
        f"/api/v1/cases/{reported.pk}/referrals",
        {
            "agency": "childrens_services",
            "reason": APPROVED,
            "without_consent": {"ground": rules.grounds[0], "explanation": "She is too afraid"},
        },
        content_type="application/json",
    ).json()
    assert held["status"] == "awaiting_approval"

    waiting = letter(client, reported, **referral)

    assert waiting.status_code == 422
    assert waiting.json()["code"] == "consent_required"

    approver = request.getfixturevalue(rules.approver_roles[0])
    approved = api_as(approver).post(
        f"/api/v1/referrals/{held['id']}/approve",
        {"note": "The children are at risk tonight"},
        content_type="application/json",
    )
    assert approved.status_code == 200, approved.content
    made = letter(client, reported, **referral)

    assert made.status_code == 201, made.content
    text = pdf_text(client, made.json()["id"])
    assert APPROVED in text
    assert SUMMARY not in text
    assert "has not agreed to our sharing this with you" in text
    assert [hers for hers in HERS if hers in text] == []
    assert disclosures(manager, reported, api_as) == [
        {
            "document": made.json()["id"],
            "agency": "childrens_services",
            "basis": f"without consent: {rules.grounds[0]}",
            "referral": held["id"],
            "approved_by": approver.username,
        }
    ]


def test_a_rejected_disclosure_is_no_basis(
    policy: str, reported: Case, officer: Staff, director: Staff, api_as
) -> None:
    client = api_as(officer)
    held = client.post(
        f"/api/v1/cases/{reported.pk}/referrals",
        {
            "agency": "police",
            "reason": APPROVED,
            "without_consent": {"ground": "child_at_risk", "explanation": "She is too afraid"},
        },
        content_type="application/json",
    ).json()
    api_as(director).post(
        f"/api/v1/referrals/{held['id']}/reject",
        {"note": "Consent can still be sought"},
        content_type="application/json",
    )

    refused = letter(client, reported, kind="referral", recipient="agency", agency="police")

    assert refused.status_code == 422
    assert refused.json()["code"] == "consent_required"


def test_the_letter_page_refuses_a_referral_letter_without_consent(
    policy: str, reported: Case, officer: Staff, outsider: Staff, as_staff, api_as
) -> None:
    client = as_staff(officer)
    form = {"kind_and_recipient": "referral:agency", "agency": "idva", "channel": "post"}

    refused = client.post(f"/cases/{reported.pk}/letters/new", form)

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "govuk-error-summary" in page
    assert "There is no consent on record to share with this agency" in page
    assert not Document.objects.exists()

    consent(api_as(officer), reported, agency="idva", purpose="referral", given=True)
    assert client.post(f"/cases/{reported.pk}/letters/new", form).status_code == 302
    assert Document.objects.get().agency == "idva"
    assert as_staff(outsider).post(f"/cases/{reported.pk}/letters/new", form).status_code == 404
