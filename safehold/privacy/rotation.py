"""`safehold keys rotate`: the keys re-wrapped and the audit chain sealed under the new
master key, in one transaction (docs/operations.md, "Rotating the master key")."""

from __future__ import annotations

from django.db import transaction

from safehold.privacy import audit, vault


@transaction.atomic
def master_key_rotate(*, old_master: bytes, new_master: bytes, chain: str) -> int:
    """Re-wraps every key under `new_master` and records `keys.rotated` sealed under it,
    so that the chain as it stands, checked under the old key just before (`chain` says
    how that went), is vouched for by a seal under the new one from the moment the
    rotation commits. Returns how many keys were re-wrapped."""
    count = vault.rotate(old_master=old_master, new_master=new_master)
    audit.record(
        actor="",
        action="keys.rotated",
        detail={
            "from": vault.key_id(old_master),
            "to": vault.key_id(new_master),
            "keys": count,
            "chain": chain,
        },
        master=new_master,
    )
    return count
