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

from safehold.privacy.models import GENESIS_HASH, AuditEntry, AuditHead

DetailValue = str | int | bool | None | list[str]
HEAD_ID = 1


def canonical(entry: AuditEntry) -> str:
    """The entry's content as its hash covers it: sorted keys, UTC time, no spaces."""
    return json.dumps(
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
    case: its three statements are written out once (`APPEND`) rather than built by the
    ORM on each call (docs/performance.md). The chain stays serialised: the head row is
    locked (FOR UPDATE on PostgreSQL; SQLite's transactions take the write lock at
    BEGIN) until the entry and the new head commit together."""
    detail = dict(detail or {})
    with transaction.atomic():
        head = head_locked()
        entry = AuditEntry(
            seq=head[0] + 1,
            at=at or timezone.now(),
            actor=actor,
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail=detail,
            prev_hash=head[1],
        )
        entry.hash = link_hash(head[1], canonical(entry))
        append(entry)
    return entry


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


# The statements, in the tables' own names (privacy/models.py; a test checks that an
# entry written here reads back through the ORM and verifies).
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
