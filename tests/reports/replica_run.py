"""People using Safehold on a main database with a streaming replica for the reports, in
a process of its own: `python -m tests.reports.replica_run OUT.json`, with DATABASE_URL
naming the main database (primary) and SAFEHOLD_REPORTS_DATABASE_URL its replica, as
tests/reports/test_replica.py starts them.

Its own process because Django's databases are fixed when it starts, and the test
session's are the suite's (SQLite or one PostgreSQL). This migrates the primary, makes a
director and an officer and their cases through the real services, then opens the
report (page, CSV, board report, API) and casework's pages (a case, the case list)
through Django's test client, recording every query each database connection ran for
each request. It pauses the replica's replay to record a case the replica has not yet
got, then resumes it. What it saw is written to OUT.json for the test to judge."""

from __future__ import annotations

import io
import json
import os
import re
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import django

REPLAY_WITHIN = 20.0  # seconds for the replica to replay a write, on a busy 2-core machine


def main(out: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", verbosity=0)
    out.write_text(json.dumps(observe(), indent=2), encoding="utf-8")


def sql_run(connection: Any, sql: str) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def until(done: Callable[[], bool], what: str) -> float:
    """Seconds until `done()`; fails after REPLAY_WITHIN."""
    started = time.monotonic()
    while not done():
        if time.monotonic() - started > REPLAY_WITHIN:
            raise AssertionError(f"not within {REPLAY_WITHIN} s: {what}")
        time.sleep(0.02)
    return time.monotonic() - started


def replayed_all(primary: Any, replica: Any) -> float:
    """Waits for the replica to replay everything the primary has written so far."""
    written = sql_run(primary, "SELECT pg_current_wal_lsn()::text")
    return until(
        lambda: sql_run(replica, f"SELECT pg_last_wal_replay_lsn() >= '{written}'::pg_lsn"),
        "the replica replays the primary's writes",
    )


def received_all(primary: Any, replica: Any) -> float:
    """Waits for the replica to receive (not replay) everything the primary has written."""
    written = sql_run(primary, "SELECT pg_current_wal_lsn()::text")
    return until(
        lambda: sql_run(replica, f"SELECT pg_last_wal_receive_lsn() >= '{written}'::pg_lsn"),
        "the replica receives the primary's writes",
    )


def visit(client: Any, url: str) -> dict[str, Any]:
    """One request, with the queries each database connection ran for it."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext
    from pypdf import PdfReader

    with (
        CaptureQueriesContext(connections["default"]) as main,
        CaptureQueriesContext(connections["reports"]) as replica,
    ):
        response = client.get(url)
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        reader = PdfReader(io.BytesIO(response.content))
        text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    else:
        text = response.content.decode("utf-8-sig")
    found = re.search(r'data-testid="read-from">([^<]*)<', text)
    return {
        "status": response.status_code,
        "default": [query["sql"] for query in main.captured_queries],
        "reports": [query["sql"] for query in replica.captured_queries],
        "answer": json.loads(text) if kind.startswith("application/json") else None,
        "read_from_words": found.group(1) if found else None,
        "text": text if kind.startswith(("text/csv", "application/pdf")) else "",
    }


def observe() -> dict[str, Any]:
    from django.db import connections, router
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from safehold.accounts import services as accounts
    from safehold.cases import services
    from safehold.cases.models import Case
    from safehold.privacy.models import AuditEntry
    from tests.casedata import report
    from tests.conftest import enrolled, signed_in
    from tests.factories import StaffFactory, TeamFactory

    primary, replica = connections["default"], connections["reports"]
    team = TeamFactory(name="Northgate")
    officer = enrolled(StaffFactory(username="alice.officer", role="officer", team=team))
    director = enrolled(StaffFactory(username="dave.director", role="director", team=team))
    cases = [services.case_open(report=report(), by=officer) for _ in range(3)]
    as_director, as_officer = signed_in(director), signed_in(officer)
    api = Client(headers={"Authorization": f"Bearer {accounts.token_create(staff=director)}"})

    today = timezone.localdate()
    start = today - timedelta(days=30)
    page_query = urlencode(
        {"start_0": start.day, "start_1": start.month, "start_2": start.year}
        | {"end_0": today.day, "end_1": today.month, "end_2": today.year}
    )
    report_pages = {
        "report page": f"/reports/?{page_query}",
        "report csv": f"/reports/monitoring.csv?{page_query}",
        "board report": f"/reports/board-report.pdf?{page_query}",
        "report api": f"/api/v1/reports/monitoring?from={start}&to={today}",
    }

    def report_read(name: str) -> dict[str, Any]:
        return visit(api if name == "report api" else as_director, report_pages[name])

    seen: dict[str, Any] = {
        "in_recovery": {
            "default": sql_run(primary, "SELECT pg_is_in_recovery()"),
            "reports": sql_run(replica, "SELECT pg_is_in_recovery()"),
        },
        "migrate_allowed": {
            alias: router.allow_migrate(alias, "cases", model_name="case")
            for alias in ("default", "reports")
        },
    }
    replayed_all(primary, replica)
    seen["caught up"] = {name: report_read(name) for name in report_pages}
    seen["caught up"]["case page"] = visit(as_officer, reverse("case", args=[cases[0].pk]))
    seen["caught up"]["case list"] = visit(as_officer, reverse("case-list"))

    # Replay paused: a case recorded on the primary is there at once for casework, and
    # not yet in the report, which says how far behind the primary its figures are.
    with psycopg_connect(os.environ["SAFEHOLD_REPORTS_DATABASE_URL"]) as admin:
        admin.execute("SELECT pg_wal_replay_pause()")
        until(
            lambda: (
                admin.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] == "paused"
            ),
            "the replica's replay pauses",
        )
        time.sleep(1.2)  # so that the lag is at least a second, said in seconds
        new_case = services.case_open(report=report(), by=officer)
        received_all(primary, replica)
        seen["paused"] = {
            # The page counts again only when asked (reports/kept.py); unasked, it shows
            # the figures it kept while caught up, with what was said of them then.
            "report page, kept": report_read("report page"),
            "report page": visit(as_director, f"{report_pages['report page']}&recount=1"),
            "report api": report_read("report api"),
        }
        seen["paused"]["case page"] = visit(as_officer, reverse("case", args=[new_case.pk]))
        seen["paused"]["case list"] = visit(as_officer, reverse("case-list"))
        seen["paused"]["new case on the replica"] = (
            Case.objects.using("reports").filter(pk=new_case.pk).exists()
        )
        admin.execute("SELECT pg_wal_replay_resume()")
    seen["replayed within"] = until(
        lambda: Case.objects.using("reports").filter(pk=new_case.pk).exists(),
        "the new case reaches the replica",
    )
    replayed_all(primary, replica)
    seen["resumed"] = {"report api": report_read("report api")}
    seen["audit entries on the primary"] = (
        AuditEntry.objects.using("default")
        .filter(action__in=("report.viewed", "report.exported"))
        .count()
    )
    return seen


def psycopg_connect(url: str) -> Any:
    """A connection of the test's own to the replica, as its superuser, to pause replay."""
    import psycopg

    return psycopg.connect(url, autocommit=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
