"""The append-only, hash-chained and sealed audit log.

`record()` appends an entry inside the caller's transaction, so a refused write leaves no
entry and an accepted one cannot commit without its entry. Each entry is sealed with a
key that is never in the database (seals.py), so whoever can write the database cannot
rewrite it unseen. `verify()` walks the chain and checks the seals and checkpoints."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, cast

from django.db import connection, transaction
from django.db.models import Field, Max
from django.utils import timezone

from safehold.limits.addresses import request_address
from safehold.prepared import statement_cursor
from safehold.privacy.models import GENESIS_HASH, AuditCheckpoint, AuditEntry, AuditHead
from safehold.privacy.seals import AuditKeys, Checkpoint, audit_keys, audit_keys_for

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


# The time `record` gives entries instead of now, inside `recorded_at` (the demo only).
_replayed_at: ContextVar[datetime | None] = ContextVar("audit_replayed_at", default=None)


@contextmanager
def recorded_at(moment: datetime) -> Iterator[None]:
    """Entries recorded inside carry `moment` as their time instead of now. Only for
    `safehold demo`, which plays weeks of invented work through the services, so each
    entry says when its event happened. The chain links entries by `seq` and hashes what
    is stored, times included, so it still verifies; an entry's time is a claim the chain
    seals, not a check that times rise with `seq` (docs/security.md)."""
    token = _replayed_at.set(moment)
    try:
        yield
    finally:
        _replayed_at.reset(token)


def record(
    *,
    actor: str,
    action: str,
    target_type: str = "",
    target_id: str = "",
    detail: Mapping[str, DetailValue] | None = None,
    at: datetime | None = None,
    master: bytes | None = None,
) -> AuditEntry:
    """Appends one entry, sealed under the configured master key's audit keys (or
    under `master`'s, for `safehold keys rotate`). `actor` is a username, or "" for the
    system itself.

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
    keys = audit_keys() if master is None else audit_keys_for(master)
    entry = AuditEntry(
        at=at or _replayed_at.get() or timezone.now(),
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=with_request_address(detail),
        key_id=keys.key_id,
    )
    if connection.vendor == "postgresql" and appended_in_one(entry, keys):
        return entry
    with transaction.atomic():
        seq, prev_hash = head_locked()
        entry.seq, entry.prev_hash = seq + 1, prev_hash
        entry.hash = link_hash(prev_hash, canonical(entry))
        entry.seal = keys.seal(entry.hash)
        append(entry)
    return entry


def with_request_address(detail: Mapping[str, DetailValue] | None) -> dict[str, DetailValue]:
    """The detail, with the client's address (`address`) when the entry is written while
    answering a request (limits/addresses.py; ASVS 16.2.1). Only the detail carries it:
    the entry's columns and canonical form are unchanged."""
    found = dict(detail or {})
    address = request_address()
    if address and "address" not in found:
        found["address"] = address
    return found


