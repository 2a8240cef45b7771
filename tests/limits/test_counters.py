"""The rate-limit counters in the database (safehold/limits/counters.py): shared by every
connection, and never losing a count when requests arrive at the same moment."""

from __future__ import annotations

import threading
import time

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection

from safehold.limits.counters import CounterCache
from safehold.limits.models import Counter


@pytest.fixture
def counters(db: None) -> CounterCache:
    cache = caches["rate-limits"]
    assert isinstance(cache, CounterCache)
    return cache


def test_it_adds_a_counter_only_when_none_is_live(counters: CounterCache) -> None:
    assert counters.add("token-1", 1, 60) is True
    assert counters.add("token-1", 1, 60) is False
    assert counters.get("token-1") == 1


def test_it_counts_up_from_what_was_added(counters: CounterCache) -> None:
    counters.add("token-1", 1, 60)
    assert counters.incr("token-1") == 2
    assert counters.incr("token-1", 5) == 7
    assert counters.get("token-1") == 7


def test_it_refuses_to_count_a_key_it_does_not_have(counters: CounterCache) -> None:
    with pytest.raises(ValueError, match="not found"):
        counters.incr("nobody")


def test_an_expired_counter_starts_again_and_old_ones_are_deleted(
    counters: CounterCache,
) -> None:
    counters.add("old", 1, 60)
    counters.add("token-1", 1, 60)
    counters.incr("token-1", 9)
    with time_machine.travel(time.time() + 61, tick=False):
        assert counters.get("token-1") is None
        assert counters.add("token-1", 1, 60) is True
        assert counters.get("token-1") == 1
        assert set(Counter.objects.values_list("cache_key", flat=True)) == {
            counters.make_key("token-1")
        }


def test_it_sets_deletes_and_clears(counters: CounterCache) -> None:
    counters.set("a", 3, 60)
    counters.set("a", 4, 60)
    counters.set("b", 1, None)
    assert (counters.get("a"), counters.get("b")) == (4, 1)
    assert counters.delete("a") is True
    assert counters.get("a", "gone") == "gone"
    counters.clear()
    assert not Counter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_no_count_is_lost_between_threads() -> None:
    """Eight threads, each with its own database connection, count the same key at once:
    every increment is in the total, as django-ratelimit needs."""
    threads, each = 8, 25
    counters = caches["rate-limits"]
    counters.add("busy", 0, 60)
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def count() -> None:
        try:
            start.wait()
            for _ in range(each):
                caches["rate-limits"].incr("busy")
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
    assert counters.get("busy") == threads * each


def synchronous_setting() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW synchronous_commit")
        else:
            cursor.execute("PRAGMA synchronous")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_count_leaves_the_connection_as_durable_as_it_found_it() -> None:
    """Counts commit without waiting for the disk (counters.unsynced); the case work
    after them on the same connection must still commit durably."""
    counters = caches["rate-limits"]
    before = synchronous_setting()
    assert before in ("on", "2")  # PostgreSQL's on, SQLite's FULL

    counters.add("durable", 1, 60)
    counters.incr("durable")

    assert synchronous_setting() == before
    assert counters.get("durable") == 2
