"""An officer's home page leads with what is overdue and due today, shows who each case
is about, and fits a phone: at 375 px nothing scrolls sideways (issue 18, "See what is
due" and "Small screens"). axe checks each page at both widths."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework import contacts
from safehold.desk import queues
from tests.browser.test_sign_in import sign_in
from tests.casedata import SURVIVOR_NAME

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 375, "height": 800}
WIDE = {"width": 1280, "height": 800}


def fits(page: Page) -> None:
    """Nothing scrolls sideways, and axe finds no violation."""
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"{page.url} scrolls sideways at {inner} px: {width} px wide"
    assert_accessible(page)


def test_the_home_page_leads_with_what_is_overdue_and_fits_a_phone(
    page: Page, live_server, officer: Staff, open_case: Callable[..., Case]
) -> None:
    late = open_case(reported_at=timezone.now() - timedelta(days=4))
    later = open_case()
    contacts.contact_record(
        case=later,
        by=officer,
        at=later.reported_at,
        channel="phone",
        direction="outbound",
        with_whom="survivor",
    )
    # Its first contact was due a day after the report (default.toml's 24 hours).
    overdue = queues.how_due(late.response_due_at, timezone.now())
    assert overdue.endswith("days overdue")
    sign_in(page, live_server.url, officer)

    for size in (WIDE, NARROW):
        page.set_viewport_size(size)
        page.goto(f"{live_server.url}/")
        due_now = page.get_by_test_id("due-now")
        row = due_now.get_by_role("row").filter(has_text=late.reference)
        expect(row).to_contain_text(SURVIVOR_NAME)
        expect(row).to_contain_text("Born 12 April 1988")
        expect(row).to_contain_text(overdue)
        expect(due_now).not_to_contain_text(later.reference)
        expect(page.get_by_test_id("later")).to_contain_text(later.reference)
        fits(page)

        page.get_by_role("link", name="Awaiting first contact").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Awaiting first contact")
        expect(page.get_by_test_id("queue")).to_contain_text(overdue)
        fits(page)
