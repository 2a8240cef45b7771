"""A person signs in with a password and an authenticator code, and signs out."""

from __future__ import annotations

import re
from base64 import b32decode
from collections.abc import Callable

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from tests.conftest import current_code
from tests.factories import PASSWORD, StaffFactory

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def enter_password(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


def sign_in(page: Page, base: str, staff: Staff) -> None:
    enter_password(page, base, staff.username)
    page.get_by_label("Code from your authenticator app").fill(current_code(staff))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_test_id("signed-in-as")).to_be_visible()


def test_it_signs_in_and_out(page: Page, live_server, officer: Staff) -> None:
    enter_password(page, live_server.url, officer.username)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Enter the code from your authenticator app"
    )
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app").fill(current_code(officer))
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Alice Officer")
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have signed out")
    assert_accessible(page)
    assert page.context.cookies() == []

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=%2F$"))


def test_it_shows_errors_for_a_wrong_password_and_code(
    page: Page, live_server, officer: Staff
) -> None:
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill("not the right one")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter a correct username and password"
    )
    assert_accessible(page)

    enter_password(page, live_server.url, officer.username)
    page.get_by_label("Code from your authenticator app").fill("12ab")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code must be 6 digits")
    assert_accessible(page)


def test_a_new_account_enrols_with_the_qr_code(page: Page, live_server, db: None) -> None:
    StaffFactory(username="new.starter", full_name="Nell Starter")
    enter_password(page, live_server.url, "new.starter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.locator("svg.safehold-qr")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}/")  # nothing else is reachable yet
    expect(page).to_have_url(re.compile(r"/sign-in"))

    enter_password(page, live_server.url, "new.starter")
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Code from your authenticator app").fill(f"{TOTP(key).token():06d}")
    page.get_by_role("button", name="Finish setting up").click()
    expect(page.get_by_test_id("signed-in-as")).to_contain_text("Nell Starter")


def test_an_admin_manages_an_account(
    page: Page, live_server, admin: Staff, as_staff: Callable[[Staff], object]
) -> None:
    enter_password(page, live_server.url, admin.username)
    page.get_by_label("Code from your authenticator app").fill(current_code(admin))
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Staff accounts").first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Add a staff account").click()
    assert_accessible(page)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a username")
    assert_accessible(page)

    # Issue 18: a team is chosen from those that exist; a new one is created on its own.
    page.get_by_role("link", name="Create the team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams")
    page.get_by_label("Team name").fill("Riverside")
    page.get_by_role("button", name="Create the team").click()
    expect(page.get_by_test_id("teams")).to_contain_text("Riverside")
    assert_accessible(page)
    page.get_by_role("link", name="Back to staff accounts").click()
    page.get_by_role("button", name="Add a staff account").click()

    page.get_by_label("Username").fill("ruth.new")
    page.get_by_label("Full name").fill("Ruth New")
    page.get_by_label("Housing officer").check()
    page.get_by_label("Female").check()
    page.get_by_label("Team").select_option("Riverside")
    page.get_by_label("Password").fill("a long and unusual passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ruth New")
    assert_accessible(page)

    # Issue 17 §3: no API token for someone else. A password for an account with no
    # authenticator yet would hand the administrator both factors: it waits.
    expect(page.get_by_role("button", name="Issue an API token")).to_have_count(0)
    page.get_by_label("Password").fill("a temporary passphrase for ruth")
    page.get_by_role("button", name="Set a temporary password").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "waits for a second administrator"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Disable account").click()
    expect(page.get_by_test_id("status")).to_have_text("Disabled")


def test_a_person_changes_their_password_sees_their_sessions_and_makes_a_token(
    page: Page, live_server, officer: Staff
) -> None:
    """Issue 17 §3 and §8: "Your account", each page checked with axe."""
    sign_in(page, live_server.url, officer)
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    assert_accessible(page)

    page.get_by_role("link", name="Change your password").click()
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your current password")
    assert_accessible(page)
    page.get_by_label("Your current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("my own new passphrase here")
    page.get_by_label("New password again").fill("my own new passphrase here")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your password is changed")

    page.get_by_role("link", name="Where you are signed in").click()
    expect(page.get_by_test_id("session")).to_have_count(1)
    expect(page.get_by_test_id("session")).to_contain_text("This session")
    assert_accessible(page)

    page.get_by_role("link", name="Your account").first.click()
    page.get_by_role("link", name="Your API tokens").click()
    assert_accessible(page)
    page.get_by_label("Your password").fill("my own new passphrase here")
    page.get_by_label("Code from your authenticator app").fill(
        current_code(officer, offset_steps=1)
    )
    page.get_by_role("button", name="Make a token").click()
    expect(page.get_by_test_id("new-token")).to_contain_text("shk_")
    assert_accessible(page)


def test_error_pages_are_accessible(page: Page, live_server, officer: Staff) -> None:
    enter_password(page, live_server.url, officer.username)
    page.get_by_label("Code from your authenticator app").fill(current_code(officer))
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert_accessible(page)
    page.goto(f"{live_server.url}/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot do that")
    assert_accessible(page)
