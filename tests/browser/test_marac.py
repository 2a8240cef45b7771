"""A DA lead adds a MARAC meeting, sees its list with a case referred to MARAC, and
records what the MARAC decided: the provider's own action lands on the case's plan.
Every page is checked with axe (issue 21, docs/marac.md)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from safehold.cases import services
from tests.browser.test_sign_in import sign_in
from tests.casedata import report
from tests.marac.conftest import assessed, referred

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_date(page: Page, prefix: str, day: object) -> None:
    page.locator(f"#{prefix}_0").fill(str(day.day))  # type: ignore[attr-defined]
    page.locator(f"#{prefix}_1").fill(str(day.month))  # type: ignore[attr-defined]
    page.locator(f"#{prefix}_2").fill(str(day.year))  # type: ignore[attr-defined]


def test_a_meeting_its_list_and_the_decisions(
    page: Page, live_server, officer: Staff, da_lead: Staff
) -> None:
    case = services.case_open(report=report(), by=officer)
    assessed(case, officer)
    referred(case, officer)
    today = timezone.localdate()
    sign_in(page, live_server.url, da_lead)

    page.goto(f"{live_server.url}/marac")
    page.get_by_role("link", name="MARAC meetings").click()
    assert_accessible(page)
    page.get_by_role("button", name="Add a meeting").click()
    assert_accessible(page)
    page.get_by_role("button", name="Add the meeting").click()  # no date yet
    expect(page.get_by_role("alert")).to_contain_text("Enter the date of the meeting")
    assert_accessible(page)
    fill_date(page, "id_held_on", today)
    page.get_by_role("button", name="Add the meeting").click()
    expect(page.get_by_text("Meeting added and its list built")).to_be_visible()
    row = page.get_by_test_id(f"hearing-{case.reference}")
    expect(row).to_contain_text("New")
    expect(row).to_contain_text("High")
    assert_accessible(page)

    row.get_by_role("link", name="Record the decisions").click()
    assert_accessible(page)
    page.get_by_label("What did the MARAC decide?").fill("Safety plan; target hardening.")
    page.locator("#id_agency_1").select_option("provider")
    page.locator("#id_what_1").fill("Fit a door chain")
    fill_date(page, "id_due_1", today + timedelta(days=14))
    page.locator("#id_agency_2").select_option("police")
    page.locator("#id_what_2").fill("Flag the address")
    page.get_by_role("button", name="Record the decisions").click()
    expect(page.get_by_role("alert")).to_contain_text("Action 2: enter the date it is due by")
    assert_accessible(page)
    fill_date(page, "id_due_2", today + timedelta(days=7))
    page.get_by_role("button", name="Record the decisions").click()
    expect(page.get_by_text("The MARAC's decisions are recorded")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=case.reference, exact=True).first.click()
    expect(page.get_by_test_id("marac-actions")).to_contain_text("Fit a door chain")
    expect(page.get_by_test_id("marac-actions")).to_contain_text("on the action plan")
    expect(page.get_by_test_id("plan")).to_contain_text("Fit a door chain")
    assert_accessible(page)
