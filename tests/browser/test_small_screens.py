"""Small screens (issue 18): at 375 px no page scrolls sideways and the service navigation
folds into GOV.UK's "Menu" button, which opens it; at 1280 px the navigation's sections
share one line, for every role (an administrator and a director see the most)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from tests.browser.test_sign_in import sign_in

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1280, "height": 800}


def assert_fits(page: Page) -> None:
    """Nothing scrolls sideways, and the menu button opens the navigation."""
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways at 375 px: {width} {too_wide(page)}"
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "false")
    cases = page.get_by_role("navigation", name="Menu").get_by_role("link", name="Cases")
    expect(cases).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(cases).to_be_visible()
    assert_accessible(page)  # with the menu open too
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways with the menu open: {width}"


def too_wide(page: Page) -> list[str]:
    """The outermost elements reaching past the window's right edge, to say what to fix."""
    return page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        " > window.innerWidth && !(e.parentElement.getBoundingClientRect().right"
        " > window.innerWidth)).map(e => e.tagName + '.' + e.className + ' ' +"
        " (e.textContent || '').trim().slice(0, 40))"
    )


def nav_lines(page: Page) -> set[int]:
    return set(
        page.evaluate(
            "[...document.querySelectorAll('#navigation > .govuk-service-navigation__item')]"
            ".map(item => item.offsetTop)"
        )
    )


def test_it_fits_a_phone_and_folds_the_navigation_into_a_menu(
    page: Page, live_server, officer: Staff, open_case: Callable[..., Case]
) -> None:
    case = open_case()
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, officer)

    page.goto(f"{live_server.url}/")
    assert_fits(page)

    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    assert_fits(page)

    page.goto(f"{live_server.url}/cases/")
    assert_fits(page)

    page.goto(f"{live_server.url}/cases/search")
    page.get_by_label("Survivor's name, date of birth, phone number, postcode or a reference").fill(
        case.reference
    )
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=case.reference)).to_be_visible()
    assert_fits(page)

    # The menu's links work (assert_fits left it open): "Cases" goes to the case list.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Cases").click()
    expect(page).to_have_url(f"{live_server.url}/cases/")


@pytest.mark.parametrize("role", ["officer", "manager", "director", "da_lead", "admin", "auditor"])
def test_it_keeps_the_navigation_on_one_line_at_1280(
    role: str, browser: Browser, page: Page, live_server, request: pytest.FixtureRequest
) -> None:
    staff: Staff = request.getfixturevalue(role)
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_server.url, staff)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    lines = nav_lines(page)
    assert len(lines) == 1, f"the {role}'s navigation wraps onto {len(lines)} lines"
    assert_accessible(page)
