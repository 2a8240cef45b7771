"""The director finds a closed case in "Closed cases to evaluate" by the survivor's name,
evaluates it with its structure (how effective, what worked, what did not, what to do
differently), after a refusal for an empty evaluation, and the case page shows it in
words. Each page is checked with axe (issue 18)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from safehold.cases import services
from safehold.closure import services as closure
from tests.browser.test_sign_in import sign_in
from tests.casedata import SURVIVOR_NAME, report

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_director_evaluates_a_closed_case_with_structure(
    page: Page, live_server, officer: Staff, manager: Staff, director: Staff
) -> None:
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

    page.goto(f"{live_server.url}/queues/closures-to-evaluate")
    row = page.get_by_test_id("queue").get_by_role("row").filter(has_text=case.reference)
    expect(row).to_contain_text(SURVIVOR_NAME)
    expect(row).to_contain_text("Born 12 April 1988")
    assert_accessible(page)
    row.get_by_role("link", name=case.reference).click()

    expect(page.get_by_role("heading", name="Evaluate the closure")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Save the evaluation").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Choose how effective the work was")
    assert_accessible(page)
    summary.get_by_role("link").click()
    expect(page.get_by_label("Effective", exact=True)).to_be_focused()

    group = page.get_by_role("group", name="How effective was the work on this case?")
    group.get_by_label("Partly effective").check()
    page.get_by_label("What worked").fill("The locks were changed within a day.")
    page.get_by_label("What did not work").fill("The transfer waited five weeks.")
    page.get_by_label("What to do differently next time").fill("Ask for an emergency slot.")
    page.get_by_role("button", name="Save the evaluation").click()

    expect(page.get_by_test_id("evaluation-status")).to_contain_text("Evaluated")
    shown = page.get_by_test_id("closure-evaluation")
    expect(shown).to_contain_text("partly effective")
    expect(shown).to_contain_text("What did not work: The transfer waited five weeks.")
    expect(shown).to_contain_text("What to do differently: Ask for an emergency slot.")
    assert_accessible(page)
