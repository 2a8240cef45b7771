"""The list of cases shared with a partner's agency (issue 21, and issue 19's bounded
lists): which cases stand, newest referral first, a page at a time, in a fixed number of
queries whatever their number, and one audit entry a page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework import services
from safehold.partners import selectors
from safehold.privacy.models import AuditEntry
from tests.partners.conftest import share

pytestmark = pytest.mark.django_db


def referred(open_case: Callable[..., Case], officer: Staff) -> Case:
    case = open_case()
    share(case, officer)
    return case


def test_the_list_holds_the_cases_whose_sharing_stands_newest_first(
    open_case: Callable[..., Case],
    officer: Staff,
    da_lead: Staff,
    partner: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    first = referred(open_case, officer)
    withdrawn = referred(open_case, officer)
    services.consent_record(
        case=withdrawn, by=officer, agency="idva", purpose="referral", given=False
    )
    # Consent withdrawn, but a disclosure without it approved since: shared on that basis.
    disclosed = referred(open_case, officer)
    services.consent_record(
        case=disclosed, by=officer, agency="idva", purpose="referral", given=False
    )
    held = services.referral_make(
        case=disclosed,
        by=officer,
        agency="idva",
        reason="Threats to kill",
        ground="risk_of_serious_harm",
        explanation="She cannot be asked safely",
    )
    services.referral_decide(referral=held, by=da_lead, approve=True, note="Serious harm")
    restricted = referred(open_case, officer)
    Case.objects.filter(pk=restricted.pk).update(restricted=True)  # no DA lead's approval
    other_agency = open_case()
    share(other_agency, officer, agency="police")
    last = referred(open_case, officer)

    items = api_as(partner).get("/api/v1/partner/cases").json()["items"]
    assert [item["reference"] for item in items] == [
        last.reference,
        disclosed.reference,
        first.reference,
    ]


def test_the_list_is_paged_with_fixed_queries_and_one_audit_entry_a_page(
    open_case: Callable[..., Case],
    officer: Staff,
    partner: Staff,
    as_staff: Callable[[Staff], Client],
    api_as: Callable[[Staff], Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(selectors, "SHARED_PAGE", 2)
    client, api = as_staff(partner), api_as(partner)
    oldest = referred(open_case, officer)
    assert client.get("/partner/").status_code == 200  # warm: a session's first writes
    with CaptureQueriesContext(connection) as one:
        client.get("/partner/")
    middle, newest = referred(open_case, officer), referred(open_case, officer)
    with CaptureQueriesContext(connection) as three:
        page = client.get("/partner/").content.decode()
    assert len(three) == len(one)
    assert newest.reference in page
    assert middle.reference in page
    assert oldest.reference not in page
    assert 'href="?page=2"' in page
    second = client.get("/partner/?page=2").content.decode()
    assert oldest.reference in second
    assert newest.reference not in second
    entries = AuditEntry.objects.filter(actor=partner.username, action="case.listed")
    assert [e.detail["cases"] for e in entries.order_by("seq")][-2:] == [
        [newest.pk, middle.pk],
        [oldest.pk],
    ]
    answer = api.get("/api/v1/partner/cases").json()
    assert answer["next_page"] == 2
    assert api.get("/api/v1/partner/cases?page=2").json()["next_page"] is None
    assert client.get("/partner/?page=0").status_code == 404
    assert client.get("/partner/?page=x").status_code == 404
    assert api.get("/api/v1/partner/cases?page=0").status_code == 422


def test_the_forms_to_add_to_a_case_record_their_read_of_it(
    shared: Case, partner: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    client = as_staff(partner)
    for form in ("updates/new", "uploads/new"):
        assert client.get(f"/partner/cases/{shared.pk}/{form}").status_code == 200
    viewed = AuditEntry.objects.filter(
        actor=partner.username, action="case.viewed", target_id=shared.pk
    )
    assert [(e.detail["via"], e.detail["agency"]) for e in viewed] == [("partner", "idva")] * 2