def appended_in_one(entry: AuditEntry, keys: AuditKeys) -> bool:
    """PostgreSQL's one-statement append; False when there is no head yet (the first
    entry ever), for `record` to make it. The seal key reaches the database only as
    its HMAC pads, parameters of this statement, and is never stored."""
    before, after = canonical_around_seq(entry)
    columns = ENTRY_FIELDS[1:7]  # at to detail: the database writes seq and the hashes
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in columns]
    inner, outer = keys.seal_pads()
    parameters = [HEAD_ID, before.encode(), after.encode(), *values, entry.key_id, outer, inner]
    with statement_cursor(connection) as cursor:
        cursor.execute(APPEND_IN_ONE, [*parameters, HEAD_ID])
        found = cursor.fetchone()
    if found is None:
        return False
    entry.pk, entry.seq, entry.prev_hash, entry.hash, entry.seal = found
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
    "key_id", "seal",
)  # fmt: skip
ENTRY_FIELDS: list[Field[Any, Any]] = [
    cast("Field[Any, Any]", AuditEntry._meta.get_field(name)) for name in ENTRY_COLUMNS
]
APPEND_ENTRY = (
    "INSERT INTO privacy_auditentry"
    " (seq, at, actor, action, target_type, target_id, detail, prev_hash, hash, key_id, seal)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id"
)
APPEND_OLDER_ENTRY = (
    "INSERT INTO privacy_auditentry"
    " (seq, at, actor, action, target_type, target_id, detail, prev_hash, hash)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)
# The hash is link_hash's: sha256 of the previous hash, a newline and the canonical
# content, whose seq the database writes between the two halves Python sends as bytes.
# The seal is AuditKeys.seal's, HMAC-SHA256 (RFC 2104) written out with sha256 alone:
# sha256(outer pad || sha256(inner pad || hash)), so no extension (pgcrypto) is needed.
# Functions are named with their schema, so that no function of the same name in
# another schema on the search path ever sees the pads.
APPEND_IN_ONE = """
WITH head AS (
    SELECT seq, hash FROM privacy_audithead WHERE id = %s FOR UPDATE
), link AS (
    SELECT head.seq + 1 AS seq, head.hash AS prev_hash,
        pg_catalog.encode(pg_catalog.sha256(
            pg_catalog.convert_to(head.hash || E'\\n', 'UTF8') || %s::bytea
            || pg_catalog.convert_to((head.seq + 1)::text, 'UTF8') || %s::bytea
        ), 'hex') AS hash
    FROM head
), entry AS (
    INSERT INTO privacy_auditentry
        (seq, at, actor, action, target_type, target_id, detail, prev_hash, hash, key_id, seal)
    SELECT link.seq, %s, %s, %s, %s, %s, %s, link.prev_hash, link.hash, %s,
        pg_catalog.encode(pg_catalog.sha256(%s::bytea || pg_catalog.sha256(
            %s::bytea || pg_catalog.convert_to(link.hash, 'UTF8')
        )), 'hex')
    FROM link
    RETURNING id, seq, prev_hash, hash, seal
)
UPDATE privacy_audithead SET seq = entry.seq, hash = entry.hash
FROM entry WHERE privacy_audithead.id = %s
RETURNING entry.id, entry.seq, entry.prev_hash, entry.hash, entry.seal
"""


def seals_in_database() -> bool:
    """Whether the audit table has its seal columns: not in a database restored from a
    version of Safehold before seals, until `safehold init` migrates it."""
    with connection.cursor() as cursor:
        table = connection.introspection.get_table_description(cursor, "privacy_auditentry")
    return "seal" in {column.name for column in table}


def record_in_older_chain(
    *, actor: str, action: str, detail: Mapping[str, DetailValue] | None = None
) -> AuditEntry:
    """Appends an unsealed entry in the columns of a version before seals, for a
    restored database that has no seal columns yet (backup.py). `safehold init` then
    adds them and seals the chain, vouching for this entry with the rest."""
    entry = AuditEntry(at=timezone.now(), actor=actor, action=action, detail=dict(detail or {}))
    with transaction.atomic():
        seq, prev_hash = head_locked()
        entry.seq, entry.prev_hash = seq + 1, prev_hash
        entry.hash = link_hash(prev_hash, canonical(entry))
        values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in ENTRY_FIELDS]
        with connection.cursor() as cursor:
            cursor.execute(APPEND_OLDER_ENTRY, values[:9])
            cursor.execute(HEAD_MOVE, [entry.seq, entry.hash, HEAD_ID])
    return entry


def chain_seal(*, master: bytes | None = None) -> AuditEntry | None:
    """Seals the chain under the key in use when its last entry is not: a chain from
    before seals existed (after `safehold init` migrates it), or after the master key
    was rotated. The new entry's seal vouches for every entry before it. Called by
    `safehold init` and `safehold serve`; returns the entry, or None when none was due."""
    keys = audit_keys() if master is None else audit_keys_for(master)
    last = AuditEntry.objects.order_by("-seq").only("seq", "key_id").first()
    if last is None or last.key_id == keys.key_id:
        return None
    detail: dict[str, DetailValue] = {"key": keys.key_id, "previous_key": last.key_id or "none"}
    return record(actor="", action="audit.sealed", detail=detail, master=master)


