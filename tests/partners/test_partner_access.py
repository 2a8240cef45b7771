"""Partner access (issue 21): a partner at another agency sees only what was shared with
their agency, only while the sharing stands, through the partner pages and
`/api/v1/partner/...`; everything else is 404 as for a case that does not exist."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import replace

from django.test import Client
from pypdf import PdfReader

from safehold.accounts.models import Staff
from safehold.cases.models import Alert, Case
from safehold.casework import services
from safehold.casework.models import Document
from safehold.partners.models import PartnerUpdate
from safehold.privacy.models import AuditEntry
from tests.casedata import (
    CHILD,
    EMAIL,
    PERPETRATOR_ADDRESS,
    SAFE_TIMES,
    SURVIVOR_ADDRESS,
    SURVIVOR_NAME,
    SURVIVOR_PHONE,
    full_survivor,
)
from tests.partners.conftest import REASON, share

NEVER_SHOWN = (SURVIVOR_ADDRESS, SURVIVOR_PHONE, EMAIL, SAFE_TIMES, CHILD, PERPETRATOR_ADDRESS)
MISSING = "case_00000000000000000000"


def as_seen(content: bytes) -> str:
    """The page without its per-answer nonce and form token."""
    text = re.sub(r'nonce="[^"]*"', "", content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)


def shows_nothing_private(text: str) -> None:
    for secret in (*NEVER_SHOWN, SURVIVOR_NAME):
        assert secret not in text


def test_a_partner_of_the_referred_agency_sees_the_shared_view(
    shared: Case, partner: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(partner)
    listing = client.get("/partner/")
    assert listing.status_code == 200
    assert shared.reference in listing.content.decode()

    page = client.get(f"/partner/cases/{shared.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert shared.reference in text
    assert REASON in text
    assert "With the survivor&#x27;s consent" in text or "With the survivor's consent" in text
    assert "Referral letter" in text
    shows_nothing_private(text)


def test_the_api_gives_a_partner_the_same_shared_view(
    shared: Case, partner: Staff, api_as: Callable[[Staff], Client]
) -> None:
    client = api_as(partner)
    listing = client.get("/api/v1/partner/cases")
    assert listing.status_code == 200
    assert [c["reference"] for c in listing.json()["items"]] == [shared.reference]

    answer = client.get(f"/api/v1/partner/cases/{shared.pk}")
    assert answer.status_code == 200
    body = answer.json()
    assert body["reference"] == shared.reference
    assert body["agency"] == "idva"
    assert [(r["basis"], r["reason"]) for r in body["referrals"]] == [("consent", REASON)]
    assert [d["kind"] for d in body["documents"]] == ["referral"]
    shows_nothing_private(answer.content.decode())


def test_the_referral_letter_is_the_only_place_her_name_is_and_never_her_address(
    shared: Case, partner: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    document = Document.objects.get(case=shared, agency="idva")
    client = as_staff(partner)
    response = client.get(f"/partner/cases/{shared.pk}/documents/{document.pk}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(
        " ".join(page.extract_text().split())
        for page in PdfReader(io.BytesIO(response.content)).pages
    )
    assert SURVIVOR_NAME in text
    for secret in NEVER_SHOWN:
        assert secret not in text
    assert AuditEntry.objects.filter(
        actor=partner.username, action="document.downloaded", target_id=shared.pk
    ).exists()


def test_a_partner_of_another_agency_gets_404_as_for_a_missing_case(
    shared: Case,
    police_partner: Staff,
    as_staff: Callable[[Staff], Client],
    api_as: Callable[[Staff], Client],
) -> None:
    client = as_staff(police_partner)
    assert shared.reference not in client.get("/partner/").content.decode()
    page = client.get(f"/partner/cases/{shared.pk}/")
    missing = client.get(f"/partner/cases/{MISSING}/")
    assert page.status_code == missing.status_code == 404
    assert as_seen(page.content) == as_seen(missing.content)
    api = api_as(police_partner)
    answer = api.get(f"/api/v1/partner/cases/{shared.pk}")
    none = api.get(f"/api/v1/partner/cases/{MISSING}")
    assert answer.status_code == none.status_code == 404
    assert answer.json() == none.json()
    assert api.get("/api/v1/partner/cases").json() == {"items": [], "next_page": None}
    document = Document.objects.get(case=shared, agency="idva")
    assert client.get(f"/partner/cases/{shared.pk}/documents/{document.pk}").status_code == 404
    posted = api.post(
        f"/api/v1/partner/cases/{shared.pk}/updates",
        {"text": "Hello"},
        content_type="application/json",
    )
    assert posted.status_code == 404
    assert not PartnerUpdate.objects.exists()


def test_withdrawn_consent_ends_the_sharing(
    shared: Case,
    officer: Staff,
    partner: Staff,
    as_staff: Callable[[Staff], Client],
    api_as: Callable[[Staff], Client],
) -> None:
    client, api = as_staff(partner), api_as(partner)
    assert client.get(f"/partner/cases/{shared.pk}/").status_code == 200
    services.consent_record(
        case=shared, by=officer, agency="idva", purpose="information_sharing", given=False
    )
    missing = client.get(f"/partner/cases/{MISSING}/")
    page = client.get(f"/partner/cases/{shared.pk}/")
    assert page.status_code == 404
    assert as_seen(page.content) == as_seen(missing.content)
    assert api.get(f"/api/v1/partner/cases/{shared.pk}").status_code == 404
    assert api.get("/api/v1/partner/cases").json() == {"items": [], "next_page": None}
    document = Document.objects.get(case=shared, agency="idva")
    assert client.get(f"/partner/cases/{shared.pk}/documents/{document.pk}").status_code == 404
    posted = client.post(f"/partner/cases/{shared.pk}/updates/new", {"text": "Still here"})
    assert posted.status_code == 404
    assert not PartnerUpdate.objects.exists()


def test_an_approved_disclosure_without_consent_is_shared(
    full_case: Case,
    officer: Staff,
    da_lead: Staff,
    partner: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    referral = services.referral_make(
        case=full_case,
        by=officer,
        agency="idva",
        reason="Risk of serious harm to her.",
        ground="risk_of_serious_harm",
        explanation="Threats to kill on 2 December.",
    )
    api = api_as(partner)
    assert api.get(f"/api/v1/partner/cases/{full_case.pk}").status_code == 404  # not yet sent
    services.referral_decide(referral=referral, by=da_lead, approve=True, note="Serious harm")
    body = api.get(f"/api/v1/partner/cases/{full_case.pk}").json()
    assert [r["basis"] for r in body["referrals"]] == ["without consent: risk_of_serious_harm"]
    assert "Threats to kill" not in str(body)  # the explanation is the approver's, not shared


def test_a_restricted_case_needs_a_da_leads_approval(
    open_case: Callable[..., Case],
    officer: Staff,
    da_lead: Staff,
    make_staff: Callable[..., Staff],
    partner: Staff,
    as_staff: Callable[[Staff], Client],
    api_as: Callable[[Staff], Client],
) -> None:
    # The survivor is a member of staff: the case is restricted, named only to its officer.
    case = open_case(survivor=replace(full_survivor(), is_staff_member=True))
    assert case.restricted
    share(case, officer)
    api = api_as(partner)
    assert api.get(f"/api/v1/partner/cases/{case.pk}").status_code == 404
    assert api.get("/api/v1/partner/cases").json() == {"items": [], "next_page": None}

    asker = as_staff(officer)
    assert f"/cases/{case.pk}/partner-sharing" in asker.get(f"/cases/{case.pk}/").content.decode()
    asked = asker.post(
        f"/cases/{case.pk}/partner-sharing", {"agency": "idva", "reason": "She asked for it"}
    )
    assert asked.status_code == 302
    share_url = asked["Location"]
    alerts = Alert.objects.filter(recipient=da_lead, link__startswith="/partner-sharing/")
    assert [a.link for a in alerts] == [share_url]
    assert case.reference not in alerts[0].message
    # The asker may not decide on their own request: no buttons, and a POST is refused.
    assert "Approve" not in asker.get(share_url).content.decode()
    refused = asker.post(share_url, {"decision": "approve", "note": "Mine"})
    assert refused.status_code == 403
    assert api.get(f"/api/v1/partner/cases/{case.pk}").status_code == 404
    # A partner cannot reach the request either.
    assert as_staff(partner).get(share_url).status_code == 404

    lead = as_staff(da_lead)
    no_reason = lead.post(share_url, {"decision": "approve", "note": ""})
    assert no_reason.status_code == 400
    assert api.get(f"/api/v1/partner/cases/{case.pk}").status_code == 404
    approved = lead.post(share_url, {"decision": "approve", "note": "IDVA support is vital"})
    assert approved.status_code == 302
    assert api.get(f"/api/v1/partner/cases/{case.pk}").status_code == 200
    assert AuditEntry.objects.filter(
        actor=da_lead.username, action="disclosure.partner_share_approved"
    ).exists()


def test_an_erased_case_is_never_shown(
    shared: Case, partner: Staff, api_as: Callable[[Staff], Client]
) -> None:
    from django.utils import timezone

    Case.objects.filter(pk=shared.pk).update(erased_at=timezone.now())
    api = api_as(partner)
    assert api.get(f"/api/v1/partner/cases/{shared.pk}").status_code == 404
    assert api.get("/api/v1/partner/cases").json() == {"items": [], "next_page": None}


def test_every_partner_read_is_audited(
    shared: Case,
    partner: Staff,
    as_staff: Callable[[Staff], Client],
    api_as: Callable[[Staff], Client],
) -> None:
    as_staff(partner).get(f"/partner/cases/{shared.pk}/")
    api_as(partner).get(f"/api/v1/partner/cases/{shared.pk}")
    viewed = AuditEntry.objects.filter(
        actor=partner.username, action="case.viewed", target_id=shared.pk
    )
    assert sorted(e.detail["via"] for e in viewed) == ["partner", "partner_api"]
    assert all(e.detail["agency"] == "idva" for e in viewed)
    as_staff(partner).get("/partner/")
    # One entry for the page, naming the cases listed (as the case list's).
    [listed] = AuditEntry.objects.filter(actor=partner.username, action="case.listed")
    assert (listed.detail["cases"], listed.detail["via"]) == ([shared.pk], "partner")


def test_an_update_is_recorded_as_from_the_agency_and_shown_to_staff(
    shared: Case,
    officer: Staff,
    partner: Staff,
    as_staff: Callable[[Staff], Client],
    api_as: Callable[[Staff], Client],
) -> None:
    client = as_staff(partner)
    posted = client.post(
        f"/partner/cases/{shared.pk}/updates/new",
        {"text": "Met her at the refuge. <script>alert(1)</script>"},
    )
    assert posted.status_code == 302
    answer = api_as(partner).post(
        f"/api/v1/partner/cases/{shared.pk}/updates",
        {"text": "Safety plan agreed."},
        content_type="application/json",
    )
    assert answer.status_code == 201
    assert answer.json()["agency"] == "idva"
    updates = PartnerUpdate.objects.filter(case=shared)
    assert sorted(u.agency for u in updates) == ["idva", "idva"]
    assert all(b"Safety plan" not in bytes(u.sealed) for u in updates)  # sealed

    page = client.get(f"/partner/cases/{shared.pk}/").content.decode()
    assert "Safety plan agreed." in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page

    chronology = as_staff(officer).get(f"/cases/{shared.pk}/chronology").content.decode()
    assert "Update from" in chronology
    assert "Safety plan agreed." in chronology
    assert (
        AuditEntry.objects.filter(actor=partner.username, action="partner.update_added").count()
        == 2
    )


def test_bad_updates_are_refused_and_store_nothing(
    shared: Case,
    partner: Staff,
    as_staff: Callable[[Staff], Client],
    api_as: Callable[[Staff], Client],
) -> None:
    api = api_as(partner)
    url = f"/api/v1/partner/cases/{shared.pk}/updates"
    assert api.post(url, "{not json", content_type="application/json").status_code == 400
    assert api.post(url, {"text": 5}, content_type="application/json").status_code == 400
    assert (
        api.post(
            url, {"text": "x", "agency": "police"}, content_type="application/json"
        ).status_code
        == 400
    )
    blank = api.post(url, {"text": "   "}, content_type="application/json")
    assert blank.status_code == 422
    assert blank.json()["code"] == "text_required"
    assert api.post(url, {"text": "x" * 5001}, content_type="application/json").status_code == 400
    page = as_staff(partner).post(f"/partner/cases/{shared.pk}/updates/new", {"text": ""})
    assert page.status_code == 400
    assert "Enter the update" in page.content.decode()
    assert not PartnerUpdate.objects.exists()


def test_staff_have_no_partner_pages_or_api(
    shared: Case,
    officer: Staff,
    da_lead: Staff,
    as_staff: Callable[[Staff], Client],
    api_as: Callable[[Staff], Client],
) -> None:
    for person in (officer, da_lead):
        assert as_staff(person).get("/partner/").status_code == 404
        assert as_staff(person).get(f"/partner/cases/{shared.pk}/").status_code == 404
        api = api_as(person)
        assert api.get("/api/v1/partner/cases").status_code == 403
        assert api.get(f"/api/v1/partner/cases/{shared.pk}").status_code == 403


def test_a_partners_home_is_their_partner_page(
    partner: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    response = as_staff(partner).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/partner/"
