"""A director answers the board from one page: the monitoring dashboard, its charts and
tables, and the board report download."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from tests.browser.test_sign_in import sign_in

from .conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_director_reads_the_monitoring_report(
    page: Page, live_server, director: Staff, open_case: Callable[..., Case]
) -> None:
    for source in ("police", "police", "self"):
        open_case(source=source)

    sign_in(page, live_server.url, director)
    page.get_by_role("link", name="Reports").click()
    # Small counts are hidden by default (issue 17 §2): she unticks the box for exact ones.
    expect(page.get_by_label("Show counts from 1 to 4 as <5")).to_be_checked()
    page.get_by_label("Show counts from 1 to 4 as <5").uncheck()
    page.get_by_role("button", name="Show the figures").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Monitoring report")
    expect(page.get_by_test_id("report-scope")).to_contain_text("Whole provider")
    expect(page.get_by_test_id("totals")).to_contain_text("Reports")
    expect(
        page.get_by_role("img", name="Who reported, this period and the previous period")
    ).to_be_visible()
    sources = page.get_by_test_id("table-by_source")
    expect(sources.get_by_role("row", name="Police")).to_contain_text("2")
    assert_accessible(page)

    page.get_by_label("Show counts from 1 to 4 as <5").check()
    page.get_by_role("button", name="Show the figures").click()
    expect(sources.get_by_role("row", name="Police")).to_contain_text("<5")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the board report (PDF)").click()
    assert download.value.suggested_filename.startswith("board-report-")
