"""The report read from a real PostgreSQL streaming replica (issue 19, "Beyond one
database server"; docs/deployment.md, "Read replicas and the reports").

This starts two clusters from Debian's packages, as scripts/test starts one: a primary,
and a hot standby made from it with `pg_basebackup -R` by a replication role, streaming
its WAL. Safehold runs on them in a process of its own (tests/reports/replica_run.py:
DATABASE_URL the primary, SAFEHOLD_REPORTS_DATABASE_URL the replica), which records the
queries each connection ran for each request. It shows that:
- the report's figures (page, CSV, board report, API) are read on the replica, and none
  on the primary, which gets only the request's own reads and the audit entry;
- casework's reads (a case, the case list) stay on the primary, even of a case the
  replica has not received yet;
- a write on the primary reaches the replica and then the report;
- the report says how far behind the primary its figures are.

It takes 10 seconds alone and about 20 beside another suite, as in scripts/test, most of
it the two clusters and the migrations: so it runs in scripts/test's PostgreSQL suite
only (the `replica` mark; the SQLite suite beside it deselects it, never skips it).
It needs the PostgreSQL 15 server binaries, and root (as in CI) or the postgres user."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.servers import ROOT, free_ports

pytestmark = pytest.mark.replica

PG_BIN = Path("/usr/lib/postgresql/15/bin")
REPORT_READS = ("report page", "report csv", "board report", "report api")
# Tables only the figures read: a query on one of them is a figure being read.
FIGURE_TABLES = (
    "cases_caseabusetype",
    "cases_person",
    "casework_review",
    "casework_referral",
    "closure_feedback",
    "closure_closure",
    "closure_appeal",
)


@dataclass(frozen=True)
class Cluster:
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def log(self) -> Path:
        return self.folder.with_suffix(".log")


def as_postgres(*command: str | Path) -> None:
    """Runs a PostgreSQL program as the postgres user: initdb refuses root."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *map(str, command)], check=True, capture_output=True, timeout=60)


def start(cluster: Cluster) -> None:
    options = f"-p {cluster.port} -k {cluster.folder.parent} -c listen_addresses=127.0.0.1"
    as_postgres(
        PG_BIN / "pg_ctl", "-D", cluster.folder, "-l", cluster.log, "-w", "-o",
        f"{options} -c fsync=off", "start",
    )  # fmt: skip


