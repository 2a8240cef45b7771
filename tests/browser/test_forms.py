"""Forms as GOV.UK patterns in Chromium (issue 18): an officer records a report through
"Check your answers", goes back with "Change" to correct an answer (the cursor lands in
that box), and records it; the action form reveals only the chosen kind's questions and
its error links lead into the right box. Every page is checked with axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from tests.browser.test_sign_in import sign_in

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_checks_changes_and_records_a_report(
    page: Page, live_server, officer: Staff
) -> None:
    sign_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/cases/new")
    relationship = page.get_by_role("group", name="Relationship to the survivor")
    expect(relationship.get_by_role("radio", checked=True)).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("The survivor", exact=True).check()
    page.get_by_label("Full name").first.fill("Rosalind Tredwell")  # misspelt, then changed
    born = page.get_by_role("group", name="Date of birth")
    born.get_by_label("Day").fill("3")
    born.get_by_label("Month").fill("7")
    born.get_by_label("Year").fill("1990")
    page.get_by_label("Full name").nth(1).fill("Dorian Treadwell")
    relationship.get_by_label("Ex-partner").check()
    page.get_by_label("Language they need an interpreter for, if any").select_option(label="Polish")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before recording the report"
    )
    expect(page.get_by_test_id("check-name")).to_have_text("Rosalind Tredwell")
    expect(page.get_by_test_id("check-date_of_birth")).to_have_text("3 July 1990")
    expect(page.get_by_test_id("check-p0_relationship")).to_have_text("Ex-partner")
    expect(page.get_by_test_id("check-interpreter_language")).to_have_text("Polish")
    assert_accessible(page)

    page.get_by_role("button", name="Change full name", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record a report")
    assert page.url.endswith("/cases/new#id_name")  # the box, never the answer
    name = page.locator("#id_name")
    expect(name).to_be_focused()
    expect(name).to_have_value("Rosalind Tredwell")
    expect(page.locator("#id_p0_name")).to_have_value("Dorian Treadwell")
    assert_accessible(page)
    name.fill("Rosalind Treadwell")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_test_id("check-name")).to_have_text("Rosalind Treadwell")
    page.get_by_role("button", name="Change date of birth").click()
    expect(page.locator("#id_date_of_birth_0")).to_be_focused()
    expect(page.locator("#id_date_of_birth_2")).to_have_value("1990")
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page)
    page.get_by_role("button", name="Record the report").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Case DA-")
    expect(page.get_by_test_id("survivor-name")).to_have_text("Rosalind Treadwell")
    expect(
        page.get_by_role("definition").filter(has_text="An interpreter (Polish)")
    ).to_be_visible()
    assert_accessible(page)


def test_the_action_form_reveals_only_the_chosen_kinds_questions(
    page: Page, live_server, officer: Staff
) -> None:
    from safehold.cases import services
    from tests.casedata import report

    case = services.case_open(report=report(), by=officer)
    sign_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/actions/new")
    measure = page.get_by_label("Which security measure")
    route = page.get_by_label("Which rehousing route")
    risk_question = page.get_by_role(
        "group", name="Legal action: is it likely to increase the risk to the survivor?"
    )
    expect(measure).to_be_hidden()
    expect(route).to_be_hidden()
    expect(risk_question).to_be_hidden()
    # The policy never recharges the survivor: it is not offered.
    who_pays = page.get_by_role("group", name="Who pays")
    expect(who_pays.get_by_role("radio")).to_have_count(2)
    expect(who_pays.get_by_label("Survivor")).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("Security measure", exact=True).check()
    expect(measure).to_be_visible()
    expect(route).to_be_hidden()
    assert_accessible(page)
    page.get_by_label("Legal action against the alleged perpetrator").check()
    expect(measure).to_be_hidden()
    expect(risk_question).to_be_visible()
    page.get_by_label("Rehousing", exact=True).check()
    expect(route).to_be_visible()
    expect(risk_question).to_be_hidden()
    route.select_option(label="Management transfer application")
    due = page.get_by_role("group", name="Due by")
    due.get_by_label("Day").fill("31")
    due.get_by_label("Month").fill("2")
    due.get_by_label("Year").fill("2030")
    page.get_by_role("button", name="Add the action").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter a real date")
    expect(route).to_be_visible()  # the chosen kind stays revealed
    assert_accessible(page)
    summary.get_by_role("link", name=re.compile("Enter a real date")).click()
    expect(page.locator("#id_due_date_0")).to_be_focused()

    due.get_by_label("Day").fill("28")
    page.get_by_role("button", name="Add the action").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Record how the move reduces the risk")
    summary.get_by_role("link", name="Record how the move reduces the risk").click()
    risk_note = page.get_by_label("How the move reduces the risk to the survivor")
    expect(risk_note).to_be_focused()
    assert_accessible(page)
    risk_note.fill("Away from his family's street")
    page.get_by_role("button", name="Add the action").click()

    expect(page.get_by_text("Action added to the plan")).to_be_visible()
    assert_accessible(page)
