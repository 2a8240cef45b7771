"""The policy's `monitoring.fields` decide what the dashboard, the board report and the
downloads show, and the "action taken" figure (issue 16). 002 (the Association)
[8. MONITORING]: "The Association will monitor reports of domestic violence and abuse
received, action taken and outcomes achieved, and case management" (its fields: reports,
action_taken, outcomes, response). The API keeps every key API.md names (the contract)
and gives `action_taken` where the policy lists it (docs/reports.md)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.casework import plan
from safehold.policy.loader import active_policy, load_policy
from safehold.reports.period import Period
from safehold.reports.report import monitoring_report
from safehold.reports.scope import Scope
from tests.casedata import SEEDS
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db
API_KEYS = (
    "reports", "individuals", "repeat_reports", "by_abuse_type", "by_source", "by_risk_level",
    "response", "outcomes", "satisfaction", "diversity", "appeals",
)  # fmt: skip
KINDS = ("security_measure", "emergency_repair", "referral", "rehousing", "legal_action", "support")


def api_query(**extra: str) -> str:
    today = timezone.localdate()
    # Exact counts unless a test asks for suppression, which is on by default (issue 17 §2).
    extra = {"suppress": "false", **extra}
    return urlencode({"from": str(today - timedelta(days=30)), "to": str(today), **extra})


def page_query() -> str:
    end = timezone.localdate()
    start = end - timedelta(days=30)
    return urlencode(
        {
            "start_0": start.day,
            "start_1": start.month,
            "start_2": start.year,
            "end_0": end.day,
            "end_1": end.month,
            "end_2": end.year,
        }
    )


def actions_on(case: Case, by: Staff, *, done: int = 0, open_: int = 0, cancelled: int = 0) -> None:
    for n in range(done + open_ + cancelled):
        action = plan.action_add(
            case=case, by=by, kind="security_measure", measure="lock_change", detail=f"Locks {n}"
        )
        if n < done:
            plan.action_complete(action=action, by=by)
        elif n >= done + open_:
            plan.action_cancel(action=action, by=by, reason="No longer wanted")


@pytest.fixture
def worked_cases(policy: str, open_case: Callable[..., Case], officer: Staff) -> list[Case]:
    """Two cases reported in the period with actions, and one reported long before."""
    first, second = open_case(), open_case()
    actions_on(first, officer, done=2, open_=1, cancelled=1)
    actions_on(second, officer, done=4)
    plan.action_add(case=second, by=officer, kind="emergency_repair", detail="Front door")
    earlier = open_case(reported_at=timezone.now() - timedelta(days=90))
    actions_on(earlier, officer, done=3)
    return [first, second, earlier]


@pytest.mark.parametrize("policy", ["association"], indirect=True)
def test_the_association_monitors_action_taken(
    policy: str, worked_cases: list[Case], director: Staff, api_as: Callable[..., Client]
) -> None:
    """002 [8. MONITORING]: "reports ... received, action taken and outcomes achieved"."""
    answer = api_as(director).get(f"/api/v1/reports/monitoring?{api_query()}")

    assert answer.status_code == 200
    figures = answer.json()
    assert "action_taken" in load_policy(policy).monitoring.fields
    assert figures["monitoring_fields"] == ["reports", "action_taken", "outcomes", "response"]
    assert list(figures["action_taken"]) == list(KINDS)  # every kind, 0 included
    assert figures["action_taken"]["security_measure"] == {"done": 6, "open": 1, "cancelled": 1}
    assert figures["action_taken"]["emergency_repair"] == {"done": 0, "open": 1, "cancelled": 0}
    assert figures["action_taken"]["legal_action"] == {"done": 0, "open": 0, "cancelled": 0}
    for key in API_KEYS:  # API.md's keys stay, whatever the policy lists
        assert key in figures


@pytest.mark.parametrize("policy", ["association"], indirect=True)
def test_action_taken_is_suppressed_like_other_breakdowns(
    policy: str, worked_cases: list[Case], director: Staff, api_as: Callable[..., Client]
) -> None:
    answer = api_as(director).get(f"/api/v1/reports/monitoring?{api_query(suppress='true')}")

    taken = answer.json()["action_taken"]
    assert taken["security_measure"] == {"done": 6, "open": "<5", "cancelled": "<5"}
    assert taken["legal_action"] == {"done": 0, "open": 0, "cancelled": 0}


@pytest.mark.parametrize("policy", SEEDS, indirect=True)
def test_the_api_gives_action_taken_only_where_the_policy_lists_it(
    policy: str, worked_cases: list[Case], director: Staff, api_as: Callable[..., Client]
) -> None:
    figures = api_as(director).get(f"/api/v1/reports/monitoring?{api_query()}").json()

    fields = load_policy(policy).monitoring.fields
    assert figures["monitoring_fields"] == list(fields)
    assert ("action_taken" in figures) == ("action_taken" in fields)
    assert all(key in figures for key in API_KEYS)


@pytest.mark.parametrize("policy", ["association"], indirect=True)
def test_the_dashboard_shows_only_the_policys_figures(
    policy: str, worked_cases: list[Case], director: Staff
) -> None:
    html = signed_in(director).get(f"/reports/?{page_query()}").content.decode()

    assert 'data-testid="table-action_taken"' in html
    assert 'data-testid="table-outcomes"' in html
    assert 'data-testid="table-response"' in html
    assert "Cases reported in the period" in html  # the "Reports" total
    for left_out in (
        "table-by_abuse_type",
        "table-by_source",
        "table-by_risk_level",
        "table-satisfaction",
        "table-appeal_outcomes",
        "Different survivors among those cases",  # individuals
        "Repeat reports",
        "Diversity",
    ):
        assert left_out not in html, left_out
    assert "Keeping to the policy" in html  # compliance is always shown
    action_table = html.split('data-testid="table-action_taken"')[1].split("</table>")[0]
    assert "Security measure" in action_table


@pytest.mark.parametrize("policy", ["viridian"], indirect=True)
def test_a_policy_without_action_taken_shows_none(
    policy: str, worked_cases: list[Case], director: Staff
) -> None:
    """003 (Viridian) [Monitoring] lists its data; action taken is not among them, nor
    risk levels."""
    html = signed_in(director).get(f"/reports/?{page_query()}").content.decode()

    assert "table-action_taken" not in html
    assert "table-by_risk_level" not in html
    assert "table-by_source" in html
    assert "Diversity" in html


@pytest.mark.parametrize("policy", ["association"], indirect=True)
def test_the_board_report_and_downloads_follow_the_policys_fields(
    policy: str, worked_cases: list[Case], director: Staff
) -> None:
    client = signed_in(director)
    answer = client.get(f"/reports/board-report.pdf?{page_query()}")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    text = " ".join(text.split())
    assert "Action taken" in text
    assert "Security measure 6 <5 <5" in text
    assert "Outcomes" in text
    assert "Kinds of abuse" not in text
    assert "Diversity" not in text

    download = client.get(f"/reports/monitoring.csv?{page_query()}")
    table = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    sections = {row[0] for row in table[5:]}
    assert "Action taken: Security measure" in sections
    assert "Outcomes" in sections
    assert "Who reported" not in sections
    figures = {(row[0], row[1]): row[2] for row in table[5:]}
    assert figures[("Action taken: Security measure", "Done")] == "6"
    assert figures[("Action taken: Security measure", "Cancelled")] == "<5"


def test_the_default_policy_reports_action_taken(
    policy: str, worked_cases: list[Case], director: Staff
) -> None:
    """Safehold's default monitors every figure, action taken included."""
    html = signed_in(director).get(f"/reports/?{page_query()}").content.decode()

    assert "action_taken" in active_policy().monitoring.fields
    assert 'data-testid="table-action_taken"' in html
    assert 'data-testid="table-by_source"' in html


