"""The MARAC pack (issue 21, docs/marac.md "The MARAC pack"): a PDF of the meeting's
cases the requester may see, each with only what its disclosure to MARAC allows, read
back as a reader would with pdftotext (Debian's poppler-utils, installed by scripts/test);
making it is a disclosure on each case's audit trail; anyone who may not see the meeting's cases
gets 404."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.marac.models import Meeting
from safehold.privacy.models import AuditEntry
from tests.casedata import (
    CHILD,
    EMAIL,
    PERPETRATOR_ADDRESS,
    PERPETRATOR_NAME,
    SAFE_TIMES,
    SURVIVOR_ADDRESS,
    SURVIVOR_NAME,
    SURVIVOR_PHONE,
)
from tests.marac.hearings import REFERRAL_REASON, listed, meeting_on, referred

pytestmark = pytest.mark.django_db
INCIDENT = "He waited outside the school gates on Friday."


@dataclass
class Listed:
    meeting: Meeting
    consented: Case
    without_consent: Case
    withdrawn: Case


@pytest.fixture
def meeting(
    full_case: Case,
    open_case: Callable[..., Case],
    officer: Staff,
    da_lead: Staff,
    api_as: Callable[[Staff], Client],
) -> Listed:
    """Three cases on one meeting's list: one referred with her consent (with a further
    incident and every detail a leak could carry), one referred on an approved disclosure
    without consent, one whose consent to share with MARAC was withdrawn after referral."""
    client = api_as(officer)
    incident = client.post(
        f"/api/v1/cases/{full_case.pk}/incidents",
        {"source": "self", "abuse_types": ["physical"], "summary": INCIDENT},
        content_type="application/json",
    )
    assert incident.status_code == 201, incident.content
    meeting = meeting_on(officer, timezone.localdate() + timedelta(days=7))
    listed(full_case, officer, meeting=meeting, repeat=False)
    without = open_case()
    listed(
        without, officer, meeting=meeting, referral=referred(without, officer, with_consent=False)
    )
    withdrawn = open_case()
    listed(withdrawn, officer, meeting=meeting)
    body = {"agency": "marac", "purpose": "referral", "given": False}
    refused = client.post(
        f"/api/v1/cases/{withdrawn.pk}/consents", body, content_type="application/json"
    )
    assert refused.status_code == 201, refused.content
    return Listed(meeting, full_case, without, withdrawn)


def pack_url(meeting: Meeting) -> str:
    return f"/marac/meetings/{meeting.pk}/pack"


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "pdftotext (poppler-utils) is needed: TESTING.md"
    out = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def section(text: str, reference: str, following: list[str]) -> str:
    start = text.index(reference)
    ends = [text.index(ref, start + 1) for ref in following if ref in text[start + 1 :]]
    return text[start : min(ends) if ends else len(text)]


def test_the_pack_holds_what_each_disclosure_allows_and_nothing_else(
    meeting: Listed, officer: Staff, as_staff: Callable[[Staff], Client], tmp_path: Path
) -> None:
    client = as_staff(officer)
    page = client.get(pack_url(meeting.meeting))
    assert page.status_code == 200
    assert "Make the MARAC pack" in page.content.decode()

    answer = client.post(pack_url(meeting.meeting))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith("attachment;")
    text = pdf_text(answer.content, tmp_path)

    refs = [meeting.consented.reference, meeting.without_consent.reference]
    refs.append(meeting.withdrawn.reference)
    assert "MARAC pack: Local MARAC" in text
    consented = section(text, refs[0], refs[1:])
    assert "With her consent" in consented
    assert "New" in consented
    assert "High" in consented
    assert "16" in consented
    assert "Visible high risk" in consented
    assert REFERRAL_REASON in consented
    assert "Chronology summary" in consented
    assert "Report received" in consented
    assert "Further incident reported" in consented
    assert "Referred to MARAC" in consented

    without = section(text, refs[1], [refs[0], refs[2]])
    assert "Without her consent, approved" in without
    assert REFERRAL_REASON in without
    assert "Chronology not shared" in without
    assert "Further incident reported" not in without

    withdrawn = section(text, refs[2], refs[:2])
    assert "Nothing may be shared" in withdrawn
    assert REFERRAL_REASON not in withdrawn

    for secret in (
        SURVIVOR_NAME,
        SURVIVOR_ADDRESS,
        SURVIVOR_PHONE,
        EMAIL,
        SAFE_TIMES,
        CHILD,
        PERPETRATOR_NAME,
        PERPETRATOR_ADDRESS,
        INCIDENT,
        "Reported by phone",  # the report's summary, never in the referral
        "T-55821",
    ):
        assert secret not in text, secret


def test_making_the_pack_is_a_disclosure_on_each_cases_trail(
    meeting: Listed, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    assert as_staff(officer).post(pack_url(meeting.meeting)).status_code == 200
    entries = {
        entry.target_id: entry.detail
        for entry in AuditEntry.objects.filter(action="disclosure.marac_pack")
    }
    assert entries[meeting.consented.pk]["shared"] == "yes"
    assert entries[meeting.consented.pk]["basis"] == "consent"
    assert entries[meeting.consented.pk]["meeting"] == meeting.meeting.pk
    assert entries[meeting.without_consent.pk]["basis"].startswith("without consent:")
    assert entries[meeting.without_consent.pk]["approved_by"]
    withdrawn = entries[meeting.withdrawn.pk]
    assert (withdrawn["shared"], withdrawn["agency"], withdrawn["basis"]) == ("no", "marac", "none")
    assert set(
        AuditEntry.objects.filter(action="disclosure.marac_pack").values_list("actor", flat=True)
    ) == {officer.username}


def test_the_meeting_page_leads_to_the_pack(
    meeting: Listed, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    page = as_staff(officer).get(f"/marac/meetings/{meeting.meeting.pk}/").content.decode()
    assert f'href="{pack_url(meeting.meeting)}"' in page
    # Opening the page is not making the pack: nothing is disclosed until it is asked for.
    assert as_staff(officer).get(pack_url(meeting.meeting)).status_code == 200
    assert not AuditEntry.objects.filter(action="disclosure.marac_pack").exists()


def test_the_pack_holds_only_the_cases_the_requester_may_see(
    meeting: Listed,
    open_case: Callable[..., Case],
    outsider: Staff,
    as_staff: Callable[[Staff], Client],
    tmp_path: Path,
) -> None:
    theirs = open_case(by=outsider, team="Riverside")
    listed(theirs, outsider, meeting=meeting.meeting)
    answer = as_staff(outsider).post(pack_url(meeting.meeting))
    assert answer.status_code == 200
    text = pdf_text(answer.content, tmp_path)
    assert theirs.reference in text
    for case in (meeting.consented, meeting.without_consent, meeting.withdrawn):
        assert case.reference not in text
    assert not AuditEntry.objects.filter(
        action="disclosure.marac_pack", target_id=meeting.consented.pk
    ).exists()


@pytest.mark.parametrize("who", ["outsider", "auditor", "admin"])
def test_who_may_see_none_of_its_cases_gets_404(
    request: pytest.FixtureRequest, meeting: Listed, who: str, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(request.getfixturevalue(who))
    assert client.get(pack_url(meeting.meeting)).status_code == 404
    assert client.post(pack_url(meeting.meeting)).status_code == 404
    assert not AuditEntry.objects.filter(action="disclosure.marac_pack").exists()


def test_a_missing_meeting_is_the_same_404(
    meeting: Listed, officer: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(officer)
    assert client.get("/marac/meetings/mtg_00000000000000000000/pack").status_code == 404
    assert client.post("/marac/meetings/mtg_00000000000000000000/pack").status_code == 404
