"""An officer asks to close a case after the review meeting; a manager approves it and
the case page shows it closed. The close form, the decision page and the closed case
are checked with axe."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from safehold.accounts.models import Staff
from safehold.cases import services
from safehold.casework import plan
from safehold.closure import services as closure
from tests.browser.test_sign_in import sign_in
from tests.casedata import report

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_closes_a_case_and_a_manager_approves(
    page: Page, browser: Browser, live_server, officer: Staff, manager: Staff
) -> None:
    case = services.case_open(report=report(), by=officer)
    meeting = timezone.localdate() - timedelta(days=2)
    sign_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Close the case").click()
    expect(page.get_by_test_id("policy-rules")).to_contain_text("the survivor agrees")
    assert_accessible(page)

    page.get_by_label("The case has been resolved").check()
    page.get_by_role("group", name="Does the survivor agree to the case closing?").get_by_label(
        "Yes"
    ).check()
    page.get_by_label("Day").fill(str(meeting.day))
    page.get_by_label("Month").fill(str(meeting.month))
    page.get_by_label("Year").fill(str(meeting.year))
    page.get_by_label("Why the case is closing, in words for the survivor").fill(
        "The locks are changed and the injunction is in place."
    )
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("Closure sent for approval")).to_be_visible()
    expect(page.get_by_test_id("closing-status")).to_contain_text("Awaiting approval")

    other = browser.new_context().new_page()
    sign_in(other, live_server.url, manager)
    other.get_by_role("link", name="Closures to approve").click()
    other.get_by_role("link", name=case.reference).click()
    expect(other.get_by_test_id("closure-explanation")).to_contain_text("injunction is in place")
    assert_accessible(other)
    other.get_by_role("button", name="Approve and close the case").click()
    expect(other.get_by_role("alert").get_by_text("Case closed")).to_be_visible()
    expect(other.get_by_test_id("closing-status")).to_contain_text(
        f"Closed {timezone.localdate():%-d %B %Y}"
    )
    expect(other.get_by_test_id("closure-reason")).to_have_text("The case has been resolved")
    assert_accessible(other)
    other.context.close()


def test_the_pages_after_closure_are_accessible(
    page: Page, live_server, officer: Staff, manager: Staff, director: Staff
) -> None:
    refused = services.case_open(report=report(), by=officer)
    case = services.case_open(report=report(), by=officer)
    closure.closure_request(
        case=case,
        by=officer,
        reason="resolved",
        survivor_agrees=True,
        review_meeting_at=timezone.now() - timedelta(days=1),
    )
    closure.closure_approve(case=case, by=manager)
    sign_in(page, live_server.url, director)

    page.goto(f"{live_server.url}/cases/{refused.pk}/close")
    page.get_by_label("The case has been resolved").check()
    page.get_by_role("group", name="Does the survivor agree to the case closing?").get_by_label(
        "No"
    ).check()
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_role("alert")).to_contain_text("only with the survivor's agreement")
    expect(page.get_by_test_id("policy-quote")).to_contain_text("The survivor's agreement")
    expect(page.get_by_test_id("policy-quote")).not_to_contain_text("closure.survivor_agreement")
    assert_accessible(page)

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Evaluate the closure").click()
    assert_accessible(page)
    page.get_by_label("What worked").fill("The locks were changed within a day.")
    page.get_by_role("button", name="Save the evaluation").click()
    expect(page.get_by_test_id("evaluation-status")).to_contain_text("Evaluated")

    page.get_by_role("link", name="Ask the survivor for feedback").click()
    assert_accessible(page)
    page.get_by_label("Phone").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("feedback-asked")).to_contain_text("phone")

    page.get_by_role("link", name="Record feedback").click()
    assert_accessible(page)
    page.get_by_label("4 \N{EN DASH} satisfied").check()
    page.get_by_label("What the survivor said").fill("They listened.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("feedback")).to_contain_text("They listened.")

    page.get_by_role("link", name="Record an appeal").click()
    assert_accessible(page)
    page.get_by_label("The survivor", exact=True).check()
    page.get_by_label("What the appeal is about").fill("The case closed before the locks.")
    page.get_by_role("button", name="Record the appeal").click()
    expect(page.get_by_test_id("acknowledge-due")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/cases/{case.pk}/reopen")
    assert_accessible(page)


def test_an_officer_cancels_an_action_that_will_not_be_done(
    page: Page, live_server, officer: Staff
) -> None:
    """Issue 16: an action that cannot be taken is cancelled with a reason, not marked
    done, and no longer holds the case open. The action form's legal action question and
    the cancel page are checked with axe."""
    case = services.case_open(report=report(), by=officer)
    plan.action_add(case=case, by=officer, kind="support", detail="Help with the injunction")
    sign_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/actions/new")
    # The question is revealed once legal action is chosen (issue 18).
    page.get_by_label("Legal action against the alleged perpetrator").check()
    expect(
        page.get_by_role(
            "group", name="Legal action: is it likely to increase the risk to the survivor?"
        )
    ).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name=re.compile(r"^Cancel this action\W+Support")).click()
    assert_accessible(page)
    page.get_by_role("button", name="Cancel the action").click()
    expect(page.get_by_role("alert")).to_contain_text("Say why the action is cancelled")
    assert_accessible(page)
    page.get_by_label("Why is this action cancelled?").fill("She decided not to apply.")
    page.get_by_role("button", name="Cancel the action").click()

    expect(page.get_by_text("Action cancelled")).to_be_visible()
    expect(page.get_by_test_id("plan")).to_contain_text("Cancelled")
    expect(page.get_by_test_id("cancel-reason")).to_contain_text("She decided not to apply.")
    assert_accessible(page)