@pytest.fixture(scope="module")
def clusters() -> Iterator[tuple[Cluster, Cluster]]:
    # Not pytest's tmp_path: its folders are root's alone, and postgres must enter this.
    folder = Path(tempfile.mkdtemp(prefix="safehold-replica-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    primary_port, replica_port = free_ports(2)
    primary = Cluster(folder / "primary", primary_port)
    replica = Cluster(folder / "replica", replica_port)
    started: list[Cluster] = []
    try:
        as_postgres(PG_BIN / "initdb", "-D", primary.folder, "-A", "trust", "-U", "postgres", "-N")
        start(primary)
        started.append(primary)
        # initdb's pg_hba.conf lets replication connections in from 127.0.0.1 (trust).
        with psycopg.connect(primary.url, autocommit=True) as admin:
            admin.execute("CREATE ROLE replicator WITH REPLICATION LOGIN")
        as_postgres(
            PG_BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", primary.port, "-U", "replicator",
            "-D", replica.folder, "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        start(replica)
        started.append(replica)
        yield primary, replica
    finally:
        for cluster in reversed(started):
            subprocess.run(
                [
                    *(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []),
                    str(PG_BIN / "pg_ctl"), "-D", str(cluster.folder), "-m", "fast", "stop",
                ],
                check=False, capture_output=True, timeout=60,
            )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def seen(clusters: tuple[Cluster, Cluster]) -> dict[str, Any]:
    primary, replica = clusters
    with tempfile.TemporaryDirectory(prefix="safehold-replica-run-") as run:
        out = Path(run) / "seen.json"
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "SAFEHOLD_DATA_DIR": str(Path(run) / "data"),
            "DATABASE_URL": primary.url,
            "SAFEHOLD_REPORTS_DATABASE_URL": replica.url,
        }
        done = subprocess.run(
            [sys.executable, "-m", "tests.reports.replica_run", str(out)],
            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if done.returncode != 0:
            logs = "\n".join(c.log.read_text(errors="replace")[-2000:] for c in clusters)
            pytest.fail(f"replica_run failed:\n{done.stderr[-6000:]}\n{logs}")
        observed: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return observed


def figures_read(queries: list[str]) -> list[str]:
    return [sql for sql in queries if any(f'"{table}"' in sql for table in FIGURE_TABLES)]


def test_it_runs_on_a_primary_and_a_replica_that_is_never_migrated(seen: dict[str, Any]) -> None:
    assert seen["in_recovery"] == {"default": False, "reports": True}
    assert seen["migrate_allowed"] == {"default": True, "reports": False}


@pytest.mark.parametrize("read", REPORT_READS)
def test_the_reports_figures_are_read_on_the_replica_and_none_on_the_primary(
    seen: dict[str, Any], read: str
) -> None:
    visit = seen["caught up"][read]

    assert visit["status"] == 200
    on_replica = visit["reports"]
    # How far behind the replica is, then the figures (the API's 19 queries, the page's
    # 37: the previous period's too).
    assert len(on_replica) >= 19
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in on_replica)
    assert figures_read(on_replica)
    assert any('"cases_case"' in sql and "COUNT(" in sql for sql in on_replica)
    assert figures_read(visit["default"]) == []
    assert not any('"cases_case"' in sql and "COUNT(" in sql for sql in visit["default"])


def test_the_reports_audit_entries_are_written_to_the_primary(seen: dict[str, Any]) -> None:
    for read in REPORT_READS:
        # The audit chain's append (safehold/privacy/audit.py): one statement, a CTE.
        appended = [sql for sql in seen["caught up"][read]["default"] if "INSERT" in sql]
        assert any("privacy_auditentry" in sql for sql in appended), read
    # Four reads caught up, three paused (the page kept, then counted again), one resumed.
    assert seen["audit entries on the primary"] == 8


@pytest.mark.parametrize("state", ["caught up", "paused"])
@pytest.mark.parametrize("page", ["case page", "case list"])
def test_casework_reads_stay_on_the_primary(seen: dict[str, Any], state: str, page: str) -> None:
    visit = seen[state][page]

    assert visit["status"] == 200
    assert visit["default"]
    assert visit["reports"] == []


def test_a_case_just_recorded_is_on_casework_pages_before_the_replica_has_it(
    seen: dict[str, Any],
) -> None:
    assert seen["paused"]["new case on the replica"] is False
    assert seen["paused"]["case page"]["status"] == 200


def test_a_write_on_the_primary_reaches_the_replica_and_then_the_report(
    seen: dict[str, Any],
) -> None:
    assert seen["caught up"]["report api"]["answer"]["reports"] == 3
    assert seen["paused"]["report api"]["answer"]["reports"] == 3  # not replayed yet
    assert seen["replayed within"] < 5.0
    assert seen["resumed"]["report api"]["answer"]["reports"] == 4


def test_the_report_says_how_far_behind_the_primary_its_figures_are(
    seen: dict[str, Any],
) -> None:
    paused = seen["paused"]["report api"]["answer"]["read_from"]
    assert paused["database"] == "replica"
    assert paused["behind_seconds"] >= 1.0
    words = seen["paused"]["report page"]["read_from_words"]
    assert words.startswith("These figures were read from a copy of the main database")
    assert "second" in words
    assert "behind it when they were read" in words
    resumed = seen["resumed"]["report api"]["answer"]["read_from"]
    # Caught up before the request; the request's own writes (a rate-limit count) may be
    # received and not yet replayed when it asks, so "up to date" is not promised here.
    assert resumed["database"] == "replica"
    assert resumed["behind_seconds"] is not None
    assert "copy of the main database" in seen["caught up"]["report page"]["read_from_words"]
    kept = seen["paused"]["report page, kept"]["read_from_words"]
    assert kept == seen["caught up"]["report page"]["read_from_words"]
    assert "copy of the main database" in seen["caught up"]["report csv"]["text"]
    assert "copy of the main database" in seen["caught up"]["board report"]["text"]
