"""The append-only, hash-chained audit log.

`record()` appends an entry inside the caller's transaction, so a refused write leaves no
entry and an accepted one cannot commit without its entry. `verify()` walks the chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from safehold.prepared import statement_cursor
from safehold.privacy.models import GENESIS_HASH, AuditEntry, AuditHead

DetailValue = str | int | bool | None | list[str]
HEAD_ID = 1


def canonical(entry: AuditEntry) -> str:
    """The entry's content as its hash covers it: sorted keys, UTC time, no spaces."""
    before, after = canonical_around_seq(entry)
    return f"{before}{entry.seq}{after}"


def canonical_around_seq(entry: AuditEntry) -> tuple[str, str]:
    """The canonical content before and after its `seq`, which PostgreSQL fills in when
    it appends the entry (`APPEND_IN_ONE`). The keys sort as action, actor, at, detail,
    seq, target_id, target_type, so the two halves are two JSON objects cut open."""
    head = dumps(
        {
            "action": entry.action,
            "actor": entry.actor,
            "at": entry.at.astimezone(UTC).isoformat(),
            "detail": entry.detail,
        }
    )
    tail = dumps({"target_id": entry.target_id, "target_type": entry.target_type})
    return head[:-1] + ',"seq":', "," + tail[1:]


def dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link_hash(prev_hash: str, content: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def record(
    *,
    actor: str,
    action: str,
    target_type: str = "",
    target_id: str = "",
    detail: Mapping[str, DetailValue] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Appends one entry. `actor` is a username, or "" for the system itself.

    Every read of a case appends an entry, so this is on the path of every page about a
    case, and it is written out by hand rather than built by the ORM on each call
    (docs/performance.md). The chain stays serialised: the head row is locked until the
    entry and the new head commit together.

    On PostgreSQL it is one statement (`APPEND_IN_ONE`): the database locks the head,
    hashes the new entry onto it with its own sha256, inserts it and moves the head. Run
    outside a transaction, that statement is its own transaction, so the head is locked
    only while it runs and commits, not across several round trips from Python. On
    SQLite, whose transactions take the write lock at BEGIN, Python reads the head,
    hashes and appends in one transaction."""
    entry = AuditEntry(
        at=at or timezone.now(),
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=dict(detail or {}),
    )
    if connection.vendor == "postgresql" and appended_in_one(entry):
        return entry
    with transaction.atomic():
        seq, prev_hash = head_locked()
        entry.seq, entry.prev_hash = seq + 1, prev_hash
        entry.hash = link_hash(prev_hash, canonical(entry))
        append(entry)
    return entry


def appended_in_one(entry: AuditEntry) -> bool:
    """PostgreSQL's one-statement append; False when there is no head yet (the first
    entry ever), for `record` to make it."""
    before, after = canonical_around_seq(entry)
    columns = ENTRY_FIELDS[1:-2]  # at to detail: the database writes seq and the hashes
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in columns]
    with statement_cursor(connection) as cursor:
        cursor.execute(APPEND_IN_ONE, [HEAD_ID, *values, before.encode(), after.encode(), HEAD_ID])
        found = cursor.fetchone()
    if found is None:
        return False
    entry.pk, entry.seq, entry.prev_hash, entry.hash = found
    entry._state.adding, entry._state.db = False, connection.alias  # as a saved row is
    return True


def head_locked() -> tuple[int, str]:
    """The chain's (seq, hash), its row locked until the transaction ends."""
    query = HEAD_LOCKED if connection.features.has_select_for_update else HEAD
    with connection.cursor() as cursor:
        cursor.execute(query, [HEAD_ID])
        found = cursor.fetchone()
    if found is None:  # the first entry ever: make the row, under the same lock
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=HEAD_ID)
        return head.seq, head.hash
    return int(found[0]), str(found[1])


def append(entry: AuditEntry) -> None:
    values = [
        field.get_db_prep_save(getattr(entry, field.attname), connection) for field in ENTRY_FIELDS
    ]
    with connection.cursor() as cursor:
        cursor.execute(APPEND_ENTRY, values)
        entry.pk = cursor.fetchone()[0]
        cursor.execute(HEAD_MOVE, [entry.seq, entry.hash, HEAD_ID])
    entry._state.adding, entry._state.db = False, connection.alias  # as a saved row is


# The statements, in the tables' own names (privacy/models.py; tests check that entries
# written by each path read back through the ORM and verify).
HEAD = "SELECT seq, hash FROM privacy_audithead WHERE id = %s"
HEAD_LOCKED = HEAD + " FOR UPDATE"
HEAD_MOVE = "UPDATE privacy_audithead SET seq = %s, hash = %s WHERE id = %s"
ENTRY_COLUMNS = (
    "seq", "at", "actor", "action", "target_type", "target_id", "detail", "prev_hash", "hash",
)  # fmt: skip
ENTRY_FIELDS: list[Field[Any, Any]] = [
    cast("Field[Any, Any]", AuditEntry._meta.get_field(name)) for name in ENTRY_COLUMNS
]
APPEND_ENTRY = (
    "INSERT INTO privacy_auditentry"
    " (seq, at, actor, action, target_type, target_id, detail, prev_hash, hash)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
)
# The hash is link_hash's: sha256 of the previous hash, a newline and the canonical
# content, whose seq the database writes between the two halves Python sends as bytes.
APPEND_IN_ONE = """
WITH head AS (
    SELECT seq, hash FROM privacy_audithead WHERE id = %s FOR UPDATE
), entry AS (
    INSERT INTO privacy_auditentry
        (seq, at, actor, action, target_type, target_id, detail, prev_hash, hash)
    SELECT head.seq + 1, %s, %s, %s, %s, %s, %s, head.hash,
        encode(sha256(
            convert_to(head.hash || E'\\n', 'UTF8') || %s::bytea
            || convert_to((head.seq + 1)::text, 'UTF8') || %s::bytea
        ), 'hex')
    FROM head
    RETURNING id, seq, prev_hash, hash
)
UPDATE privacy_audithead SET seq = entry.seq, hash = entry.hash
FROM entry WHERE privacy_audithead.id = %s
RETURNING entry.id, entry.seq, entry.prev_hash, entry.hash
"""


@dataclass(frozen=True)
class Verdict:
    intact: bool
    entries: int
    first_bad_seq: int | None = None
    reason: str = ""


def verify(chunk_size: int = 5000) -> Verdict:
    """Walks the whole chain in order and names the first entry that fails."""
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=chunk_size):
        if entry.seq != expected_seq:
            return Verdict(False, count, expected_seq, f"entry #{expected_seq} is missing")
        problem = entry_problem(entry, expected_prev)
        if problem:
            return Verdict(False, count, entry.seq, problem)
        expected_prev, expected_seq, count = entry.hash, entry.seq + 1, count + 1
    head = AuditHead.objects.filter(pk=HEAD_ID).first()
    if head is not None and (head.seq, head.hash) != (expected_seq - 1, expected_prev):
        return Verdict(False, count, head.seq, "the chain's head does not match its last entry")
    return Verdict(True, count)


def entry_problem(entry: AuditEntry, expected_prev: str) -> str:
    if entry.prev_hash != expected_prev:
        return "its link to the previous entry is broken"
    if link_hash(entry.prev_hash, canonical(entry)) != entry.hash:
        return "its content does not match its hash"
    return ""
