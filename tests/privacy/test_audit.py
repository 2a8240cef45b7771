"""The audit chain: appends are serialised, the chain verifies, tampering is found."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from safehold.privacy import audit
from safehold.privacy.models import AppendOnlyError, AuditEntry
from safehold.privacy.seals import AuditKeys

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_it_chains_entries_and_verifies() -> None:
    for n in range(5):
        audit.record(
            actor="alice",
            action="case.viewed",
            target_type="case",
            target_id=f"c{n}",
            detail={"via": "web"},
        )
    verdict = audit.verify()
    assert verdict.intact
    assert verdict.entries == 5
    entries = list(AuditEntry.objects.all())
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))


@pytest.mark.django_db
def test_an_entry_reads_back_through_the_orm_as_it_was_written() -> None:
    """record() writes its statements by hand (docs/performance.md); the row must be
    the one the ORM would have written: same time to the microsecond, same detail. The
    first entry makes the chain's head; the second is appended as every later one is
    (on PostgreSQL in one statement, hashed by the database)."""
    audit.record(actor="", action="chain.started")
    at = datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=UTC)  # the hour the clocks go forward
    written = audit.record(
        actor="zoë",
        action="report.exported",
        detail={"teams": ["Leeds", "Zoë's"], "suppressed": True, "rows": 3, "none": None},
        at=at,
    )

    read = AuditEntry.objects.get(seq=written.seq)

    assert read.pk == written.pk
    assert (read.at, read.actor, read.detail) == (at, "zoë", written.detail)
    assert read.hash == audit.link_hash(read.prev_hash, audit.canonical(read))
    assert audit.verify().intact


@given(
    actor=st.text(max_size=20),
    detail=st.dictionaries(
        st.text(max_size=8),
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=12),
                  st.lists(st.text(max_size=6), max_size=3)),
        max_size=4,
    ),
    seq=st.integers(min_value=1, max_value=10**12),
)  # fmt: skip
def test_the_content_cut_around_its_seq_is_the_whole_content(
    actor: str, detail: dict[str, object], seq: int
) -> None:
    """PostgreSQL writes the seq between the two halves (audit.APPEND_IN_ONE): the result
    must be, to the byte, the canonical JSON the hash has always covered."""
    entry = AuditEntry(
        seq=seq,
        at=datetime(2026, 11, 22, 12, 0, 0, 5, tzinfo=UTC),
        actor=actor,
        action="case.viewed",
        target_type="case",
        target_id="case_1",
        detail=detail,
    )
    whole = json.dumps(
        {
            "seq": entry.seq,
            "at": entry.at.astimezone(UTC).isoformat(),
            "actor": entry.actor,
            "action": entry.action,
            "target_type": entry.target_type,
            "target_id": entry.target_id,
            "detail": entry.detail,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    before, after = audit.canonical_around_seq(entry)
    assert f"{before}{seq}{after}" == whole == audit.canonical(entry)


@given(
    key=st.binary(min_size=32, max_size=32),
    entry_hash=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
)
def test_the_seal_written_out_with_sha256_alone_is_hmac(key: bytes, entry_hash: str) -> None:
    """PostgreSQL computes each seal as sha256(outer pad || sha256(inner pad || hash))
    (audit.APPEND_IN_ONE), from the pads Python sends: it must be, to the byte, the
    HMAC-SHA-256 that Python checks."""
    keys = AuditKeys(key_id="0" * 16, seal_key=key, checkpoint_key=key)
    inner, outer = keys.seal_pads()
    inner_hash = hashlib.sha256(inner + entry_hash.encode()).digest()
    assert hashlib.sha256(outer + inner_hash).hexdigest() == keys.seal(entry_hash)


@pytest.mark.django_db
def test_after_the_first_entry_an_append_is_one_statement_on_postgresql() -> None:
    audit.record(actor="", action="chain.started")
    with CaptureQueriesContext(connection) as made:
        audit.record(actor="alice", action="case.viewed", target_type="case", target_id="c1")
    statements = [query["sql"].split()[0] for query in made.captured_queries]
    if connection.vendor == "postgresql":
        assert statements == ["WITH"]
    else:  # the write lock is taken at BEGIN; a savepoint here, inside the test's
        assert statements == ["SAVEPOINT", "SELECT", "INSERT", "UPDATE", "RELEASE"]
    assert audit.verify().intact


@pytest.mark.django_db
def test_an_empty_chain_verifies() -> None:
    assert audit.verify().intact


@pytest.mark.django_db
def test_the_code_has_no_way_to_change_or_remove_an_entry() -> None:
    entry = audit.record(actor="alice", action="sign_in.succeeded")
    entry.action = "nothing.happened"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


def tamper(sql: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("UPDATE privacy_auditentry SET actor = 'mallory' WHERE seq = 2", "content"),
        ('UPDATE privacy_auditentry SET detail = \'{"via": "api"}\' WHERE seq = 2', "content"),
        ("DELETE FROM privacy_auditentry WHERE seq = 2", "missing"),
    ],
)
def test_a_tampered_chain_fails_at_the_first_bad_entry(sql: str, reason: str) -> None:
    for n in range(4):
        audit.record(actor="alice", action="case.viewed", target_id=f"c{n}", detail={"via": "web"})
    tamper(sql)
    verdict = audit.verify()
    assert not verdict.intact
    assert verdict.first_bad_seq == 2
    assert reason in verdict.reason


@pytest.mark.django_db
def test_a_rewritten_tail_is_caught_by_the_head() -> None:
    for n in range(3):
        audit.record(actor="alice", action="case.viewed", target_id=f"c{n}")
    tamper("DELETE FROM privacy_auditentry WHERE seq = 3")
    verdict = audit.verify()
    assert not verdict.intact
    assert "head" in verdict.reason


@pytest.mark.django_db(transaction=True)
def test_concurrent_threads_cannot_fork_the_chain() -> None:
    errors: list[BaseException] = []

    def append_many(name: str) -> None:
        try:
            for n in range(25):
                audit.record(actor=name, action="case.viewed", target_id=str(n))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=append_many, args=(f"t{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    verdict = audit.verify()
    assert verdict.intact, verdict
    assert verdict.entries == 100


APPENDER = """
import django; django.setup()
from safehold.privacy import audit
for n in range(40):
    audit.record(actor="{name}", action="case.viewed", target_id=str(n))
