"""Review of issue 21: the request to let an agency's partners see a restricted case.

A restricted case (the survivor is a member of staff) is seen only by the people named on
it. A DA lead who is not named reaches it only to decide a request while it waits, as the
decision pages do (cases/access.py "Decisions"): every read of the request's page (its
case's reference and the asker's reason, sealed case text) and of the list of waiting
requests is audited, and once the request is decided it is no longer open to DA leads
who neither asked nor decided it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.privacy.models import AuditEntry
from tests.casedata import full_survivor
from tests.partners.conftest import share

pytestmark = pytest.mark.django_db

REASON = "She asked for the IDVA to see the referral"


@pytest.fixture
def restricted(open_case: Callable[..., Case], officer: Staff) -> Case:
    case = open_case(survivor=replace(full_survivor(), is_staff_member=True))
    assert case.restricted
    share(case, officer)
    return case


def ask(client: Client, case: Case) -> str:
    asked = client.post(f"/cases/{case.pk}/partner-sharing", {"agency": "idva", "reason": REASON})
    assert asked.status_code == 302, asked.content
    return str(asked["Location"])


def viewed_by(person: Staff, case: Case) -> int:
    return AuditEntry.objects.filter(
        actor=person.username, action="case.viewed", target_id=case.pk
    ).count()


def test_a_da_leads_read_of_a_request_is_audited_as_a_read_of_the_case(
    restricted: Case,
    officer: Staff,
    da_lead: Staff,
    as_staff: Callable[[Staff], Client],
) -> None:
    share_url = ask(as_staff(officer), restricted)
    lead = as_staff(da_lead)
    page = lead.get(share_url)
    assert page.status_code == 200
    assert restricted.reference in page.content.decode()
    assert REASON in page.content.decode()
    assert viewed_by(da_lead, restricted) == 1

    listed = lead.get("/partner-sharing/")
    assert restricted.reference in listed.content.decode()
    entries = AuditEntry.objects.filter(actor=da_lead.username, action="case.listed")
    assert any(restricted.pk in (e.detail.get("cases") or []) for e in entries)


def test_a_decided_request_is_closed_to_other_da_leads(
    restricted: Case,
    officer: Staff,
    da_lead: Staff,
    make_staff: Callable[..., Staff],
    as_staff: Callable[[Staff], Client],
) -> None:
    other_lead = make_staff("olu.lead", role="da_lead")
    share_url = ask(as_staff(officer), restricted)
    # While it waits, any DA lead may read it to decide it.
    assert as_staff(other_lead).get(share_url).status_code == 200
    decided = as_staff(da_lead).post(share_url, {"decision": "refuse", "note": "Not needed"})
    assert decided.status_code == 302
    # Decided: the asker and the decider still read it; another DA lead, who may not see
    # the restricted case, gets 404 as for a request that does not exist.
    assert as_staff(officer).get(share_url).status_code == 200
    assert as_staff(da_lead).get(share_url).status_code == 200
    before = viewed_by(other_lead, restricted)
    missing = as_staff(other_lead).get("/partner-sharing/rsh_00000000000000000000")
    closed = as_staff(other_lead).get(share_url)
    assert closed.status_code == missing.status_code == 404
    assert restricted.reference not in closed.content.decode()
    assert viewed_by(other_lead, restricted) == before
