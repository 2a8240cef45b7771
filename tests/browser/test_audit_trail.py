"""A DA lead reads who has seen a case in plain words, filters it to break glass and
reads why someone broke the glass; an auditor reads the same trail without the reason
(issue 18, "Plain words"). axe runs on each page; at 375 px the trail reflows."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from tests.browser.test_sign_in import sign_in

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Covering the out-of-hours line tonight"


def test_a_da_lead_filters_the_trail_and_reads_why_the_glass_was_broken(
    page: Page, live_server, officer: Staff, outsider: Staff, da_lead: Staff
) -> None:
    from safehold.cases import services
    from tests.casedata import report

    case = services.case_open(report=report(), by=officer)
    services.break_glass(case=case, by=outsider, reason=REASON)

    sign_in(page, live_server.url, da_lead)
    page.goto(f"{live_server.url}/cases/{case.pk}/audit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Who has seen this case")
    whats = page.get_by_test_id("what")
    expect(whats.first).to_have_text("Broke the glass to open the case")
    expect(whats.last).to_have_text("Opened the case")
    expect(page.get_by_test_id("who").last).to_contain_text(officer.full_name)
    expect(page.get_by_test_id("who").last).to_contain_text("Housing officer")
    expect(page.get_by_test_id("break-glass-reason")).to_contain_text(REASON)
    assert_accessible(page)

    page.get_by_label("Show").select_option(label="Break glass")
    page.get_by_role("button", name="Show these").click()
    expect(whats).to_have_count(1)
    expect(whats.first).to_have_text("Broke the glass to open the case")
    assert "kind=break_glass" in page.url
    assert_accessible(page)

    # At 375 px the table reflows, a block per entry: nothing scrolls sideways.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/cases/{case.pk}/audit")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    expect(page.get_by_test_id("break-glass-reason")).to_be_visible()
    assert_accessible(page)


def test_an_auditor_reads_the_trail_without_the_reason(
    page: Page, live_server, officer: Staff, outsider: Staff, auditor: Staff
) -> None:
    from safehold.cases import services
    from tests.casedata import report

    case = services.case_open(report=report(), by=officer)
    services.break_glass(case=case, by=outsider, reason=REASON)

    sign_in(page, live_server.url, auditor)
    page.goto(f"{live_server.url}/audit")
    page.get_by_label("Case reference").fill(case.reference)
    page.get_by_role("button", name="Show the audit trail").click()
    expect(page.get_by_test_id("what").first).to_have_text("Broke the glass to open the case")
    expect(page.get_by_test_id("without-content")).to_be_visible()
    expect(page.get_by_test_id("break-glass-reason")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(REASON)
    assert_accessible(page)
