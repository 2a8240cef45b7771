"""The MARAC figures (issue 21, docs/reports.md "marac"): cases heard at MARAC in the
period, of them repeats, and the actions agreed at those hearings by agency, completed on
time or late, open or cancelled; in the API answer, the page, the CSV and the board
report, suppressed like compliance, in two queries."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from safehold.accounts.models import Staff
from safehold.cases.models import Case, new_id
from safehold.marac.models import Hearing, MaracAction
from safehold.reports.marac_figures import marac_figures
from safehold.reports.monitoring import Window
from safehold.reports.period import Period
from safehold.reports.scope import Scope
from tests.casedata import report
from tests.conftest import signed_in
from tests.marac.hearings import listed
from tests.reports.test_report_pages import query

pytestmark = pytest.mark.django_db


def action(hearing: Hearing, agency: str, status: str, late: bool = False, **more: object) -> None:
    due = timezone.localdate() - timedelta(days=2)
    done = due + timedelta(days=1 if late else -1)
    MaracAction.objects.create(
        id=new_id("mact"),
        hearing=hearing,
        case=hearing.case,
        agency=agency,
        sealed=b"",
        due_on=due,
        status=status,
        completed_on=done if status == "done" else None,
        created_by=hearing.heard_by,
        **more,
    )


@pytest.fixture
def heard(open_case: Callable[..., Case], officer: Staff, da_lead: Staff) -> list[Hearing]:
    """Six cases heard five days ago, two as repeats; one heard 400 days ago; one listed
    and not yet heard. Police: five actions done on time, one open; the provider's own:
    one done late; the IDVA service: one cancelled."""
    recent = timezone.now() - timedelta(days=5)
    hearings = [listed(open_case(), officer, heard_at=recent, repeat=n < 2) for n in range(6)]
    listed(open_case(), officer, heard_at=timezone.now() - timedelta(days=400))
    listed(open_case(), officer, heard_at=None)
    for hearing in hearings[:5]:
        action(hearing, "police", "done")
    action(hearings[5], "police", "open")
    action(hearings[0], "local_authority_housing", "done", late=True, provider_own=True)
    action(hearings[1], "idva", "cancelled")
    return hearings


EXPECTED = {
    "heard": 6,
    "repeats": 2,
    "actions": {
        "provider": {"agreed": 1, "on_time": 0, "late": 1, "open": 0, "cancelled": 0},
        "idva": {"agreed": 1, "on_time": 0, "late": 0, "open": 0, "cancelled": 1},
        "police": {"agreed": 6, "on_time": 5, "late": 0, "open": 1, "cancelled": 0},
    },
}


def api_query(suppress: bool) -> str:
    end = timezone.localdate()
    start = end - timedelta(days=30)
    return f"from={start}&to={end}&suppress={'true' if suppress else 'false'}"


def test_the_api_answers_the_marac_figures(
    heard: list[Hearing], director: Staff, api_as: Callable[[Staff], Client]
) -> None:
    client = api_as(director)
    answer = client.get(f"/api/v1/reports/monitoring?{api_query(False)}")
    assert answer.status_code == 200, answer.content
    assert answer.json()["marac"] == EXPECTED
    suppressed = client.get(f"/api/v1/reports/monitoring?{api_query(True)}").json()
    assert suppressed["marac"]["heard"] == 6
    assert suppressed["marac"]["repeats"] == "<5"
    assert suppressed["marac"]["actions"]["police"]["on_time"] == 5


def test_a_restricted_case_the_reader_may_not_see_is_not_counted(
    heard: list[Hearing],
    open_case: Callable[..., Case],
    officer: Staff,
    director: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    restricted = open_case(survivor=replace(report().survivor, is_staff_member=True))
    assert restricted.restricted
    listed(restricted, officer, heard_at=timezone.now() - timedelta(days=2))
    answer = api_as(director).get(f"/api/v1/reports/monitoring?{api_query(False)}")
    assert answer.json()["marac"]["heard"] == 6


def test_the_figures_take_two_queries(heard: list[Hearing]) -> None:
    end = timezone.localdate()
    period = Period(end - timedelta(days=30), end)
    window = Window(period, Scope(team=None), timezone.now())
    with CaptureQueriesContext(connection) as queries:
        figures = marac_figures(window)
    assert figures == EXPECTED
    assert len(queries) == 2


def test_the_page_csv_and_board_report_show_them(heard: list[Hearing], director: Staff) -> None:
    client = signed_in(director)
    page = client.get(f"/reports/?{query()}").content.decode()
    assert "Cases heard at MARAC" in page
    assert 'data-testid="table-marac_heard"' in page
    assert "MARAC actions: Police" in page
    assert "Completed on time" in page

    table = client.get(f"/reports/monitoring.csv?{query()}").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(table)))
    found = {(row[0], row[1]): row[2] for row in rows if len(row) > 2}
    assert found[("Cases heard at MARAC", "Cases heard")] == "6"
    assert found[("MARAC actions: Police", "Completed on time")] == "5"
    assert found[("MARAC actions: Our own actions", "Completed late")] == "<5"

    pdf = client.get(f"/reports/board-report.pdf?{query()}").content
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Cases heard at MARAC" in text
    assert "Cases heard 6" in text
    assert "MARAC actions: Police" in text


def test_a_hearing_outside_the_period_is_not_counted(
    open_case: Callable[..., Case], officer: Staff
) -> None:
    listed(open_case(), officer, heard_at=timezone.now() - timedelta(days=40))
    end = timezone.localdate()
    window = Window(Period(end - timedelta(days=30), end), Scope(team=None), timezone.now())
    assert marac_figures(window) == {"heard": 0, "repeats": 0, "actions": {}}
