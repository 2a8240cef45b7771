"""The reports database setting, its router, and how the report says where its figures
were read, without a replica (tests/reports/test_replica.py starts a real one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from safehold import settings
from safehold.accounts.models import Staff
from safehold.cases.models import Case
from safehold.reports.freshness import MAIN, duration_words, freshness_of, read_from_words
from safehold.reports.routers import ReportsRouter, reports_database
from tests.conftest import signed_in

PRIMARY = "postgres://safehold:secret@db.example/safehold"
REPLICA = "postgres://safehold:secret@replica.example/safehold"


def test_it_adds_no_database_without_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SAFEHOLD_REPORTS_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", PRIMARY)

    assert settings.reports_database_config(settings.database_config()) is None
    assert reports_database() == "default"  # the suite runs without it


def test_the_reports_database_is_read_only_and_mirrors_the_main_one_in_tests(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", PRIMARY)
    monkeypatch.setenv("SAFEHOLD_REPORTS_DATABASE_URL", REPLICA)

    config = settings.reports_database_config(settings.database_config())

    assert config is not None
    assert config["HOST"] == "replica.example"
    assert config["OPTIONS"]["options"] == (  # type: ignore[index]
        "-c jit=off -c random_page_cost=1.1 -c default_transaction_read_only=on"
    )
    assert config["OPTIONS"]["connect_timeout"] == 5  # type: ignore[index]
    assert config["TEST"] == {"MIRROR": "default"}
    assert config["ATOMIC_REQUESTS"] is False


@pytest.mark.parametrize(
    ("main", "reports"),
    [("sqlite:///x.sqlite3", REPLICA), (PRIMARY, "sqlite:///x.sqlite3")],
    ids=["sqlite main database", "sqlite reports database"],
)
def test_the_reports_database_is_a_postgresql_replica_of_a_postgresql_one(
    monkeypatch: pytest.MonkeyPatch, main: str, reports: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", main)
    monkeypatch.setenv("SAFEHOLD_REPORTS_DATABASE_URL", reports)

    with pytest.raises(ImproperlyConfigured, match="SAFEHOLD_REPORTS_DATABASE_URL"):
        settings.reports_database_config(settings.database_config())


def test_the_router_never_migrates_the_replica_nor_writes_to_it() -> None:
    router = ReportsRouter()

    assert router.allow_migrate("reports", "cases", model_name="case") is False
    assert router.allow_migrate("default", "cases", model_name="case") is None
    assert router.db_for_write(Case, instance=Case()) == "default"


def test_the_router_sends_no_read_to_the_replica_by_itself() -> None:
    """Casework reads the same models as the report, and must read its own writes."""
    assert ReportsRouter().db_for_read(Case) is None


@pytest.mark.django_db
def test_the_main_database_needs_no_question_about_lag() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert freshness_of("default") == MAIN
    assert len(queries) == 0


@pytest.mark.parametrize(
    ("read_from", "words"),
    [
        (None, ""),
        ({"database": "main", "behind_seconds": 0.0}, ""),
        (
            {"database": "replica", "behind_seconds": 0.0},
            "These figures were read from a copy of the main database (a replica), which "
            "was up to date when they were read.",
        ),
        (
            {"database": "replica", "behind_seconds": 0.4},
            "These figures were read from a copy of the main database (a replica), which "
            "was less than a second behind it when they were read.",
        ),
        (
            {"database": "replica", "behind_seconds": 4.2},
            "These figures were read from a copy of the main database (a replica), which "
            "was 4 seconds behind it when they were read: anything recorded in the 4 "
            "seconds before may not be counted yet.",
        ),
        (
            {"database": "replica", "behind_seconds": None},
            "These figures were read from a copy of the main database (a replica) that was "
            "still catching up with it: how far behind it was is not known.",
        ),
    ],
    ids=["none", "main", "up to date", "under a second", "seconds", "not known"],
)
def test_the_report_says_where_its_figures_were_read_in_words(
    read_from: dict[str, object] | None, words: str
) -> None:
    assert read_from_words(read_from) == words


@pytest.mark.parametrize(
    ("span", "words"),
    [
        (timedelta(seconds=1), "1 second"),
        (timedelta(seconds=59.9), "59 seconds"),
        (timedelta(minutes=1, seconds=30), "1 minute"),
        (timedelta(minutes=59), "59 minutes"),
        (timedelta(hours=2), "2 hours"),
        (timedelta(hours=1, minutes=5), "1 hour 5 minutes"),
    ],
)
def test_a_lag_is_said_as_people_say_it(span: timedelta, words: str) -> None:
    assert duration_words(span) == words


@pytest.mark.django_db
def test_read_from_the_main_database_the_answer_says_so_and_the_page_says_nothing(
    policy: str,
    open_case: Callable[..., Case],
    director: Staff,
    api_as: Callable[[Staff], Client],
) -> None:
    open_case()
    today = timezone.localdate()

    answer = (
        api_as(director)
        .get(f"/api/v1/reports/monitoring?from={today - timedelta(days=30)}&to={today}")
        .json()
    )
    page = signed_in(director).get("/reports/").content.decode()

    assert answer["read_from"] == {"database": "main", "behind_seconds": 0.0}
    assert answer["reports"] == 1
    assert 'data-testid="read-from"' not in page
