"""Dead ends removed (issue 18): an officer on the phone records a report and takes the
case as theirs; it is assigned to them at once. A survivor who asked for an officer of
her own sex keeps the report recorded when the recorder may not take it, and the page
says why. axe runs on every page visited."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from tests.browser.test_sign_in import sign_in

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_report(page: Page, name: str) -> None:
    page.get_by_role("link", name="Record a report").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a report")
    page.get_by_label("The survivor", exact=True).check()
    page.get_by_label("Physical").check()
    page.get_by_label("Full name").first.fill(name)
    page.get_by_label("Female", exact=True).first.check()


def test_an_officer_records_a_report_and_takes_the_case_as_theirs(
    page: Page, live_server, officer: Staff
) -> None:
    sign_in(page, live_server.url, officer)
    fill_report(page, "Imogen Thistlewood")
    page.get_by_label("Take this case as mine").check()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_test_id("check-take_case")).to_have_text("Yes")
    assert_accessible(page)
    page.get_by_role("button", name="Record the report").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Case DA-")
    expect(page.get_by_text("The case is assigned to you, as one of your cases")).to_be_visible()
    assert_accessible(page)
    assert Case.objects.get().assigned_officer_id == officer.pk

    page.get_by_role("link", name="Home").click()
    reference = Case.objects.get().reference
    row = page.get_by_role("row").filter(has_text=reference).first
    expect(row).to_contain_text(officer.full_name)
    assert_accessible(page)


def test_a_refused_taking_records_the_report_and_says_why(
    page: Page, live_server, teammate: Staff
) -> None:
    sign_in(page, live_server.url, teammate)
    fill_report(page, "Juniper Ashcombe")
    page.get_by_label("Yes, they would like one").check()
    page.get_by_label("Take this case as mine").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record the report").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Case DA-")
    expect(page.get_by_text("The case was not assigned to you.")).to_be_visible()
    expect(page.get_by_text("asked for an officer of their own sex").first).to_be_visible()
    assert_accessible(page)
    assert Case.objects.get().assigned_officer_id is None
