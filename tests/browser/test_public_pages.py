"""The public pages in Debian's Chromium (issue 20, Done when): the form sent as a
survivor, a witness and a professional, each arriving in the triage queue; Exit this
page, by its button and by Shift pressed three times, leaving to the neutral site with
Back not returning to the form; no cookie after a visit without sending; no-store on
every public page; axe clean; nothing scrolling sideways at 375 px."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, Route, expect

from safehold.accounts.models import Staff
from tests.browser.test_sign_in import sign_in

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEUTRAL = "https://www.bbc.co.uk/weather"
PHONE = {"width": 375, "height": 800}
PUBLIC_PAGES = ("/tell-us", "/tell-us/our-policy", "/tell-us/sent")


@pytest.fixture(autouse=True)
def quick_form(settings: Any) -> None:
    """A test fills the form quicker than a person: no least time here (tests/public
    checks it), and no floor on the answer's time."""
    settings.SAFEHOLD_PUBLIC_MIN_FILL_SECONDS = 0
    settings.SAFEHOLD_PUBLIC_ANSWER_SECONDS = 0


def neutral_site(page: Page) -> None:
    """The neutral site, answered in the browser: the tests reach no outside network."""

    def fulfil(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body="<title>Weather</title>Weather")

    page.route("https://www.bbc.co.uk/**", fulfil)


def assert_fits(page: Page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways at 375 px: {width}"


def send_as(page: Page, base: str, who: str, *, organisation: str = "") -> None:
    page.goto(f"{base}/tell-us")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us about domestic abuse")
    page.get_by_label(who).check()
    page.get_by_label("Yes, you can contact me").check()
    if organisation:
        page.get_by_label("Your organisation").fill(organisation)
    page.get_by_label("Phone number").fill("07700 900123")
    page.get_by_role("group", name="Can we leave a message on this phone?").get_by_label(
        "No"
    ).check()
    page.get_by_label("What is happening?").fill(f"Sent by {who}: shouting every night.")
    page.get_by_label("Postcode (optional)").fill("TF3 4AW")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    expect(page.locator("main")).not_to_contain_text("DA-")


def test_it_sends_as_a_survivor_a_witness_and_a_professional_into_triage(
    page: Page, live_server, da_lead: Staff, officer: Staff
) -> None:
    page.set_viewport_size(PHONE)
    send_as(page, live_server.url, "I am experiencing abuse")
    assert_accessible(page)
    assert_fits(page)
    send_as(page, live_server.url, "I am worried about someone")
    send_as(page, live_server.url, "I am a professional", organisation="Telford IDVA service")

    page.goto(f"{live_server.url}/tell-us")
    assert_accessible(page)
    assert_fits(page)
    page.get_by_role("button", name="Send").click()  # nothing chosen: an error, in words
    expect(page.get_by_role("alert")).to_contain_text("Choose whether we may contact you")
    assert_accessible(page)

    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page, live_server.url, da_lead)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Public reports to triage").click()
    rows = page.get_by_test_id("triage").locator("tbody tr")
    expect(rows).to_have_count(3)
    assert_accessible(page)
    expect(page.get_by_test_id("triage")).to_contain_text("A professional")
    page.get_by_role("link", name="Triage").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Triage a report from the public page"
    )
    expect(page.locator("main")).to_contain_text("Received through the public page, unverified")
    assert_accessible(page)

    # Triage ends it: no action, with the reason; the queue then holds two.
    page.get_by_label("Why does no action follow?").fill("The caller rang back: a mistake.")
    page.get_by_role("button", name="Record no action").click()
    expect(page.get_by_test_id("triage").locator("tbody tr")).to_have_count(2)
    page.get_by_role("link", name="Triage").first.click()
    page.get_by_label("Officer").select_option(officer.username)
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_test_id("triage").locator("tbody tr")).to_have_count(1)


def test_exit_this_page_leaves_for_the_neutral_site_and_back_does_not_return(
    page: Page, live_server
) -> None:
    neutral_site(page)
    page.goto(f"{live_server.url}/tell-us")
    assert_accessible(page)
    page.get_by_label("What is happening?").fill("Something nobody else should see")

    page.get_by_role("button", name="Exit this page").click()

    page.wait_for_url(NEUTRAL)
    page.go_back()
    assert "/tell-us" not in page.url


def test_shift_pressed_three_times_leaves_for_the_neutral_site(page: Page, live_server) -> None:
    neutral_site(page)
    page.goto(f"{live_server.url}/tell-us/our-policy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Our domestic abuse policy")
    assert_accessible(page)
    page.set_viewport_size(PHONE)
    assert_fits(page)

    for _ in range(3):
        page.keyboard.press("Shift")

    page.wait_for_url(NEUTRAL)
    page.go_back()
    assert "/tell-us" not in page.url


def test_a_visit_without_sending_leaves_no_cookie_and_nothing_is_cached(
    page: Page, live_server
) -> None:
    for path in PUBLIC_PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None
        assert response.headers["cache-control"] == "no-store"
        assert_accessible(page)

    assert page.context.cookies() == []
