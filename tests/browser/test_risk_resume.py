"""An interrupted DASH is resumed where it stopped, the finish page leads to each question
not answered, and a high-risk result is one click from the MARAC referral (issue 18)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from safehold.cases import services
from safehold.risk import tools
from tests.browser.test_sign_in import sign_in
from tests.casedata import report

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_every_question(page: Page, choice: str) -> None:
    for group in page.locator(".govuk-radios").all():
        group.get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Save and continue").click()


def test_an_officer_resumes_a_dash_and_refers_to_marac(
    page: Page, live_server, officer: Staff
) -> None:
    dash = tools.tool_by_id("dash-ric")
    first, second, third = dash.sections
    numbers = tools.question_numbers(dash)
    case = services.case_open(report=report(), by=officer)
    sign_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Assess risk").click()
    page.get_by_role("button", name="Start").click()

    # The first section, answered; the call ends on the second.
    expect(page.get_by_role("heading", level=1)).to_have_text(first.title)
    answer_every_question(page, "Yes")
    expect(page.get_by_role("heading", level=1)).to_have_text(second.title)
    assert_accessible(page)
    page.get_by_role("link", name="Back", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first.title)
    page.get_by_role("link", name="Leave the assessment for now").click()
    expect(page.get_by_test_id("risk-status")).to_contain_text("In progress")

    # Resuming lands on the second section, the first with questions not answered.
    page.get_by_role("link", name="Continue the risk assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(second.title)
    expect(page).to_have_url(re.compile(rf"/{second.id}$"))

    # The finish page lists what is unanswered; a link leads to its question.
    page.goto(page.url.rsplit("/", 1)[0] + "/finish")
    expect(page.get_by_role("heading", level=1)).to_have_text("Finish the assessment")
    unanswered = len(second.questions) + len(third.questions)
    expect(page.get_by_test_id("unanswered")).to_contain_text(
        f"{unanswered} questions not answered yet"
    )
    assert_accessible(page)
    wanted = second.questions[1]
    page.get_by_role(
        "link", name=f"Question {numbers[wanted.id]}: {wanted.text}", exact=True
    ).click()
    expect(page).to_have_url(re.compile(rf"/{second.id}#{wanted.id}$"))
    expect(page.locator(f"#{wanted.id}")).to_be_in_viewport()
    assert_accessible(page)

    # Finishing: the rest answered, the result is high risk.
    answer_every_question(page, "Yes")
    answer_every_question(page, "Don't know")
    expect(page.get_by_role("heading", level=1)).to_have_text("Finish the assessment")
    page.get_by_label("No", exact=True).check()
    page.get_by_label("Police call-outs to the survivor in the last 12 months").fill("0")
    page.get_by_role("button", name="See the result").click()
    expect(page.get_by_test_id("risk-level")).to_have_text("High")

    # One click from the recommendation to the referral, with MARAC chosen.
    page.get_by_role("button", name="Refer to MARAC").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a referral")
    expect(page.get_by_label("Agency", exact=True)).to_have_value("marac")
    expect(page.get_by_test_id("chosen-consent")).to_contain_text("No consent on record")
    assert_accessible(page)