"""


def database_url() -> str:
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    return f"postgres://{config['USER']}@{config['HOST']}:{config['PORT']}/{config['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_two_processes_cannot_fork_the_chain() -> None:
    audit.record(actor="main", action="case.viewed")
    env = dict(os.environ, DATABASE_URL=database_url(), DJANGO_SETTINGS_MODULE="tests.settings")
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", APPENDER.format(name=f"p{i}")],
            env=env,
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=120)
        assert process.returncode == 0, stderr
    verdict = audit.verify()
    assert verdict.intact, verdict
    assert verdict.entries == 81


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_app_role_cannot_change_the_log() -> None:
    """docs/operations.md: the app's role gets INSERT and SELECT on the audit table only."""
    if connection.vendor != "postgresql":
        assert connection.vendor == "sqlite"  # the SQLite file is the app's alone
        return
    audit.record(actor="alice", action="case.viewed")
    with connection.cursor() as cursor:
        cursor.execute("DROP ROLE IF EXISTS safehold_app_test")
        cursor.execute("CREATE ROLE safehold_app_test")
        cursor.execute("GRANT SELECT, INSERT ON privacy_auditentry TO safehold_app_test")
        cursor.execute("SET ROLE safehold_app_test")
        try:
            for statement in (
                "UPDATE privacy_auditentry SET actor = 'x'",
                "DELETE FROM privacy_auditentry",
                "TRUNCATE privacy_auditentry",
            ):
                with pytest.raises(Exception, match="permission denied"):
                    cursor.execute(statement)  # autocommit: each statement stands alone
        finally:
            cursor.execute("RESET ROLE")
            cursor.execute("DROP OWNED BY safehold_app_test")
            cursor.execute("DROP ROLE safehold_app_test")
