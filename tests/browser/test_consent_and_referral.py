"""An officer records consent and makes a referral; a director approves one made
without consent. Every page is checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from safehold.cases import services
from tests.browser.test_sign_in import sign_in
from tests.casedata import report

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_consent_referral_and_approval(
    page: Page, browser, live_server, officer: Staff, director: Staff
) -> None:
    case = services.case_open(report=report(), by=officer)
    sign_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Record consent").click()
    assert_accessible(page)
    page.get_by_label("Agency").select_option("idva")
    page.get_by_label("A referral").check()
    page.get_by_label("Consent given").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("consents")).to_contain_text("Given")

    page.get_by_role("link", name="Make a referral").click()
    assert_accessible(page)
    page.get_by_label("Agency").select_option("police")
    page.get_by_label("What will be shared, and why").fill("Threats made last night")
    page.get_by_label("A high risk of serious harm").check()
    page.get_by_label("Why consent cannot be sought or was refused").fill("She is too afraid")
    page.get_by_role("button", name="Make the referral").click()
    expect(page.get_by_text("Referral held for approval")).to_be_visible()
    assert_accessible(page)

    other = browser.new_context().new_page()
    sign_in(other, live_server.url, director)
    other.get_by_role("link", name="Approvals waiting").click()
    assert_accessible(other)
    other.get_by_role("link", name=f"{case.reference} to police").click()
    expect(other.get_by_test_id("disclosure-explanation")).to_contain_text("She is too afraid")
    expect(other.get_by_test_id("case-status")).to_contain_text("Open")
    assert_accessible(other)
    other.get_by_role("button", name="Approve and send").click()  # an approval says why
    expect(other.get_by_role("alert")).to_contain_text("Say why you approve sharing")
    assert_accessible(other)
    other.get_by_label("Your reasons").fill("Threats to kill: the police must know")
    other.get_by_role("button", name="Approve and send").click()
    expect(other.get_by_text("Referral approved and sent")).to_be_visible()
    assert_accessible(other)
    other.context.close()


def test_an_officer_agrees_an_action_plan(page: Page, live_server, officer: Staff) -> None:
    case = services.case_open(report=report(), by=officer)
    sign_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Add an action").click()
    assert_accessible(page)
    page.get_by_label("Security measure", exact=True).first.check()
    page.get_by_label("Which security measure").select_option("panic_alarm")
    page.get_by_label("What will be done").fill("Fit a monitored panic alarm")
    page.get_by_label("Agreed with the survivor").check()
    page.get_by_role("button", name="Add the action").click()
    expect(page.get_by_test_id("plan")).to_contain_text("Panic alarm")
    assert_accessible(page)
    page.get_by_role("button", name="Mark done").click()
    assert_accessible(page)  # the done page asks for the outcome (issue 18)
    page.get_by_label("What was the outcome?").fill("Alarm fitted and tested with her")
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_test_id("plan")).to_contain_text("Done")
    expect(page.get_by_test_id("outcome")).to_contain_text("Alarm fitted and tested")
    assert_accessible(page)
    page.get_by_role("link", name="Reopen").click()
    assert_accessible(page)
    page.get_by_label("Why is this action reopened?").fill("The alarm stopped working")
    page.get_by_role("button", name="Reopen the action").click()
    expect(page.get_by_test_id("reopen-reason")).to_contain_text("The alarm stopped working")
    assert_accessible(page)
    page.get_by_role("link", name="Record a review").click()
    assert_accessible(page)
    page.get_by_label("The survivor's views").fill("She wants the alarm fixed this week")
    page.get_by_label("Stayed the same").check()
    page.get_by_label("Progress: Security measure: Panic alarm").fill("Engineer booked")
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_test_id("reviews")).to_contain_text("Engineer booked")
    expect(page.get_by_test_id("reviews")).to_contain_text("Stayed the same")
    assert_accessible(page)


def test_an_officer_writes_a_letter_to_the_alleged_perpetrator(
    page: Page, live_server, officer: Staff
) -> None:
    import io

    from pypdf import PdfReader

    from tests.casedata import PERPETRATOR_NAME, SURVIVOR_ADDRESS, SURVIVOR_NAME

    case = services.case_open(report=report(), by=officer)
    sign_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Write a letter").click()
    assert_accessible(page)
    page.get_by_label("A warning about conduct, to the alleged perpetrator").check()
    page.get_by_role("button", name="Write the letter").click()
    # Every bundled policy asks for the survivor's permission first (issue 16).
    expect(page.get_by_role("alert")).to_contain_text("permission to contact or write")
    assert_accessible(page)

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Record consent").click()
    page.get_by_label("Contacting or writing to the alleged perpetrator").check()
    page.get_by_label("Consent given").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("perpetrator-permission")).to_contain_text("Given")
    assert_accessible(page)

    page.get_by_role("link", name="Write a letter").click()
    page.get_by_label("A warning about conduct, to the alleged perpetrator").check()
    page.get_by_role("button", name="Write the letter").click()
    expect(page.get_by_test_id("documents")).to_contain_text("Warning to the alleged perpetrator")
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_test_id("documents").get_by_role("link").first.click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert PERPETRATOR_NAME in text
    assert SURVIVOR_NAME not in text
    assert SURVIVOR_ADDRESS.split(",")[0] not in text
