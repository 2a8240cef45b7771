"""The audit chain's rows and the vault's wrapped keys. Nothing here knows about cases."""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models
from django.utils import timezone

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """Raised by any attempt to change or remove an audit entry."""


def refuse_change(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnlyError("audit entries are append-only")


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    update = refuse_change
    delete = refuse_change
    bulk_update = refuse_change


class CheckpointQuerySet(models.QuerySet["AuditCheckpoint"]):
    update = refuse_change
    delete = refuse_change
    bulk_update = refuse_change


class AuditEntry(models.Model):
    """One link of the chain: its hash covers the previous entry's hash and its own
    canonical content, and its seal is that hash under a key that is never in the
    database (seals.py). Details never hold a survivor's identifying data.

    Entries written before seals existed have an empty `key_id` and `seal`: the first
    sealed entry after them vouches for them, as every seal does for what came before."""

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=16, blank=True, default="")
    seal = models.CharField(max_length=64, blank=True, default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["target_type", "target_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor or 'system'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            refuse_change()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        refuse_change()


class AuditHead(models.Model):
    """The chain's last link, in one row that every append locks: appends from any
    number of threads and processes queue here, so the chain cannot fork."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"audit head at #{self.seq}"


class AuditCheckpoint(models.Model):
    """The chain's head at a moment, signed with the checkpoint key (seals.py). Kept
    here and printed for a record kept outside the database: `safehold audit verify`
    fails when the chain no longer holds the entry a checkpoint saw."""

    seq = models.BigIntegerField()
    hash = models.CharField(max_length=64)
    at = models.DateTimeField()
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=64)

    objects = CheckpointQuerySet.as_manager()

    class Meta:
        ordering = ["seq", "at"]

    def __str__(self) -> str:
        return f"audit checkpoint at #{self.seq}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            refuse_change()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        refuse_change()


class WrappedKey(models.Model):
    """A key encrypted under the master key. Data keys (one per case) are destroyed to
    erase what they protect; the blind-index key is shared."""

    id = models.CharField(primary_key=True, max_length=40)
    purpose = models.CharField(max_length=20)
    wrapped = models.BinaryField()
    master_key_id = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.purpose} key {self.id}"
