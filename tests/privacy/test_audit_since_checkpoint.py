"""Daily verification costs what is new (issue 19, "The audit trail as it grows"):
`safehold audit verify --since-checkpoint` proves the last checkpoint intact (its
signature, and that the entry it names still has the hash it saw) and walks only the
entries after it. A full walk stays the default. Run on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from safehold.cli import main
from safehold.privacy import audit
from safehold.privacy.models import AuditCheckpoint, AuditEntry

pytestmark = pytest.mark.django_db


def entries(count: int) -> None:
    for n in range(count):
        audit.record(
            actor="alice",
            action="case.viewed",
            target_type="case",
            target_id=f"case_{n}",
            detail={"via": "web"},
        )


def sql(statement: str, *params: object) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def checkpoint_then(count: int, capsys: pytest.CaptureFixture[str]) -> str:
    """Three entries, a checkpoint (entry #4), then `count` more entries: the line."""
    entries(3)
    assert main(["audit", "checkpoint"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    entries(count)
    return line


def test_it_walks_only_the_entries_after_the_last_checkpoint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    checkpoint_then(3, capsys)
    assert main(["audit", "verify", "--since-checkpoint"]) == 0
    out = capsys.readouterr().out
    assert "intact since the checkpoint of" in out
    assert "entries #4 to #7 (4) verified" in out

    # An entry before the checkpoint is not walked: the full verify, the default, is
    # what finds it.
    sql("UPDATE privacy_auditentry SET actor = 'mallory' WHERE seq = 2")
    assert main(["audit", "verify", "--since-checkpoint"]) == 0
    capsys.readouterr()
    assert main(["audit", "verify"]) == 1
    assert "broken at entry #2" in capsys.readouterr().err


def test_it_catches_an_entry_changed_after_the_checkpoint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    checkpoint_then(3, capsys)
    sql("UPDATE privacy_auditentry SET actor = 'mallory' WHERE seq = 6")
    assert main(["audit", "verify", "--since-checkpoint"]) == 1
    err = capsys.readouterr().err
    assert "broken at entry #6: its content does not match its hash" in err
    assert "Verified from the checkpoint at entry #4" in err


def test_it_catches_an_entry_deleted_after_the_checkpoint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    checkpoint_then(3, capsys)
    sql("DELETE FROM privacy_auditentry WHERE seq = 5")
    assert main(["audit", "verify", "--since-checkpoint"]) == 1
    assert "broken at entry #5: entry #5 is missing" in capsys.readouterr().err


def test_it_catches_the_last_entry_deleted_with_the_head_moved_back(
    capsys: pytest.CaptureFixture[str],
) -> None:
    checkpoint_then(2, capsys)
    sql("DELETE FROM privacy_auditentry WHERE seq = 6")
    assert main(["audit", "verify", "--since-checkpoint"]) == 1
    assert "broken at entry #6" in capsys.readouterr().err


def test_it_catches_a_checkpoint_whose_record_was_changed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A checkpoint's row moved onto another entry, or its hash changed, no longer
    matches its signature: it cannot vouch for anything."""
    checkpoint_then(3, capsys)
    sql("UPDATE privacy_auditcheckpoint SET seq = 6, hash = %s", AuditEntry.objects.get(seq=6).hash)
    assert main(["audit", "verify", "--since-checkpoint"]) == 1
    assert "(at #6) is not genuine: its signature does not match" in capsys.readouterr().err


def test_it_catches_the_entry_a_checkpoint_names_rewritten(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The checkpoint's own entry changed, its hash recomputed and every later link
    made to follow, as someone who knows the code but not the keys would: its hash is no
    longer the one the checkpoint signed."""
    checkpoint_then(2, capsys)
    previous = AuditEntry.objects.get(seq=4).prev_hash
    for row in AuditEntry.objects.filter(seq__gte=4).order_by("seq"):
        row.actor = "mallory" if row.seq == 4 else row.actor
        row.prev_hash, row.hash = previous, audit.link_hash(previous, audit.canonical(row))
        sql(
            "UPDATE privacy_auditentry SET actor = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            row.actor, row.prev_hash, row.hash, row.seq,
        )  # fmt: skip
        previous = row.hash
    sql("UPDATE privacy_audithead SET hash = %s", previous)
    assert main(["audit", "verify", "--since-checkpoint"]) == 1
    assert "broken at entry #4" in capsys.readouterr().err


def test_it_starts_from_a_checkpoint_kept_outside_when_the_chain_was_cut_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    line = checkpoint_then(0, capsys)
    kept = tmp_path / "latest"
    kept.write_text(f"{line}\n")
    entries(2)
    sql("DELETE FROM privacy_auditentry WHERE seq > 2")
    sql(
        "UPDATE privacy_audithead SET seq = 2, hash = (SELECT hash FROM privacy_auditentry"
        " WHERE seq = 2)"
    )
    sql("DELETE FROM privacy_auditcheckpoint")
    assert main(["audit", "verify", "--since-checkpoint", "--checkpoint", str(kept)]) == 1
    assert "entries #3 to #4 are missing" in capsys.readouterr().err


def test_it_walks_the_whole_chain_when_there_is_no_checkpoint_yet(
    capsys: pytest.CaptureFixture[str],
) -> None:
    entries(3)
    assert not AuditCheckpoint.objects.exists()
    assert main(["audit", "verify", "--since-checkpoint"]) == 0
    out = capsys.readouterr().out
    assert "intact: 3 entries" in out
    assert "no checkpoint was signed under the key in use" in out
