"""A cache of integer counters in the database, for django-ratelimit.

django-ratelimit counts each key's requests in a cache with `add` and then `incr`, and
relies on both being atomic. The counts must be shared by every `safehold serve`
process, so a per-process memory cache will not do; Django's own database cache reads a
value and then writes it back, so two requests at the same moment can count as one (its
checks say so: django_ratelimit.E003). Here each operation is one SQL statement that the
database applies atomically, on SQLite and PostgreSQL alike, and memcached or Redis
need not be run beside Safehold.

Only integers are stored. Expired counters are deleted whenever a new one is added.

A count is written on every API request, so its commit does not wait for the disk
(`unsynced`): a crash can forget the last few counts, which costs nothing, while the
writes that matter keep their durable commits (docs/performance.md)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import connection, transaction

from safehold.limits.models import Counter

NEVER = 2**62  # an expiry for a counter kept until it is deleted


@contextmanager
def unsynced() -> Iterator[None]:
    """A transaction of its own whose commit does not wait for the disk: PostgreSQL's
    `synchronous_commit = off` for this transaction alone; SQLite's `synchronous =
    NORMAL` (in WAL mode a commit is then safe from a crash of the process, not of the
    machine) until it ends. Inside someone else's transaction it changes nothing, so a
    real write is never made less durable."""
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous = NORMAL")
    try:
        with transaction.atomic():
            yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = FULL")


class CounterCache(BaseCache):
    def __init__(self, location: str, params: dict[str, Any]) -> None:
        super().__init__(params)
        self.table = connection.ops.quote_name(Counter._meta.db_table)

    def expiry(self, timeout: float | None) -> int:
        expires = self.get_backend_timeout(timeout)
        return NEVER if expires is None else int(expires)

    def add(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        """Stores `value` unless a live counter has the key; True when it was stored."""
        key = self.make_and_validate_key(key, version=version)
        now = int(time.time())
        with unsynced(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.table} (cache_key, value, expires) VALUES (%s, %s, %s) "  # noqa: S608 - the table name is ours
                "ON CONFLICT (cache_key) DO UPDATE "
                "SET value = excluded.value, expires = excluded.expires "
                f"WHERE {self.table}.expires <= %s",
                [key, int(value), self.expiry(timeout), now],
            )
            added = bool(cursor.rowcount == 1)
            if added:
                cursor.execute(f"DELETE FROM {self.table} WHERE expires <= %s", [now])  # noqa: S608
        return added

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        """Adds `delta` in the database itself, so no concurrent increment is lost."""
        key = self.make_and_validate_key(key, version=version)
        with unsynced(), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self.table} SET value = value + %s WHERE cache_key = %s "  # noqa: S608
                "RETURNING value",
                [int(delta), key],
            )
            rows = cursor.fetchall()
        if not rows:
            raise ValueError(f"Key '{key}' not found")
        return int(rows[0][0])

    def get(self, key: Any, default: Any | None = None, version: int | None = None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value FROM {self.table} WHERE cache_key = %s AND expires > %s",  # noqa: S608
                [key, int(time.time())],
            )
            row = cursor.fetchone()
        return default if row is None else int(row[0])

    def set(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.table} (cache_key, value, expires) VALUES (%s, %s, %s) "  # noqa: S608
                "ON CONFLICT (cache_key) DO UPDATE "
                "SET value = excluded.value, expires = excluded.expires",
                [key, int(value), self.expiry(timeout)],
            )

    def touch(
        self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {self.table} SET expires = %s WHERE cache_key = %s",  # noqa: S608
                [self.expiry(timeout), key],
            )
            return bool(cursor.rowcount)

    def delete(self, key: Any, version: int | None = None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE cache_key = %s", [key])  # noqa: S608
            return bool(cursor.rowcount)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table}")  # noqa: S608
