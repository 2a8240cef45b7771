"""The reporting dashboard and its exports: who sees them, what they show, that every
export is suppressed, audited and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from safehold.accounts.models import Staff, Team
from safehold.cases.models import Case
from safehold.privacy.models import AuditEntry
from tests.casedata import SURVIVOR_NAME
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://example.org","Open")'


def query(days: int = 30, **extra: str) -> str:
    end = timezone.localdate()
    start = end - timedelta(days=days)
    parts = {
        "start_0": start.day, "start_1": start.month, "start_2": start.year,
        "end_0": end.day, "end_1": end.month, "end_2": end.year, **extra,
    }  # fmt: skip
    return urlencode(parts)


@pytest.fixture
def cases(open_case: Callable[..., Case]) -> list[Case]:
    return [open_case(source="police") for _ in range(6)] + [open_case(source="self")]


def test_the_dashboard_shows_figures_charts_tables_and_definitions(
    policy: str, cases: list[Case], director: Staff
) -> None:
    page = signed_in(director).get(f"/reports/?{query()}")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Monitoring report" in html
    assert 'data-testid="totals"' in html
    assert "Different survivors among those cases" in html  # a definition
    assert html.count("<svg") == 5  # abuse types, source, risk, response, outcomes
    assert 'role="img"' in html
    assert "The table below gives every value." in html
    assert 'data-testid="table-by_source"' in html
    assert SURVIVOR_NAME not in html
    assert AuditEntry.objects.filter(action="report.viewed", actor=director.username).exists()


def test_the_dashboard_opens_on_the_last_twelve_months(
    policy: str, cases: list[Case], da_lead: Staff
) -> None:
    page = signed_in(da_lead).get("/reports/")

    assert page.status_code == 200
    assert "Whole provider" in page.content.decode()


@pytest.mark.parametrize("who", ["officer", "admin"])
def test_officers_and_administrators_cannot_open_reports(
    policy: str, who: str, request: pytest.FixtureRequest
) -> None:
    client = signed_in(request.getfixturevalue(who))

    assert client.get("/reports/").status_code == 403
    assert client.get(f"/reports/monitoring.csv?{query()}").status_code == 403
    assert "Reports</a>" not in client.get("/").content.decode()


def test_a_manager_sees_their_team_and_no_team_choice(
    policy: str, cases: list[Case], manager: Staff, outsider: Staff
) -> None:
    page = signed_in(manager).get(f"/reports/?{query()}")

    assert page.status_code == 200
    assert 'data-testid="report-scope">Northgate' in page.content.decode()
    assert 'name="team"' not in page.content.decode()
    other = signed_in(manager).get(f"/reports/?{query(team='Riverside')}")
    assert other.status_code == 200  # no team field for a manager: the choice is ignored
    assert 'data-testid="report-scope">Northgate' in other.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start_0": "31", "start_1": "2", "start_2": "2026"}, "Enter a real date"),
        ({"end_2": "1999"}, "The period ends before it starts"),
    ],
)
def test_a_bad_period_is_an_error_on_the_page(
    policy: str, params: dict[str, str], message: str, director: Staff
) -> None:
    page = signed_in(director).get(f"/reports/?{query(**params)}")

    assert page.status_code == 422
    assert message in page.content.decode()
    assert "govuk-error-summary" in page.content.decode()


def test_the_csv_is_suppressed_audited_and_safe_against_formulas(
    policy: str, cases: list[Case], director: Staff
) -> None:
    Team.objects.filter(name="Northgate").update(name=FORMULA)

    answer = signed_in(director).get(f"/reports/monitoring.csv?{query(team=FORMULA)}")

    assert answer.status_code == 200
    assert answer["Content-Disposition"].startswith('attachment; filename="monitoring-')
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert table[0] == ["Monitoring report", f"'{FORMULA}", "", ""]
    figures = {(row[0], row[1]): row[2] for row in table[5:]}
    assert figures[("Reports", "Reports")] == "7"
    assert figures[("Who reported", "Police")] == "6"
    assert figures[("Who reported", "The survivor")] == "<5"
    assert not any(cell.startswith("=") for row in table for cell in row)
    entry = AuditEntry.objects.get(action="report.exported")
    assert (entry.detail["form"], entry.detail["suppressed"]) == ("csv", True)


def test_the_spreadsheet_is_suppressed_and_holds_no_formula(
    policy: str, cases: list[Case], director: Staff
) -> None:
    answer = signed_in(director).get(f"/reports/monitoring.xlsx?{query()}")

    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    values = {(row[0], row[1]): row[2] for row in sheet.iter_rows(min_row=6, values_only=True)}
    assert values[("Who reported", "Police")] == 6
    assert values[("Who reported", "The survivor")] == "<5"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_board_report_is_a_suppressed_pdf(
    policy: str, cases: list[Case], director: Staff
) -> None:
    answer = signed_in(director).get(f"/reports/board-report.pdf?{query()}")

    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    text = " ".join(text.split())
    assert "Domestic abuse: report to the board" in text
    assert "Police 6" in text
    assert "The survivor <5" in text
    assert "next due for review" in text
    assert SURVIVOR_NAME not in text
    assert AuditEntry.objects.get(action="report.exported").detail["form"] == "board"
