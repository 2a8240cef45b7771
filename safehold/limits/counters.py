"""Rate-limit counters in the database, shared by every `safehold serve` process.

`hit(key, period)` counts one request against `key` in the current window of `period`
seconds and says how many the window holds and when it ends. Each window starts on a
multiple of its period (a minute's window on the minute). A hit is one SQL statement,
which the database applies atomically on SQLite and PostgreSQL alike: no count is lost
when requests arrive at the same moment, and memcached or Redis need not be run beside
Safehold.

Every API request is counted, so a count must be cheap (docs/performance.md):

- one statement, not a read and then a write;
- its commit does not wait for the disk. On PostgreSQL the table is UNLOGGED
  (migration 0002): it writes no WAL, so its commits never wait for a flush, and after
  a crash it starts empty. On SQLite `synchronous = NORMAL` is set for the statement
  alone (in WAL mode a commit is then safe from a crash of the process, not of the
  machine). A crash can forget the last few counts, which costs nothing; the writes
  that matter keep their durable commits.

Why not django-ratelimit, which Safehold used before: its protocol is `add` and then
`incr` on a cache, two writes and two commits per request, and its cache must be
memcached or Redis to be shared and atomic. One statement does the whole job here.

Keys are stored hashed, so the table names no token or client address. Spent counters
are deleted whenever a key starts a new window."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection

from safehold.limits.models import Counter
from safehold.prepared import statement_cursor

TABLE = Counter._meta.db_table
HIT = (
    f"INSERT INTO {TABLE} (cache_key, value, expires) VALUES (%s, 1, %s) "  # noqa: S608 - our table
    "ON CONFLICT (cache_key) DO UPDATE SET "
    f"value = CASE WHEN {TABLE}.expires <= %s THEN 1 ELSE {TABLE}.value + 1 END, "
    f"expires = CASE WHEN {TABLE}.expires <= %s THEN excluded.expires ELSE {TABLE}.expires END "
    "RETURNING value, expires"
)
SPENT = f"DELETE FROM {TABLE} WHERE expires <= %s"  # noqa: S608 - our table


@dataclass(frozen=True)
class Count:
    value: int  # requests in this window, this one included
    ends_at: int  # Unix time the window ends and the next starts
    at: int  # Unix time (whole seconds) of this count

    @property
    def seconds_left(self) -> int:
        return max(1, self.ends_at - self.at)


def stored_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def hit(key: str, period: int) -> Count:
    """Counts one request against `key` in the current window of `period` seconds."""
    now = int(time.time())
    ends_at = now - now % period + period
    with unsynced(), statement_cursor(connection) as cursor:
        cursor.execute(HIT, [stored_key(key), ends_at, now, now])
        value, expires = cursor.fetchone()
        if value == 1:  # a new window: this is the moment to sweep spent counters
            cursor.execute(SPENT, [now])
    return Count(int(value), int(expires), now)


def value_of(key: str) -> int | None:
    """The count in `key`'s live window, or None (for tests and operators)."""
    found = Counter.objects.filter(cache_key=stored_key(key), expires__gt=int(time.time()))
    return found.values_list("value", flat=True).first()


@contextmanager
def unsynced() -> Iterator[None]:
    """On SQLite, outside anyone's transaction, commits that do not wait for the disk
    until the block ends; then `synchronous = FULL` again. Inside a transaction, and on
    PostgreSQL (whose counter table is unlogged), it changes nothing, so a real write
    is never made less durable."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous = NORMAL")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = FULL")