def checkpoint_make() -> Checkpoint:
    """Records `audit.checkpoint_made` and signs the chain's head, which is that entry,
    with the checkpoint key; kept in the database and returned to be kept outside it."""
    keys = audit_keys()
    with transaction.atomic():
        entry = record(actor="", action="audit.checkpoint_made")
        unsigned = Checkpoint(entry.seq, entry.hash, entry.at, keys.key_id)
        checkpoint = replace(unsigned, signature=keys.sign(unsigned))
        AuditCheckpoint.objects.create(
            seq=checkpoint.seq,
            hash=checkpoint.hash,
            at=checkpoint.at,
            key_id=checkpoint.key_id,
            signature=checkpoint.signature,
        )
    return checkpoint


def checkpoints_stored() -> list[Checkpoint]:
    return [
        Checkpoint(row.seq, row.hash, row.at, row.key_id, row.signature)
        for row in AuditCheckpoint.objects.order_by("seq", "at")
    ]


@dataclass(frozen=True)
class Verdict:
    intact: bool
    entries: int
    first_bad_seq: int | None = None
    reason: str = ""
    key_id: str = ""  # the master key whose audit keys checked the seals
    checkpoints: int = 0  # how many checkpoints the chain was checked against
    notes: tuple[str, ...] = ()
    since: Checkpoint | None = None  # the checkpoint the walk started from, if not #1

    def problem(self) -> str:
        """What failed, for people: "broken at entry #N: why"."""
        where = f" at entry #{self.first_bad_seq}" if self.first_bad_seq is not None else ""
        return f"broken{where}: {self.reason}"


LEGACY_FIELDS = ("seq", "at", "actor", "action", "target_type", "target_id", "detail",
                 "prev_hash", "hash")  # fmt: skip


def verify(
    outside: Sequence[Checkpoint] = (), chunk_size: int = 5000, *, sealed: bool = True
) -> Verdict:
    """Walks the chain in order and names the first entry that fails: a broken link, a
    content that does not match its hash, a seal that does not match (an entry changed
    by someone without the key), entries cut from the end (the head, and every
    checkpoint, stored or given from `outside`, must still be found in the chain).

    The walk stops at the head as it was when the walk began, so entries appended
    meanwhile are left for the next run. `sealed=False` checks only the links, in a
    database restored from a version of Safehold before seals (restore_checks.py)."""
    keys = audit_keys()
    head = AuditHead.objects.filter(pk=HEAD_ID).first()
    checkpoints = sorted([*checkpoints_stored(), *outside] if sealed else [], key=seq_of)
    walk = Walk(keys, sealed=sealed, wanted={checkpoint.seq for checkpoint in checkpoints})
    entries = AuditEntry.objects.order_by("seq")
    if not sealed:
        entries = entries.only(*LEGACY_FIELDS)
    if head is not None:
        entries = entries.filter(seq__lte=head.seq)
    for entry in entries.iterator(chunk_size=chunk_size):
        failed = walk.step(entry)
        if failed is not None:
            return failed
    return (
        walk.head_problem(head)
        or head_behind()
        or walk.seal_problem()
        or walk.checkpoint_problem(checkpoints)
        or walk.intact(checkpoints)
    )


