"""A survivor's subject access export holds what other agencies added to her case and
what the MARAC heard and agreed about it (issue 21), redacted like the rest and flagged
for the handler's review; the alleged perpetrator's holds none of it."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework import services as casework
from safehold.marac import services as marac
from safehold.marac.models import Hearing
from safehold.partners import services as partners
from safehold.policy.loader import active_policy
from safehold.records.models import SubjectAccessRequest
from safehold.records.redaction import REDACTED
from tests.casedata import PERPETRATOR_NAME

pytestmark = pytest.mark.django_db

UPDATE = "Spoke with her on 4 December; she has a place at the group."
DECIDED = "Police to visit the home; the landlord to fit a safe letterbox."


@pytest.fixture
def heard(
    full_case: Case, officer: Staff, manager: Staff, make_staff: Callable[..., Staff]
) -> Case:
    """Her case referred to the IDVA service and to MARAC with consent, heard yesterday,
    and an update from the IDVA."""
    for agency in ("idva", "marac"):
        casework.consent_record(
            case=full_case, by=officer, agency=agency, purpose="referral", given=True
        )
        casework.referral_make(case=full_case, by=officer, agency=agency, reason="High risk")
    now = timezone.now()
    meeting = marac.meeting_create(
        conference=next(iter(active_policy().marac.conferences)),
        held_on=(now - timedelta(days=1)).date(),
        by=manager,
    )
    marac.hearing_decisions_record(
        hearing=meeting.hearings.get(),
        by=manager,
        notes=f"{DECIDED} {PERPETRATOR_NAME} is on bail.",
        actions=[
            marac.AgreedAction("police", f"Visit; warn {PERPETRATOR_NAME}", now.date()),
            marac.AgreedAction(marac.PROVIDER, "Fit a safe letterbox", now.date()),
        ],
    )
    idva = make_staff("ida.idva", role="partner", agency="idva", team="Partners")
    partners.partner_update_add(by=idva, case_id=full_case.pk, text=UPDATE)
    return full_case


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_her_export_holds_other_agencies_updates_and_the_marac_hearing(
    heard: Case, da_lead: Staff, log_request: Callable[..., SubjectAccessRequest], api_as
) -> None:
    sar = log_request(heard)
    client: Client = api_as(da_lead)
    url = f"/api/v1/subject-access-requests/{sar.pk}"
    [case] = client.get(f"{url}/export?format=json").json()["cases"]
    [update] = case["updates_from_agencies"]
    idva = active_policy().agencies["idva"].name
    assert (update["agency"], update["text"]) == (idva, UPDATE)
    [hearing] = case["marac_hearings"]
    assert hearing["decisions"] == f"{DECIDED} {REDACTED} is on bail."
    assert {(a["agency"], a["what"]) for a in hearing["actions"]} == {
        ("Police", f"Visit; warn {REDACTED}"),
        ("Your housing provider", "Fit a safe letterbox"),
    }
    # The MARAC's record is the conference's too: the handler checks it before release.
    review = client.get(url).json()["review"]
    assert "MARAC hearings" in [item["where"] for item in review]
    pdf = pdf_text(client.get(f"{url}/export?format=pdf").content)
    for text in (UPDATE, DECIDED, "Fit a safe letterbox", "MARAC meeting of"):
        assert text in pdf
    assert PERPETRATOR_NAME not in pdf


def test_the_alleged_perpetrators_export_holds_none_of_it(
    heard: Case, da_lead: Staff, log_request: Callable[..., SubjectAccessRequest], api_as
) -> None:
    perpetrator_request = log_request(heard, "alleged_perpetrator")
    client: Client = api_as(da_lead)
    text = client.get(
        f"/api/v1/subject-access-requests/{perpetrator_request.pk}/export?format=json"
    ).content.decode()
    for value in (UPDATE, DECIDED, "letterbox", "MARAC", "IDVA"):
        assert value not in text


def test_her_export_does_not_say_a_hearing_was_a_repeat(
    heard: Case, da_lead: Staff, log_request: Callable[..., SubjectAccessRequest], api_as
) -> None:
    """A repeat tells of another case of hers, which may be one the handler did not
    confirm (an impostor's): her export leaves it out, as the chronology does."""
    Hearing.objects.filter(case=heard).update(repeat=True)
    sar = log_request(heard)
    client: Client = api_as(da_lead)
    text = client.get(f"/api/v1/subject-access-requests/{sar.pk}/export?format=json")
    assert "repeat" not in json.loads(text.content)["cases"][0]["marac_hearings"][0]
