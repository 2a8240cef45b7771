"""An officer reads the policy's rules beside its own words, and sees whose rule each is."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from safehold.policy.loader import clear_active_policy
from tests.browser.test_sign_in import sign_in

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wha(settings) -> Iterator[None]:
    settings.SAFEHOLD_POLICY = "wha"
    clear_active_policy()
    yield
    clear_active_policy()


def test_an_officer_reads_our_policy(page: Page, live_server, officer: Staff) -> None:
    sign_in(page, live_server.url, officer)
    page.get_by_role("link", name="Our policy").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Our policy")
    expect(page.get_by_role("heading", name="First contact with the survivor")).to_be_visible()
    assert_accessible(page)


def test_a_provider_sees_which_rules_are_its_own_and_which_it_must_decide(
    page: Page, live_server, officer: Staff, wha: None
) -> None:
    sign_in(page, live_server.url, officer)
    page.get_by_role("link", name="Our policy").click()

    # 000_d48778e071033c63.txt, Confidentiality: WHA's rule, in its own words.
    approver = page.locator('[data-setting="disclosure.approver_roles"]')
    expect(approver.locator(".govuk-tag")).to_have_text(["WHA's words"])
    expect(approver.locator(".govuk-inset-text")).to_have_text(
        "In WHA's words: “The Housing Services Director will approve any disclosure without "
        "the victim\u2019s consent.”"
    )
    # The guide sets no time to respond: Safehold's default.
    first_contact = page.locator('[data-setting="response_target"]')
    expect(first_contact.locator(".govuk-tag")).to_have_text(["Safehold's default"])
    expect(first_contact).to_contain_text("Safehold's default: WHA's policy does not say.")
    # Nor how long a closed case is kept: WHA has to decide.
    retention = page.locator('[data-setting="retention.years_after_closure"]')
    expect(retention.locator(".govuk-tag")).to_have_text(["For WHA to set"])
    expect(retention).to_contain_text("WHA has not set this yet: Safehold uses 6 years.")
    # The key says what each tag means.
    expect(page.get_by_test_id("source-key")).to_contain_text("WHA must decide it")
    assert_accessible(page)