def verify_since_checkpoint(outside: Sequence[Checkpoint] = (), chunk_size: int = 5000) -> Verdict:
    """Daily verification at the cost of what is new: proves the last checkpoint (the
    one of highest seq, kept in the database or given from `outside`, signed under the
    key in use) is intact, its signature and the entry it names (that entry's content,
    hash and seal), then walks only the entries after it, as `verify` does, to the head.
    Every other checkpoint is checked too: its signature, and the hash of the entry it
    names, one lookup each. What it does not prove is the entries before the last
    checkpoint: their hashes are covered by the one it names, so a rewrite of them that
    leaves it alone breaks a link only the full walk (`verify`) sees; run that too, less
    often (docs/operations.md). With no checkpoint under the key in use, it is `verify`."""
    keys = audit_keys()
    checkpoints = sorted([*checkpoints_stored(), *outside], key=seq_of)
    base = next((c for c in reversed(checkpoints) if c.key_id == keys.key_id), None)
    if base is None:
        whole = verify(outside, chunk_size)
        note = "no checkpoint was signed under the key in use, so the whole chain was walked"
        return replace(whole, notes=(note, *whole.notes))
    head = AuditHead.objects.filter(pk=HEAD_ID).first()
    walk = Walk(keys, sealed=True, wanted={c.seq for c in checkpoints}, count=base.seq - 1)
    if not base.genuine_under(keys):
        return walk.failed(
            None,
            f"the checkpoint of {base.at_text()} (at #{base.seq}) is not genuine: its "
            "signature does not match",
        )
    earlier = {c.seq for c in checkpoints if c.seq <= base.seq}
    looked_up = AuditEntry.objects.filter(seq__in=earlier).only("seq", "hash", "prev_hash")
    found = {entry.seq: entry for entry in looked_up}
    walk.hashes = {seq: entry.hash for seq, entry in found.items()}
    if base.seq in found:
        walk.previous_hash = found[base.seq].prev_hash
    entries = AuditEntry.objects.order_by("seq").filter(seq__gte=base.seq)
    if head is not None:
        entries = entries.filter(seq__lte=head.seq)
    for entry in entries.iterator(chunk_size=chunk_size):
        failed = walk.step(entry)
        if failed is not None:
            return replace(failed, since=base)
    cut_back = None
    if walk.count < base.seq:  # its entry is gone: the chain was cut back before it
        walk.count = min(walk.count, head.seq if head is not None else 0)
        cut_back = walk.checkpoint_problem(checkpoints)
    verdict = (
        cut_back
        or walk.head_problem(head)
        or head_behind()
        or walk.seal_problem()
        or walk.checkpoint_problem(checkpoints)
        or walk.intact(checkpoints)
    )
    return replace(verdict, since=base)


def head_behind() -> Verdict | None:
    """Entries past the head: the head was moved back over entries still there. Read in
    this order, the head cannot be behind an entry that was appended meanwhile, since an
    entry and the head's move commit together."""
    last = AuditEntry.objects.aggregate(last=Max("seq"))["last"] or 0
    head = AuditHead.objects.filter(pk=HEAD_ID).first()
    reached = head.seq if head is not None else 0
    if last <= reached:
        return None
    return Verdict(
        False,
        reached,
        reached + 1,
        f"entries #{reached + 1} to #{last} are past the chain's head: it was moved back",
    )


def seq_of(checkpoint: Checkpoint) -> int:
    return checkpoint.seq


