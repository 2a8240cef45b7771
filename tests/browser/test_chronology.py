"""An officer opens a case's chronology from the case page, filters it to contacts and
back, and reads it at 375 px without scrolling sideways (issue 18, "See what is due" and
"Small screens"). axe runs on each page visited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from tests.browser.test_sign_in import sign_in

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_NOTE = "Called her on the safe number; " + "she said the locks were changed " * 12


def test_an_officer_reads_filters_and_prints_a_cases_chronology(
    page: Page, live_server, officer: Staff
) -> None:
    from safehold.cases import services
    from safehold.casework import contacts, plan
    from tests.casedata import report

    now = timezone.now()
    case = services.case_open(report=report(reported_at=now - timedelta(days=5)), by=officer)
    contacts.contact_record(
        case=case,
        by=officer,
        at=now - timedelta(days=3),
        channel="phone",
        direction="outbound",
        with_whom="survivor",
        notes=LONG_NOTE + "x" * 120,  # a long unbroken word wraps too
    )
    plan.action_add(case=case, by=officer, kind="support", detail="Weekly call")

    sign_in(page, live_server.url, officer)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    page.get_by_role("link", name="Chronology (every event, printable)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"Chronology of case {case.reference}"
    )
    titles = page.get_by_test_id("event-title")
    expect(titles).to_have_count(3)
    expect(titles.first).to_have_text("Reported by the survivor")
    expect(titles.nth(1)).to_have_text("Phone call, to them: the survivor")
    expect(titles.last).to_have_text("Action added: Support")
    expect(page.get_by_role("link", name="Print this page")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Show").select_option(label="Contacts")
    page.get_by_role("button", name="Show these events").click()
    expect(titles).to_have_count(1)
    expect(titles.first).to_have_text("Phone call, to them: the survivor")
    assert page.url.endswith("?kind=contacts")
    assert_accessible(page)

    # Printed, the page is the record alone: no header, navigation, filter or footer.
    page.emulate_media(media="print")
    expect(page.locator("header.govuk-header, body > header").first).to_be_hidden()
    expect(page.get_by_role("button", name="Show these events")).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_be_hidden()
    expect(titles.first).to_be_visible()
    page.emulate_media(media="screen")

    # At 375 px nothing scrolls sideways, however long a note.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/cases/{case.pk}/chronology")
    expect(titles).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
