"""How far behind the main database the report's figures are: nothing, when they are
read from the main database; a replica's lag when they are read from a streaming replica
(reports/routers.py). Measured once for each report, just before its figures are read,
and said on the page, the board report, the downloads and the API answer (`read_from`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

# On a hot standby: whether it has replayed all the WAL it has received (then it is as
# current as the main database has told it to be, however long ago the last write was),
# and how long ago the last transaction it replayed was committed on the main database.
# On a server that is not in recovery both are NULL.
REPLICA_LAG = """
SELECT pg_is_in_recovery(),
       COALESCE(pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn(), false),
       now() - pg_last_xact_replay_timestamp()
"""


@dataclass(frozen=True)
class Freshness:
    replica: bool
    behind: timedelta | None  # None: a replica that has replayed nothing yet since it started

    def answer(self) -> dict[str, Any]:
        seconds = None if self.behind is None else round(self.behind.total_seconds(), 1)
        return {"database": "replica" if self.replica else "main", "behind_seconds": seconds}


MAIN = Freshness(replica=False, behind=timedelta(0))


def freshness_of(using: str) -> Freshness:
    """The database `using` as the report reads it. No query when it is the main one."""
    if using == DEFAULT_DB_ALIAS:
        return MAIN
    with connections[using].cursor() as cursor:
        cursor.execute(REPLICA_LAG)
        in_recovery, caught_up, behind = cursor.fetchone()
    if not in_recovery:
        return MAIN  # the setting names a server that is not a replica: nothing trails
    if caught_up:
        return Freshness(replica=True, behind=timedelta(0))
    return Freshness(replica=True, behind=max(behind, timedelta(0)) if behind else None)


def counted(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def duration_words(span: timedelta) -> str:
    """A lag as people say it: seconds, minutes, or hours and minutes."""
    seconds = int(span.total_seconds())
    if seconds < 1:
        return "less than a second"
    if seconds < 60:
        return counted(seconds, "second")
    hours, minutes = divmod(seconds // 60, 60)
    if not hours:
        return counted(minutes, "minute")
    if not minutes:
        return counted(hours, "hour")
    return f"{counted(hours, 'hour')} {counted(minutes, 'minute')}"


def read_from_words(read_from: dict[str, Any] | None) -> str:
    """The report's `read_from` in plain words; nothing when read from the main database."""
    if not read_from or read_from["database"] != "replica":
        return ""
    copy = "These figures were read from a copy of the main database (a replica)"
    seconds = read_from["behind_seconds"]
    if seconds is None:
        return f"{copy} that was still catching up with it: how far behind it was is not known."
    if seconds == 0:
        return f"{copy}, which was up to date when they were read."
    if seconds < 1:
        return f"{copy}, which was less than a second behind it when they were read."
    behind = duration_words(timedelta(seconds=seconds))
    return (
        f"{copy}, which was {behind} behind it when they were read: anything recorded in "
        f"the {behind} before may not be counted yet."
    )
