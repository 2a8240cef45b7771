"""An officer adds the alleged perpetrator's postal address after the report: "Change"
beside it on the case page, the form with what is kept, an error for a date of birth in
the future on the survivor's form, "check your changes", save, and the letter by post
is then accepted (issue 18, "Letters fit to send"). axe runs on each page visited."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from tests.browser.test_sign_in import sign_in

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_ADDRESS = "9 Marrowdale Court, Eastfold EF4 2QT"


def test_an_officer_adds_his_address_after_the_report_and_can_then_write_by_post(
    page: Page, live_server, officer: Staff
) -> None:
    from safehold.cases import inputs, services
    from safehold.casework import services as casework
    from tests.casedata import PERPETRATOR_NAME, report

    case = services.case_open(
        report=report(
            alleged_perpetrators=(
                inputs.PerpetratorDetails(name=PERPETRATOR_NAME, relationship="ex_partner"),
            )
        ),
        by=officer,
    )
    casework.consent_record(
        case=case, by=officer, purpose="contact_alleged_perpetrator", given=True
    )
    sign_in(page, live_server.url, officer)

    # The survivor's form: a date of birth in the future is an error on its day box.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Change the survivor's date of birth").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the survivor's details")
    day = page.locator("#id_date_of_birth_0")
    expect(day).to_have_value("12")
    assert_accessible(page)
    page.locator("#id_date_of_birth_2").fill(str(timezone.localdate().year + 1))
    page.get_by_role("button", name="Continue").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The date of birth must be today or in the past")
    assert_accessible(page)
    summary.get_by_role("link").click()
    expect(day).to_be_focused()

    # His form: add his postal address, check it, save it.
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.get_by_text("Not known: letters to them go by hand")).to_be_visible()
    page.get_by_role("link", name=f"Change {PERPETRATOR_NAME}: postal address").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Change the alleged perpetrator's details"
    )
    expect(page.get_by_label("Full name")).to_have_value(PERPETRATOR_NAME)
    assert_accessible(page)
    page.get_by_label("Their postal address").fill(NEW_ADDRESS)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your changes")
    expect(page.get_by_test_id("new-address")).to_have_text(NEW_ADDRESS)
    assert_accessible(page)
    assert PERPETRATOR_NAME not in page.url
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_text("The alleged perpetrator's details are changed")).to_be_visible()
    expect(page.get_by_text(NEW_ADDRESS)).to_be_visible()
    assert page.url.endswith(f"/cases/{case.pk}/")
    assert_accessible(page)

    page.goto(f"{live_server.url}/cases/{case.pk}/letters/new")
    page.get_by_label("A warning about conduct, to the alleged perpetrator").check()
    page.get_by_label("By post").check()
    page.get_by_role("button", name="Write the letter").click()
    expect(page.get_by_text("Letter written")).to_be_visible()
