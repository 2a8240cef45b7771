"""Whoever can write the database cannot rewrite the audit chain unseen (docs/security.md,
"The audit trail against its own database's writer"): each entry is sealed under a key
that is never in the database, and checkpoints kept outside it catch a chain cut back.

Each attack below is what a database writer can do with SQL alone, knowing the code:
the chain's hash is public (link_hash), the keys are not. The tests run on SQLite and
on PostgreSQL, where the append is one statement that seals the entry in the database."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection

from safehold.privacy import audit, vault
from safehold.privacy.models import AuditEntry
from safehold.privacy.rotation import master_key_rotate
from safehold.privacy.seals import AuditKeys, audit_keys, audit_keys_for, checkpoints_in

pytestmark = pytest.mark.django_db

OTHER_KEY_ID = "0123456789abcdef"


def entries(count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        audit.record(
            actor="alice",
            action="case.viewed",
            target_type="case",
            target_id=f"case_{n}",
            detail={"via": "web", "who": "Zoë"},
        )


def sql(statement: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def hash_of(seq: int) -> str:
    return AuditEntry.objects.get(seq=seq).hash


def rewrite_from(
    seq: int, *, key_id: str | None = None, reseal_with: AuditKeys | None = None
) -> None:
    """Changes entry `seq`'s actor, recomputes its hash and every later one as link_hash
    does, and moves the head onto the new last hash. The seals stay as they were unless
    the seal key is known (`reseal_with`); `key_id` claims the entries were sealed under
    another key ("" for none at all)."""
    previous = AuditEntry.objects.get(seq=seq).prev_hash
    for row in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
        row.actor = "mallory" if row.seq == seq else row.actor
        row.prev_hash, row.hash = previous, audit.link_hash(previous, audit.canonical(row))
        seal = reseal_with.seal(row.hash) if reseal_with else row.seal
        sql(
            "UPDATE privacy_auditentry SET actor = %s, prev_hash = %s, hash = %s, seal = %s,"
            " key_id = %s WHERE seq = %s",
            row.actor, row.prev_hash, row.hash, seal,
            row.key_id if key_id is None else key_id, row.seq,
        )  # fmt: skip
        previous = row.hash
    sql("UPDATE privacy_audithead SET hash = %s", previous)


def cut_back_to(seq: int) -> None:
    """Deletes every entry after `seq` and moves the head back onto it."""
    sql("DELETE FROM privacy_auditentry WHERE seq > %s", seq)
    sql("UPDATE privacy_audithead SET seq = %s, hash = %s", seq, hash_of(seq))


def test_every_entry_is_sealed_under_a_key_derived_from_the_master_key() -> None:
    """The first entry is appended by Python, the later ones on PostgreSQL by the one
    statement that hashes and seals in the database: the seals must be Python's own."""
    entries(4)
    master = vault.master_key()
    keys = audit_keys()
    rows = list(AuditEntry.objects.order_by("seq"))
    assert {row.key_id for row in rows} == {vault.key_id(master)}
    for row in rows:
        assert row.seal == hmac.new(keys.seal_key, row.hash.encode(), hashlib.sha256).hexdigest()
        assert row.seal != hmac.new(master, row.hash.encode(), hashlib.sha256).hexdigest()
    assert keys.seal_key not in (master, keys.checkpoint_key)
    assert audit.verify().intact


@pytest.mark.parametrize(
    "key_id",
    [None, "", OTHER_KEY_ID],
    ids=["seals-left-as-they-were", "seals-stripped", "seals-claimed-under-another-key"],
)
def test_an_entry_changed_and_every_later_hash_recomputed_fails_at_that_entry(
    key_id: str | None,
) -> None:
    entries(5)
    assert audit.verify().intact

    rewrite_from(2, key_id=key_id)

    verdict = audit.verify()
    assert not verdict.intact
    assert verdict.first_bad_seq == 2, verdict
    assert verdict.entries == 1


def test_a_tail_cut_back_with_its_head_moved_is_caught_by_the_last_checkpoint() -> None:
    entries(3)
    checkpoint = audit.checkpoint_make()  # entry #4
    entries(2, start=3)

    cut_back_to(2)

    verdict = audit.verify()
    assert not verdict.intact
    assert verdict.first_bad_seq == 3
    assert "cut back" in verdict.reason

    # A writer who also deletes the checkpoints kept in the database is caught by the
    # one kept outside it.
    sql("DELETE FROM privacy_auditcheckpoint")
    assert audit.verify().intact
    outside = audit.verify([checkpoint])
    assert not outside.intact
    assert outside.first_bad_seq == 3
    assert f"entries #3 to #{checkpoint.seq} are missing" in outside.reason


