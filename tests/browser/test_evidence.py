"""An officer attaches a photo to a case from its page, sees it listed, and a file that
is not a photo or PDF is refused with a GOV.UK error."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from tests.browser.test_sign_in import sign_in
from tests.evidence import files

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_attaches_a_photo_and_sees_it_listed(
    page: Page, live_server, officer: Staff, tmp_path: Path
) -> None:
    from safehold.cases import services
    from tests.casedata import report

    case = services.case_open(report=report(), by=officer)
    photo = tmp_path / "front door.png"
    photo.write_bytes(files.png())
    renamed = tmp_path / "holiday.jpg"
    renamed.write_bytes(files.EXECUTABLE)

    sign_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Evidence (photos and documents)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evidence")
    expect(page.get_by_text("No files added yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Upload a file").set_input_files(str(renamed))
    page.get_by_role("button", name="Add file").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The selected file must be a JPG, PNG or WebP image, or a PDF"
    )
    assert_accessible(page)

    page.get_by_label("Upload a file").set_input_files(str(photo))
    page.get_by_label("What does it show? (optional)").fill("Damage to the front door")
    page.get_by_role("button", name="Add file").click()

    expect(page.get_by_text("File added")).to_be_visible()
    listed = page.get_by_test_id("evidence-list")
    expect(listed).to_contain_text("front door.png")
    expect(listed).to_contain_text("Damage to the front door")
    expect(listed).to_contain_text("PNG image")
    expect(listed).to_contain_text(officer.full_name)
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="front door.png").click()
    assert download.value.suggested_filename.endswith(".png")
    assert download.value.suggested_filename.startswith(case.reference)
