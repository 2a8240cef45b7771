"""Two `safehold serve` processes on one database, written to at once (issue 9).

A provider runs several servers behind a load balancer (docs/deployment.md). This test
starts two real ones with the project's own command, `safehold serve` (gunicorn, two
worker processes each), on two free ports of 127.0.0.1, and has eight threads report
cases, record contacts and add further reports through both at the same moment. Then
it proves that nothing acknowledged was lost, that no case reference was handed out
twice, and that the audit chain is still one unbroken, unforked chain.

How the servers find the test's database: the test is transactional
(`django_db(transaction=True)`), so every row it makes is committed, and the servers
are given the database the session is using, read from Django's own connection
settings (`database_url()` (tests/servers.py)):
- on SQLite, tests/settings.py already puts the test database in a file in the data
  folder (not SQLite's in-memory database), so both servers open that same file, with
  the WAL journal and BEGIN IMMEDIATE of safehold/settings.py;
- on PostgreSQL (scripts/test sets DATABASE_URL), both servers connect to the test
  database pytest-django created in that cluster (`test_postgres`).

The servers run the real settings (`safehold.settings`) in production mode, with the
session's secret and master key (the same master key, or the servers could not open
the data keys the test made) passed as the documented SAFEHOLD_* variables. The test
stands where the TLS-terminating load balancer would: it sends `X-Forwarded-Proto:
https` as docs/deployment.md's nginx does, and polls `/healthz` over plain HTTP as a
load balancer's health check would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count

from safehold.accounts import services as accounts
from safehold.accounts.models import Staff
from safehold.cases.models import Case, Contact, Incident
from safehold.cli import main
from safehold.policy.loader import active_policy
from safehold.privacy import audit
from safehold.privacy.models import AuditEntry
from tests.casedata import CASE_BODY
from tests.servers import (
    Server,
    assert_references_are_distinct_and_gapless,
    free_ports,
    post,
    start_server,
    stop,
    wait_until_ready,
)

THREADS_PER_SERVER = 4
ROUNDS = 4  # each round is three writes: a report, a contact, a further report


@dataclass(frozen=True)
class Write:
    kind: str  # "case", "contact" or "incident"
    server: str
    status: int
    body: Any


@pytest.fixture
def two_servers(transactional_db: None, tmp_path: Path) -> Iterator[list[Server]]:
    """Two servers on one database. They are stopped before the test database is
    flushed or dropped, whatever happened, even when one failed to start."""
    servers: list[Server] = []
    try:
        for n, port in enumerate(free_ports(2)):
            servers.append(start_server(port, tmp_path / f"server-{n}"))
        for server in servers:
            wait_until_ready(server)
        yield servers
    finally:
        for server in servers:
            stop(server)


@dataclass(frozen=True)
class Caseworker:
    """One thread's work: reports through its home server, records a contact on each
    new case through the other server (a case made on one is at once writable on the
    other), and adds a further report to the one shared case. Its first further report
    adds a kind of abuse that no other thread adds, so a lost update would show."""

    home: str
    other: str
    officer_token: str
    manager_token: str
    shared_case: str
    new_abuse_type: str  # added by this thread alone, in its first further report
    known_abuse_type: str  # already on the shared case: later reports change nothing
    name: str

    def work(self, start: threading.Barrier) -> list[Write]:
        start.wait()
        writes: list[Write] = []
        for round_ in range(ROUNDS):
            survivor = {**CASE_BODY["survivor"], "name": f"{self.name} Round{round_}"}
            status, case = post(
                self.home, "/api/v1/cases", self.officer_token, {**CASE_BODY, "survivor": survivor}
            )
            writes.append(Write("case", self.home, status, case))
            if status == 201:
                writes.append(self.contact(case["id"]))
            kind = self.new_abuse_type if round_ == 0 else self.known_abuse_type
            writes.append(self.further_report(kind))
        return writes

    def contact(self, case_id: str) -> Write:
        body = {
            "at": datetime.now(UTC).isoformat(),
            "channel": "phone",
            "direction": "outbound",
            "with": "survivor",
            "notes": "Called back at the agreed time.",
        }
        status, answer = post(
            self.other, f"/api/v1/cases/{case_id}/contacts", self.officer_token, body
        )
        return Write("contact", self.other, status, answer)

    def further_report(self, abuse_type: str) -> Write:
        body = {"source": "police", "abuse_types": [abuse_type], "summary": "Police called out."}
        path = f"/api/v1/cases/{self.shared_case}/incidents"
        status, answer = post(self.home, path, self.manager_token, body)
        return Write("incident", self.home, status, answer)


def caseworkers(
    servers: list[Server], make_staff: Callable[..., Staff], manager: Staff, shared_case: Case
) -> list[Caseworker]:
    """Four officers for each server, each with an API token; one manager's token,
    shared by every thread as an integration's would be, for the shared case."""
    threads = THREADS_PER_SERVER * len(servers)
    known = shared_case.abuse_types
    new_kinds = [k for k in active_policy().definitions.abuse_types if k not in known]
    assert len(new_kinds) >= threads, "the policy has too few kinds of abuse for this test"
    manager_token = accounts.token_create(staff=manager)
    workers = []
    for n in range(threads):
        home, other = servers[n % len(servers)].url, servers[(n + 1) % len(servers)].url
        officer = make_staff(f"officer.{n}")
        workers.append(
            Caseworker(
                home=home,
                other=other,
                officer_token=accounts.token_create(staff=officer),
                manager_token=manager_token,
                shared_case=shared_case.pk,
                new_abuse_type=new_kinds[n],
                known_abuse_type=known[0],
                name=f"Survivor Thread{n}",
            )
        )
    return workers


