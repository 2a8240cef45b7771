"""An officer reads the policy's rules beside its own words."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from tests.browser.test_sign_in import sign_in

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_reads_our_policy(page: Page, live_server, officer: Staff) -> None:
    sign_in(page, live_server.url, officer)
    page.get_by_role("link", name="Our policy").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Our policy")
    expect(page.get_by_role("heading", name="First contact with the survivor")).to_be_visible()
    assert_accessible(page)
