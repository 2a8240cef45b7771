"""The rate-limit counters in the database (safehold/limits/counters.py): shared by every
connection, never losing a count when requests arrive at the same moment, and never
making the case work after them less durable."""

from __future__ import annotations

import threading
import time

import pytest
import time_machine
from django.db import connection

from safehold.limits import counters
from safehold.limits.models import Counter

pytestmark = pytest.mark.django_db

START = 1_699_999_200  # in the past; a multiple of 60 and of 3600


def test_it_counts_each_hit_in_the_window_and_says_when_it_ends() -> None:
    with time_machine.travel(START + 15, tick=False):
        first = counters.hit("token-1", 60)
        second = counters.hit("token-1", 60)
    assert (first.value, second.value) == (1, 2)
    assert second.ends_at == START + 60
    assert second.seconds_left == 45
    assert counters.value_of("token-1") is None  # the window has long ended


def test_keys_are_counted_apart_and_stored_hashed() -> None:
    with time_machine.travel(START, tick=False):
        counters.hit("api.token:7", 60)
        counters.hit("api.token:7", 60)
        counters.hit("api.address:203.0.113.7", 60)
        assert counters.value_of("api.token:7") == 2
        assert counters.value_of("api.address:203.0.113.7") == 1
    stored = " ".join(Counter.objects.values_list("cache_key", flat=True))
    assert "203.0.113.7" not in stored
    assert "token" not in stored


def test_a_new_window_starts_again_at_one_and_spent_counters_are_deleted() -> None:
    with time_machine.travel(START + 10, tick=False):
        counters.hit("old", 60)
        for _ in range(5):
            counters.hit("busy", 60)
    with time_machine.travel(START + 59, tick=False):
        assert counters.hit("busy", 60).value == 6
    with time_machine.travel(START + 60, tick=False):
        again = counters.hit("busy", 60)
        assert (again.value, again.ends_at) == (1, START + 120)
        assert Counter.objects.count() == 1  # "old" was spent, and swept


def test_the_last_second_belongs_to_the_window() -> None:
    with time_machine.travel(START + 3599.9, tick=False):
        counters.hit("slow", 3600)
        last = counters.hit("slow", 3600)
    assert (last.value, last.seconds_left) == (2, 1)


@pytest.mark.django_db(transaction=True)
def test_no_count_is_lost_between_threads() -> None:
    """Eight threads, each with its own database connection, count the same key at once:
    every hit is in the total."""
    threads, each = 8, 25
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def count() -> None:
        try:
            start.wait()
            for _ in range(each):
                counters.hit("busy", 10**9)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=count) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert failures == []
    assert counters.value_of("busy") == threads * each


def synchronous_setting() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW synchronous_commit")
        else:
            cursor.execute("PRAGMA synchronous")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_count_leaves_the_connection_as_durable_as_it_found_it() -> None:
    """Counts commit without waiting for the disk; the case work after them on the same
    connection must still commit durably."""
    before = synchronous_setting()
    assert before in ("on", "2")  # PostgreSQL's on, SQLite's FULL
    counters.hit("durable", 60)
    counters.hit("durable", 60)
    assert synchronous_setting() == before
    assert counters.value_of("durable") == 2


def test_a_counts_commit_never_waits_for_the_disk() -> None:
    """PostgreSQL: an unlogged table, whose commits never wait for a flush of the WAL.
    SQLite: the WAL journal, in which `synchronous = NORMAL` (counters.unsynced) is safe
    from a crash of the process."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'limits_counter'")
            assert cursor.fetchone()[0] == "u"
        else:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"


def test_a_count_is_one_statement_when_its_window_is_running() -> None:
    counters.hit("steady", 60)
    with connection.execute_wrapper(recorder := Recorder()):
        counters.hit("steady", 60)
    assert [sql.split()[0] for sql in recorder.statements if "PRAGMA" not in sql] == ["INSERT"]


class Recorder:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        self.statements.append(sql)
        return execute(sql, params, many, context)


def test_hits_at_the_same_second_share_the_window() -> None:
    now = time.time()
    with time_machine.travel(now, tick=False):
        assert counters.hit("k", 1).value == 1
        assert counters.hit("k", 1).value == 2
