"""An officer completes the DASH RIC checklist section by section and sees the result."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from safehold.cases import services
from tests.browser.test_sign_in import sign_in
from tests.casedata import report

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_completes_a_checklist(page: Page, live_server, officer: Staff) -> None:
    case = services.case_open(report=report(), by=officer)
    sign_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.get_by_test_id("risk-status")).to_contain_text("To do")
    page.get_by_role("link", name="Assess risk").click()
    assert_accessible(page)
    page.get_by_role("button", name="Start").click()

    sections = 0
    yes_left = 14
    while "Finish the assessment" not in (page.get_by_role("heading", level=1).inner_text()):
        sections += 1
        assert_accessible(page)
        for group in page.locator(".govuk-radios").all():
            choice = "Yes" if yes_left > 0 else "Don't know"
            group.get_by_label(choice, exact=True).check()
            yes_left -= choice == "Yes"
        page.get_by_role("button", name="Save and continue").click()
    assert sections == 3

    assert_accessible(page)
    page.get_by_label("No", exact=True).check()
    page.get_by_label("Police call-outs to the survivor in the last 12 months").fill("1")
    page.get_by_role("button", name="See the result").click()

    expect(page.get_by_test_id("risk-level")).to_have_text("High")
    expect(page.get_by_test_id("risk-score")).to_have_text("14")
    expect(page.get_by_test_id("marac-reasons")).to_contain_text("high-risk threshold")
    assert_accessible(page)
    page.get_by_role("link", name=f"Back to {case.reference}").click()
    expect(page.get_by_test_id("marac-status")).to_have_text("Required")
    assert_accessible(page)
    page.get_by_role("link", name="Risk", exact=True).click()
    assert_accessible(page)
