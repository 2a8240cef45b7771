"""The other answers computed from cases the caller may not see (issue 17 §1,
docs/security.md "Oracles"): the intake's "this survivor already has an open case",
the case trail's opening entry and the home page's queue counts tell a reader of
nothing outside her need to know."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from tests.cases.test_pages import FORM, record
from tests.cases.test_repeat_oracles import earlier_case, probe

pytestmark = pytest.mark.django_db
ALREADY = "This survivor already has an open case"


def test_it_offers_no_hidden_case_at_intake(
    officer: Staff, outsider: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    record(as_staff(officer), FORM)
    check = as_staff(outsider).post("/cases/new", {**FORM, "step": "check"}).content.decode()
    assert ALREADY not in check
    assert Case.objects.get().reference not in check


def test_it_offers_the_case_at_intake_to_its_officer(
    officer: Staff, outsider: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    """The failure twin's setup, checked by the officer on the case."""
    record(as_staff(officer), FORM)
    check = as_staff(officer).post("/cases/new", {**FORM, "step": "check"}).content.decode()
    assert ALREADY in check


def test_it_writes_no_repeat_into_the_trail_a_manager_reads(
    officer: Staff,
    outsider: Staff,
    make_staff: Callable[..., Staff],
    api_as: Callable[[Staff], Client],
) -> None:
    """The other team's manager reads the probe case's trail, not the earlier case."""
    earlier_case(api_as(officer), restricted=False)
    new = probe(api_as(outsider), reported_at="2026-11-21T09:00:00+00:00")
    riverside_manager = make_staff("rita.manager", role="manager", team="Riverside")
    trail = api_as(riverside_manager).get(f"/api/v1/cases/{new['id']}/audit")
    assert trail.status_code == 200, trail.content
    opened = [e for e in trail.json()["items"] if e["action"] == "case.opened"]
    assert len(opened) == 1
    assert "repeat" not in opened[0]["detail"]
    assert Case.objects.get(pk=new["id"]).repeat is True


def test_it_counts_only_the_readers_cases_on_the_home_page(
    officer: Staff, outsider: Staff, as_staff: Callable[[Staff], Client]
) -> None:
    record(as_staff(officer), FORM)
    record(as_staff(outsider), FORM)
    home = as_staff(outsider).get("/").content.decode()
    found = re.search(r"Awaiting first contact</a></dt>\s*<dd[^>]*>(\d+)</dd>", home)
    assert found is not None
    assert found.group(1) == "1"
    assert Case.objects.count() == 2


def test_it_lists_no_hidden_case_among_a_subject_access_requests_other_cases(
    open_case: Callable[..., Case],
    officer: Staff,
    outsider: Staff,
    da_lead: Staff,
    director: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    """Her restricted case (a colleague), which the DA lead is not named on, is not among
    the "other cases recorded with the same name and date of birth" of a request logged
    on another team's case of hers."""
    from dataclasses import replace

    from tests.casedata import report
    from tests.records.test_impostor import api, logged

    hidden = open_case(
        survivor=replace(report().survivor, is_staff_member=True), alleged_perpetrators=()
    )
    seen = open_case(by=outsider)
    assert hidden.restricted
    assert seen.survivor_identity_id == hidden.survivor_identity_id
    lead = api_as(da_lead)
    sar = logged(lead, seen)
    checked = api(
        api_as(director),
        "post",
        f"/subject-access-requests/{sar}/verification",
        {"method": "safe_phone_call_back", "notes": "Called back on the number on the case"},
    )
    assert checked.status_code == 200, checked.content
    listed = api(lead, "get", f"/subject-access-requests/{sar}")
    assert [c["reference"] for c in listed.json()["candidates"]] == [seen.reference]
    assert hidden.reference not in listed.content.decode()
