"""An officer with a survivor on the phone finds her case by surname and by her name
spelt another way, and sees what confirms it is her; an officer of another team finds
nothing, told so in words (issue 18, "Find the survivor")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from safehold.accounts.models import Staff
from safehold.cases import inputs
from safehold.cases.models import Case
from tests.browser.test_sign_in import sign_in

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def search_for(page: Page, base: str, q: str) -> None:
    page.goto(f"{base}/cases/search")
    page.get_by_label("Survivor's name, date of birth, phone number, postcode or a reference").fill(
        q
    )
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(f"{base}/cases/search")  # what was typed is not in the address
    assert_accessible(page)


def test_an_officer_finds_the_survivor_and_an_outsider_finds_nothing(
    page: Page,
    browser: Browser,
    live_server,
    officer: Staff,
    outsider: Staff,
    open_case: Callable[..., Case],
) -> None:
    case = open_case(
        survivor=inputs.SurvivorDetails(
            name="Chloe Bennett",
            date_of_birth=date(1988, 4, 12),
            sex="female",
            address="22 Larkspur Road, Northgate NG4 7QT",
            safe_contact=inputs.SafeContact(phone="07700 900321", post_ok=False),
        )
    )
    sign_in(page, live_server.url, officer)

    for q in ("Bennett", "Chloe Bennet", "12 April 1988", "+44 7700 900321"):
        search_for(page, live_server.url, q)
        row = page.get_by_role("row").filter(has_text=case.reference)
        expect(row).to_contain_text("Chloe Bennett")
        expect(row).to_contain_text("Born 12 April 1988")
        expect(row).to_contain_text("Risk not assessed")
        expect(row).to_contain_text("First contact by")

    # At 375 px the results reflow: nothing scrolls sideways.
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1280, "height": 800})

    row.get_by_role("link", name=case.reference).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)

    context = browser.new_context()
    other = context.new_page()
    try:
        sign_in(other, live_server.url, outsider)
        search_for(other, live_server.url, "Bennett")
        expect(other.get_by_role("heading", name="No cases match your search")).to_be_visible()
        expect(other.get_by_text("Chloe Bennett")).to_have_count(0)
        expect(other.get_by_text(case.reference)).to_have_count(0)
        # An officer may break the glass: the way to is offered, as for any search.
        expect(other.get_by_role("link", name="open a case you are not on")).to_be_visible()
    finally:
        context.close()