def test_a_deleted_head_fails_naming_the_entry_after_the_last() -> None:
    entries(4)
    sql("DELETE FROM privacy_auditentry WHERE seq = 4")
    sql("DELETE FROM privacy_audithead")

    verdict = audit.verify()

    assert not verdict.intact
    assert verdict.first_bad_seq == 4
    assert "head is missing" in verdict.reason


def test_a_head_moved_back_over_entries_still_there_fails() -> None:
    entries(4)
    sql("UPDATE privacy_audithead SET seq = 2, hash = %s", hash_of(2))

    verdict = audit.verify()

    assert not verdict.intact
    assert verdict.first_bad_seq == 3
    assert "past the chain's head" in verdict.reason


def test_a_chain_rewritten_with_the_seal_key_is_caught_by_a_checkpoint() -> None:
    """The seal key reaches PostgreSQL as parameters of each append; whoever took it from
    there (a log of statement parameters) can reseal a rewritten chain. The checkpoint
    key never leaves Python, so a checkpoint still catches the rewrite, and cannot be
    forged with the seal key."""
    entries(3)
    checkpoint = audit.checkpoint_make()  # entry #4
    entries(1, start=3)

    rewrite_from(2, reseal_with=audit_keys())

    verdict = audit.verify()
    assert not verdict.intact
    assert verdict.first_bad_seq == checkpoint.seq
    assert "an entry after #0 and up to this one was rewritten" in verdict.reason

    keys = audit_keys()
    forged = replace(checkpoint, hash=hash_of(checkpoint.seq))
    signature = hmac.new(keys.seal_key, forged.signed_text().encode(), hashlib.sha256)
    forged = replace(forged, signature=signature.hexdigest())
    sql("DELETE FROM privacy_auditcheckpoint")
    refused = audit.verify([forged])
    assert not refused.intact
    assert "is not genuine" in refused.reason


def test_a_checkpoint_prints_as_one_line_that_reads_back_and_holds() -> None:
    entries(2)
    checkpoint = audit.checkpoint_make()

    line = checkpoint.text()

    assert "\n" not in line
    assert checkpoints_in(f"kept on 1 Dec:\n{line}\n") == [checkpoint]
    verdict = audit.verify(checkpoints_in(line))
    assert verdict.intact
    assert verdict.checkpoints == 2  # the one in the database, and the one given
    assert AuditEntry.objects.get(seq=checkpoint.seq).action == "audit.checkpoint_made"


def test_a_chain_from_before_seals_is_sealed_once_and_stays_checked() -> None:
    """Migration privacy 0002 leaves the entries it finds unsealed; `safehold init` (and
    `safehold serve`) append `audit.sealed`, whose seal vouches for all of them."""
    entries(3)
    sql("UPDATE privacy_auditentry SET key_id = '', seal = ''")
    unsealed = audit.verify()
    assert not unsealed.intact
    assert "'safehold init' seals a chain from before seals" in unsealed.reason

    sealed = audit.chain_seal()

    assert sealed is not None
    assert (sealed.seq, sealed.action) == (4, "audit.sealed")
    assert audit.verify().intact
    assert audit.chain_seal() is None  # already sealed under the key in use

    rewrite_from(2)  # an old, unsealed entry changed: the seal after it no longer matches
    verdict = audit.verify()
    assert not verdict.intact
    assert verdict.first_bad_seq == 4


def test_after_a_master_key_rotation_the_new_seals_vouch_for_the_old_entries(
    settings: Any,
) -> None:
    entries(2)
    old, new = vault.master_key(), bytes(range(32))

    master_key_rotate(old_master=old, new_master=new, chain="intact")  # entry #3
    settings.SAFEHOLD_MASTER_KEY = new.hex()

    verdict = audit.verify()
    assert verdict.intact, verdict
    assert verdict.key_id == vault.key_id(new)
    assert any(vault.key_id(old) in note for note in verdict.notes)
    rotated = AuditEntry.objects.get(seq=3)
    assert rotated.action == "keys.rotated"
    assert rotated.detail["to"] == audit_keys_for(new).key_id

    rewrite_from(1)  # an entry sealed under the old key, which can no longer be checked
    verdict = audit.verify()
    assert not verdict.intact
    assert verdict.first_bad_seq == 3