@dataclass
class Walk:
    """What the walk has seen so far."""

    keys: AuditKeys
    sealed: bool
    wanted: set[int]  # the seqs whose hashes a checkpoint names
    count: int = 0  # entries walked: the last one's seq, since seqs have no gaps
    previous_hash: str = GENESIS_HASH
    sealed_seen: bool = False
    unvouched: tuple[int, str] | None = None  # the first entry no good seal covers yet
    other_keys: set[str] = field(default_factory=set)
    hashes: dict[int, str] = field(default_factory=dict)

    def failed(self, seq: int | None, reason: str) -> Verdict:
        verified = self.count if seq is None else min(self.count, seq - 1)
        return Verdict(False, verified, seq, reason, key_id=self.keys.key_id)

    def step(self, entry: AuditEntry) -> Verdict | None:
        expected = self.count + 1
        if entry.seq != expected:
            return self.failed(expected, f"entry #{expected} is missing")
        problem = entry_problem(entry, self.previous_hash)
        if not problem and self.sealed:
            problem = self.seal_checked(entry)
        if problem:
            return self.failed(entry.seq, problem)
        if entry.seq in self.wanted:
            self.hashes[entry.seq] = entry.hash
        self.previous_hash, self.count = entry.hash, entry.seq
        return None

    def seal_checked(self, entry: AuditEntry) -> str:
        """Why the entry's seal fails, or "". A good seal under the key in use vouches
        for every entry before it; one under an earlier key cannot be checked, and
        waits for a later good seal to vouch for it."""
        if entry.key_id == self.keys.key_id:
            if not self.keys.seal_matches(entry.hash, entry.seal):
                return (
                    "its seal does not match: it was changed, or written, by someone "
                    "without the audit key"
                )
            self.sealed_seen, self.unvouched = True, None
            return ""
        if not entry.key_id and self.sealed_seen:
            return (
                "it is not sealed, though entries before it are: it was written or "
                "changed without the audit key"
            )
        if entry.key_id:
            self.sealed_seen = True
            self.other_keys.add(entry.key_id)
        if self.unvouched is None:
            self.unvouched = (entry.seq, entry.key_id)
        return ""

    def head_problem(self, head: AuditHead | None) -> Verdict | None:
        if head is None:
            if self.count == 0:
                return None
            return self.failed(
                self.count + 1,
                f"the chain's head is missing: entries after #{self.count} may have been removed",
            )
        if (head.seq, head.hash) != (self.count, self.previous_hash):
            return self.failed(
                min(head.seq, self.count + 1), "the chain's head does not match its last entry"
            )
        return None

    def seal_problem(self) -> Verdict | None:
        """The last entry must be sealed under the key in use: otherwise entries could
        have been changed, and their hashes recomputed, after the last good seal."""
        if not self.sealed or self.unvouched is None:
            return None
        seq, key_id = self.unvouched
        if not key_id:
            return self.failed(
                seq,
                "it is not sealed, nor is any entry after it: 'safehold init' seals a "
                "chain from before seals; otherwise they were stripped of their seals",
            )
        return self.failed(
            seq,
            f"it is sealed under master key {key_id}, not the key in use "
            f"({self.keys.key_id}), and so is every entry after it: they were written "
            "without the key in use, or by a server still running with an earlier key",
        )

    def checkpoint_problem(self, checkpoints: list[Checkpoint]) -> Verdict | None:
        """Every checkpoint must be genuine and its entry still in the chain, unchanged."""
        last_good = 0
        for checkpoint in checkpoints:
            saw = f"the checkpoint of {checkpoint.at_text()}"
            if checkpoint.key_id == self.keys.key_id and not checkpoint.genuine_under(self.keys):
                return self.failed(
                    None, f"{saw} (at #{checkpoint.seq}) is not genuine: its signature "
                    "does not match"
                )  # fmt: skip
            if checkpoint.seq > self.count:
                return self.failed(
                    self.count + 1,
                    f"entries #{self.count + 1} to #{checkpoint.seq} are missing: {saw} saw "
                    f"the chain reach #{checkpoint.seq}; it was cut back",
                )
            if self.hashes.get(checkpoint.seq) != checkpoint.hash:
                return self.failed(
                    checkpoint.seq,
                    f"it is not the entry {saw} saw: an entry after #{last_good} and up to "
                    "this one was rewritten",
                )
            last_good = checkpoint.seq
        return None

    def intact(self, checkpoints: list[Checkpoint]) -> Verdict:
        notes = []
        if self.other_keys:
            earlier = ", ".join(sorted(self.other_keys))
            notes.append(
                f"entries sealed under earlier master keys ({earlier}) are vouched for by "
                "the seals under the key in use after them"
            )
        unsigned = {c.key_id for c in checkpoints if c.key_id != self.keys.key_id}
        if unsigned:
            notes.append(
                f"checkpoints signed under earlier master keys ({', '.join(sorted(unsigned))}) "
                "were matched against the chain, but their signatures could not be checked"
            )
        return Verdict(
            True,
            self.count,
            key_id=self.keys.key_id,
            checkpoints=len(checkpoints),
            notes=tuple(notes),
        )


def entry_problem(entry: AuditEntry, expected_prev: str) -> str:
    if entry.prev_hash != expected_prev:
        return "its link to the previous entry is broken"
    if link_hash(entry.prev_hash, canonical(entry)) != entry.hash:
        return "its content does not match its hash"
    return ""
