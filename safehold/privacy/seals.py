"""The audit chain's keys, and the seals and checkpoints made with them.

The chain itself is plain SHA-256 (audit.py): anyone can recompute it, so anyone who can
write the database could rewrite an entry and every hash after it. Two keys that are
never in the database stop that. Both are derived from the master key with HKDF, each
under its own label, so setting up Safehold needs no new secret:

- the **seal key**: every entry carries `seal` = HMAC-SHA256(seal key, its hash). An
  entry changed without the key no longer matches its seal, and since each hash covers
  every entry before it, one good seal vouches for the whole chain up to it. On
  PostgreSQL the database computes the seal in the append's one statement, from the
  key's HMAC pads sent as parameters of that statement and never stored.
- the **checkpoint key**: a checkpoint is the chain's head (its seq, its hash, the time)
  signed with HMAC-SHA256 under this key, kept in the database and printed for a record
  kept outside it. Only Python ever holds this key, never the database server. A chain
  cut back, or rewritten by someone holding the seal key, no longer holds an entry that
  a checkpoint saw.

Both keys change with the master key. Each entry records the id of the master key its
seal was made under (`vault.key_id`): seals under an earlier key cannot be checked after
a rotation, but the first entry sealed under the new key vouches for all of them."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from safehold.privacy import vault

SEAL_LABEL = b"safehold audit chain seal v1"
CHECKPOINT_LABEL = b"safehold audit chain checkpoint v1"
HMAC_BLOCK = 64  # SHA-256's block size, for the HMAC pads
CHECKPOINT_TAG = "safehold-audit-checkpoint"
CHECKPOINT_VERSION = "v1"


@dataclass(frozen=True)
class AuditKeys:
    key_id: str  # the master key's id, recorded with every seal and checkpoint
    seal_key: bytes
    checkpoint_key: bytes

    def seal(self, entry_hash: str) -> str:
        return hmac.new(self.seal_key, entry_hash.encode(), hashlib.sha256).hexdigest()

    def seal_matches(self, entry_hash: str, seal: str) -> bool:
        return hmac.compare_digest(self.seal(entry_hash), seal)

    def seal_pads(self) -> tuple[bytes, bytes]:
        """The inner and outer HMAC pads of the seal key (RFC 2104), for PostgreSQL to
        compute the same seal with sha256 alone: H(outer || H(inner || hash))."""
        padded = self.seal_key.ljust(HMAC_BLOCK, b"\x00")
        return bytes(b ^ 0x36 for b in padded), bytes(b ^ 0x5C for b in padded)

    def sign(self, checkpoint: Checkpoint) -> str:
        message = checkpoint.signed_text().encode()
        return hmac.new(self.checkpoint_key, message, hashlib.sha256).hexdigest()


def derive(master: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(master)


@lru_cache(maxsize=8)
def audit_keys_for(master: bytes) -> AuditKeys:
    return AuditKeys(
        key_id=vault.key_id(master),
        seal_key=derive(master, SEAL_LABEL),
        checkpoint_key=derive(master, CHECKPOINT_LABEL),
    )


def audit_keys() -> AuditKeys:
    """The keys under the configured master key."""
    return audit_keys_for(vault.master_key())


class CheckpointUnreadable(ValueError):
    """The text holds no checkpoint, or one that is not in the form Safehold prints."""


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at a moment, signed: `seq` is also the number of entries, since
    entries are numbered from 1 without gaps."""

    seq: int
    hash: str
    at: datetime
    key_id: str
    signature: str = ""

    def at_text(self) -> str:
        return self.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def signed_text(self) -> str:
        return "\n".join(
            (CHECKPOINT_TAG, CHECKPOINT_VERSION, str(self.seq), self.hash, self.at_text(),
             self.key_id)
        )  # fmt: skip

    def text(self) -> str:
        """One line, for a record kept outside the database."""
        return (
            f"{CHECKPOINT_TAG} {CHECKPOINT_VERSION} seq={self.seq} hash={self.hash} "
            f"at={self.at_text()} key={self.key_id} signature={self.signature}"
        )

    def genuine_under(self, keys: AuditKeys) -> bool:
        return hmac.compare_digest(keys.sign(self), self.signature)


CHECKPOINT_LINE = re.compile(
    rf"{CHECKPOINT_TAG} {CHECKPOINT_VERSION} seq=(?P<seq>[1-9][0-9]*) hash=(?P<hash>[0-9a-f]{{64}})"
    r" at=(?P<at>\S+) key=(?P<key>[0-9a-f]{16}) signature=(?P<signature>[0-9a-f]{64})"
)


def checkpoints_in(text: str) -> list[Checkpoint]:
    """Every checkpoint in `text` (a line printed by `safehold audit checkpoint`, or a
    file of them); refused when there is none, or a line names a checkpoint badly."""
    found = []
    for line in text.splitlines():
        if CHECKPOINT_TAG not in line:
            continue
        match = CHECKPOINT_LINE.search(line)
        if match is None:
            raise CheckpointUnreadable(f"not a checkpoint as Safehold prints one: {line.strip()}")
        try:
            at = datetime.strptime(match["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        except ValueError as error:
            raise CheckpointUnreadable(f"the checkpoint's time is not readable: {line}") from error
        found.append(Checkpoint(int(match["seq"]), match["hash"], at, match["key"],
                                match["signature"]))  # fmt: skip
    if not found:
        raise CheckpointUnreadable("no checkpoint found: it is a line that starts "
                                   f"'{CHECKPOINT_TAG} {CHECKPOINT_VERSION}'")  # fmt: skip
    return found