def run_at_once(workers: list[Caseworker]) -> list[Write]:
    start = threading.Barrier(len(workers))
    with ThreadPoolExecutor(max_workers=len(workers)) as pool:
        futures = [pool.submit(worker.work, start) for worker in workers]
        return [write for future in futures for write in future.result()]


def acknowledged(writes: list[Write], kind: str) -> list[Any]:
    return [w.body for w in writes if w.kind == kind and w.status == 201]


def assert_every_acknowledged_write_is_stored(writes: list[Write]) -> None:
    cases = acknowledged(writes, "case")
    stored = dict(
        Case.objects.filter(pk__in=[c["id"] for c in cases]).values_list("pk", "reference")
    )
    assert stored == {c["id"]: c["reference"] for c in cases}
    contacts = [c["id"] for c in acknowledged(writes, "contact")]
    assert Contact.objects.filter(pk__in=contacts).count() == len(contacts)
    incidents = [i["id"] for i in acknowledged(writes, "incident")]
    assert Incident.objects.filter(pk__in=incidents).count() == len(incidents)


def assert_one_unforked_chain(entries_before: int, writes: list[Write]) -> None:
    verdict = audit.verify()
    assert verdict.intact, verdict
    assert main(["audit", "verify"]) == 0  # `safehold audit verify`, as an operator runs it
    chain = AuditEntry.objects.aggregate(
        entries=Count("pk"),
        sequences=Count("seq", distinct=True),
        links=Count("prev_hash", distinct=True),
    )
    assert chain == {
        "entries": verdict.entries,
        "sequences": verdict.entries,
        "links": verdict.entries,
    }
    assert verdict.entries - entries_before >= sum(1 for w in writes if w.status == 201)
    opened = AuditEntry.objects.filter(action="case.opened").values_list("target_id", flat=True)
    assert sorted(opened) == sorted(Case.objects.values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_two_servers_write_at_once_to_one_chain_with_distinct_references(
    two_servers: list[Server],
    make_staff: Callable[..., Staff],
    manager: Staff,
    case: Case,
    capsys: pytest.CaptureFixture[str],
) -> None:
    workers = caseworkers(two_servers, make_staff, manager, shared_case=case)
    entries_before = AuditEntry.objects.count()

    writes = run_at_once(workers)

    refused = [w for w in writes if w.status != 201]
    logs = "\n".join(server.output() for server in two_servers)
    assert refused == [], f"{refused}\n{logs}"
    assert len(writes) == 3 * ROUNDS * len(workers)
    assert {w.server for w in writes} == {server.url for server in two_servers}
    assert_every_acknowledged_write_is_stored(writes)
    assert_references_are_distinct_and_gapless()
    assert_one_unforked_chain(entries_before, writes)
    # Each kind of abuse that one thread alone added reached the shared case: no
    # further report's change was lost to another's, on either server.
    added = {worker.new_abuse_type for worker in workers}
    assert set(Case.objects.get(pk=case.pk).abuse_types) == added | set(case.abuse_types)
    assert "The audit chain is intact" in capsys.readouterr().out