@pytest.mark.parametrize("policy", ["association"], indirect=True)
def test_action_taken_costs_a_fixed_number_of_queries(
    policy: str, open_case: Callable[..., Case], officer: Staff
) -> None:
    today = timezone.localdate()
    period = Period(date(today.year, 1, 1) if today.month > 1 else today.replace(day=1), today)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            monitoring_report(
                period=period, scope=Scope(None), now=timezone.now(), policy=active_policy()
            )
        return len(captured)

    actions_on(open_case(), officer, done=1)
    one = queries()
    for _ in range(4):
        actions_on(open_case(), officer, done=1, open_=1, cancelled=1)
    assert queries() == one


def test_a_cancelled_emergency_repair_is_not_overdue(
    policy: str, open_case: Callable[..., Case], officer: Staff, director: Staff, api_as: Callable
) -> None:
    case = open_case(reported_at=timezone.now() - timedelta(days=3))
    repair = plan.action_add(
        case=case,
        by=officer,
        kind="emergency_repair",
        detail="Front door",
        now=timezone.now() - timedelta(days=2),
    )
    plan.action_cancel(action=repair, by=officer, reason="The survivor moved out")

    figures = api_as(director).get(f"/api/v1/reports/monitoring?{api_query()}").json()

    repairs = figures["compliance"]["emergency_repairs"]
    assert (repairs["due"], repairs["overdue"], repairs["cancelled"]) == (1, 0, 1)
