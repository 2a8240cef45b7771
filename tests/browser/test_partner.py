"""A partner at the IDVA service signs in with two-factor sign-in, lands on the cases
shared with their agency, reads the shared view and adds an update and a document
(issue 21). axe checks each page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from tests.browser.test_sign_in import sign_in
from tests.casedata import SURVIVOR_ADDRESS
from tests.partners.conftest import REASON, share
from tests.partners.test_partner_documents import png

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_partner_reads_the_shared_view_and_adds_an_update(
    page: Page,
    live_server,
    full_case: Case,
    officer: Staff,
    make_staff: Callable[..., Staff],
) -> None:
    share(full_case, officer)
    shared = full_case
    partner = make_staff(
        "ida.idva", role="partner", agency="idva", full_name="Ida Advocate", team="Partners"
    )
    sign_in(page, live_server.url, partner)
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/partner/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases shared with your agency")
    assert_accessible(page)

    page.get_by_role("link", name=shared.reference).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {shared.reference}")
    expect(page.get_by_test_id("shared-referral")).to_contain_text(REASON)
    expect(page.get_by_test_id("shared-documents")).to_be_visible()
    assert SURVIVOR_ADDRESS not in page.content()
    assert_accessible(page)

    page.get_by_role("button", name="Add an update").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an update")
    assert_accessible(page)
    page.get_by_role("button", name="Add the update").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the update")
    assert_accessible(page)
    page.get_by_label("Your update").fill("Met her at the refuge; safety plan agreed.")
    page.get_by_role("button", name="Add the update").click()
    expect(page.get_by_test_id("partner-update")).to_contain_text("safety plan agreed")
    assert_accessible(page)

    page.get_by_role("button", name="Add a document").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a document")
    assert_accessible(page)
    page.get_by_label("Upload a file").set_input_files(
        {"name": "safety-plan.png", "mimeType": "image/png", "buffer": png()}
    )
    page.get_by_role("button", name="Add the document").click()
    expect(page.get_by_test_id("partner-uploads")).to_contain_text("safety-plan.png")
    assert_accessible(page)
