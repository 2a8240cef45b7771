"""The append-only, hash-chained audit log.

`record()` appends an entry inside the caller's transaction, so a refused write leaves no
entry and an accepted one cannot commit without its entry. `verify()` walks the chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
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
    """Appends one entry. `actor` is a username, or "" for the system itself."""
    detail = dict(detail or {})
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=HEAD_ID)
        entry = AuditEntry(
            seq=head.seq + 1,
            at=at or timezone.now(),
            actor=actor,
            action=action,
            target_type=target_type,
            target_id=target_id,
            detail=detail,
            prev_hash=head.hash,
        )
        entry.hash = link_hash(head.hash, canonical(entry))
        entry.save(force_insert=True)
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry


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
