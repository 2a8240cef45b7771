"""An officer on the phone records a report, sees the deadline, records first contact
and sees the response target met."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from tests.browser.test_sign_in import sign_in

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_records_a_report_and_first_contact(
    page: Page, live_server, officer: Staff
) -> None:
    sign_in(page, live_server.url, officer)
    assert_accessible(page)
    page.get_by_role("link", name="Record a report").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a report")
    assert_accessible(page)

    page.get_by_label("The survivor", exact=True).check()
    page.get_by_label("Physical").check()
    page.get_by_label("What was reported").fill("Called from a friend's phone. <b>Scared</b>.")
    page.get_by_label("Full name").first.fill("Rosalind Treadwell")
    page.get_by_label("Female", exact=True).first.check()  # the survivor's; then each perpetrator's
    born = page.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill("3")
    born.get_by_label("Month").fill("7")
    born.get_by_label("Year").fill("1990")
    page.get_by_label("Safe phone number").fill("07700 900123")
    page.locator("#id_post_ok_1").check()  # No letters by post
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before recording the report"
    )
    expect(page.get_by_test_id("check-name")).to_have_text("Rosalind Treadwell")
    expect(page.get_by_role("definition").filter(has_text="3 July 1990")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Record the report").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Case DA-")
    expect(page.get_by_test_id("survivor-name")).to_have_text("Rosalind Treadwell")
    expect(page.get_by_test_id("response-due")).to_contain_text("By ")
    expect(page.get_by_test_id("response-status")).to_have_text("Due")
    expect(page.get_by_text("Called from a friend's phone. <b>Scared</b>.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Record a contact").click()
    page.get_by_label("Survivor", exact=True).check()
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("We contacted them").check()
    page.get_by_label("Notes").fill("Safe to talk; agreed a visit.")
    assert_accessible(page)
    page.get_by_role("button", name="Save contact").click()

    expect(page.get_by_test_id("response-status")).to_have_text("Met")
    assert_accessible(page)

    page.get_by_role("link", name="Home").click()
    assert_accessible(page)


def test_a_manager_assigns_and_reads_who_has_seen_the_case(
    page: Page, live_server, officer: Staff, manager: Staff
) -> None:
    from safehold.cases import services
    from tests.casedata import report

    case = services.case_open(report=report(), by=officer)
    sign_in(page, live_server.url, manager)
    expect(page.get_by_role("link", name=case.reference).first).to_be_visible()
    page.get_by_role("link", name=case.reference).first.click()
    page.get_by_role("link", name="Assign an officer").click()
    assert_accessible(page)
    page.get_by_label("Officer").select_option(officer.username)
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("Officer assigned")).to_be_visible()
    page.get_by_role("link", name="Who has seen this case").click()
    expect(page.get_by_role("cell", name="Assigned the case")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Cases", exact=True).click()
    page.get_by_role("link", name="Find a case").click()
    search_box = "Survivor's name, date of birth, phone number, postcode or a reference"
    page.get_by_label(search_box).fill(case.reference)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("policy", ["viridian"], indirect=True)
def test_a_childs_report_is_flagged_and_the_offer_is_asked(
    page: Page, live_server, officer: Staff, policy: str
) -> None:
    # [003 Service Standards] "We will always offer the option of the interview being
    # undertaken by an officer of the "same sex""; a survivor under 16 is recorded and
    # routed to children's services for safeguarding.
    from dataclasses import replace
    from datetime import date

    from django.utils import timezone

    from safehold.cases import services
    from tests.casedata import report

    fifteen = date(timezone.now().year - 15, 1, 1)  # 15 on every day of this year
    child = replace(report().survivor, date_of_birth=fifteen)
    case = services.case_open(report=report(survivor=child), by=officer)
    sign_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")

    expect(page.get_by_test_id("under-age-banner")).to_be_visible()
    expect(page.get_by_test_id("same-sex-offer")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("No, they declined").check()
    page.get_by_role("button", name="Save the answer").click()
    expect(page.get_by_test_id("same-sex-answer")).to_have_text("Offered and declined")
    page.get_by_role("link", name="Refer to children's services (safeguarding)").click()
    expect(page.get_by_label("Agency")).to_have_value("childrens_services")
    assert_accessible(page)
