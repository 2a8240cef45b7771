"""Who may see the monitoring figures, what a bad period gets, that each answer is
audited, and that the figures cost the same number of queries however many cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.policy.loader import active_policy
from safehold.privacy.models import AuditEntry
from safehold.reports.period import Period
from safehold.reports.report import monitoring_report
from safehold.reports.scope import Scope

pytestmark = pytest.mark.django_db
PATH = "/api/v1/reports/monitoring"


def ask(client: Client, query: str = "from=2026-01-01&to=2026-03-31"):
    return client.get(f"{PATH}?{query}")


@pytest.mark.parametrize("who", ["director", "da_lead", "auditor", "manager"])
def test_directors_leads_auditors_and_managers_see_figures(
    policy: str, who: str, request: pytest.FixtureRequest, api_as: Callable[..., Client]
) -> None:
    assert ask(api_as(request.getfixturevalue(who))).status_code == 200


@pytest.mark.parametrize("who", ["officer", "teammate", "outsider", "admin"])
def test_officers_and_administrators_have_no_reporting(
    policy: str, who: str, request: pytest.FixtureRequest, api_as: Callable[..., Client]
) -> None:
    answer = ask(api_as(request.getfixturevalue(who)))

    assert answer.status_code == 403
    assert answer.json()["code"] == "may_not_see_reports"


def test_a_manager_sees_only_their_own_team(
    policy: str, manager: Staff, outsider: Staff, api_as: Callable[..., Client]
) -> None:
    client = api_as(manager)  # outsider makes the Riverside team exist

    assert ask(client, "from=2026-01-01&to=2026-03-31&team=Northgate").status_code == 200
    other = ask(client, "from=2026-01-01&to=2026-03-31&team=Riverside")
    assert other.status_code == 403
    assert other.json()["code"] == "may_not_see_team"


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("from=2026-03-01&to=2026-02-01", 422, "period_ends_before_start"),
        ("from=2026-02-30&to=2026-03-01", 400, "invalid_date"),
        ("from=yesterday&to=2026-03-01", 400, "invalid_date"),
        ("from=2026-01-01", 400, "invalid_date"),
        ("to=2026-01-01", 400, "invalid_date"),
        ("from=2014-01-01&to=2025-12-31", 422, "period_too_long"),
        ("from=2099-01-01&to=2099-02-01", 422, "period_in_future"),
        ("from=2026-01-01&to=2026-02-01&team=Atlantis", 422, "unknown_team"),
        ("from=2026-01-01&to=2026-02-01&suppress=perhaps", 400, "invalid_request"),
        ("from=2026-01-01&to=2026-02-01&team=<script>alert(1)</script>", 422, "unknown_team"),
    ],
)
def test_a_bad_period_or_team_gets_a_clear_error(
    policy: str,
    query: str,
    status: int,
    code: str,
    director: Staff,
    api_as: Callable[..., Client],
) -> None:
    answer = ask(api_as(director), query)

    assert answer.status_code == status
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == code
    assert not AuditEntry.objects.filter(action__startswith="report.").exists()


def test_ten_years_less_a_day_is_allowed(
    policy: str, director: Staff, api_as: Callable[..., Client]
) -> None:
    assert ask(api_as(director), "from=2016-01-01&to=2025-12-31").status_code == 200


def test_every_report_is_audited_without_its_figures(
    policy: str, director: Staff, api_as: Callable[..., Client]
) -> None:
    ask(api_as(director), "from=2026-01-01&to=2026-03-31&suppress=true")

    entry = AuditEntry.objects.get(action="report.exported")
    assert entry.actor == director.username
    assert entry.detail == {
        "from": "2026-01-01", "to": "2026-03-31", "team": "", "form": "api", "suppressed": True,
        "address": "127.0.0.1",  # the client's, on every entry of a request (issue 17)
    }  # fmt: skip


def test_the_figures_cost_a_fixed_number_of_queries(
    policy: str, open_case: Callable[..., Case]
) -> None:
    today = timezone.localdate()
    period = Period(date(today.year, 1, 1), today)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            monitoring_report(
                period=period, scope=Scope(None), now=timezone.now(), policy=active_policy()
            )
        return len(captured)

    open_case()
    one = queries()
    for _ in range(5):
        open_case()
    assert queries() == one
