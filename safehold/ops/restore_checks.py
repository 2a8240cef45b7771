"""What `safehold restore` checks in the database it has just restored (safehold/backup.py):
that the audit chain verifies, that the configured master key opens a sample of the
wrapped keys and of the cases' sealed details, and which version of Safehold made it.
Each check reads only columns that every version has, so a backup from an older version
is checked too before 'safehold init' migrates it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, models
from django.db.migrations.executor import MigrationExecutor

from safehold.cases import sealing
from safehold.cases.models import Case
from safehold.privacy import audit, vault
from safehold.privacy.models import WrappedKey

SAMPLE = 20  # keys and cases opened: half the oldest, half the newest
WRONG_MASTER_KEY = (
    "the master key does not open this backup's keys: restore needs the master key "
    "in use when the backup was made"
)

Row = TypeVar("Row", bound=models.Model)


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    outcome: str


def restore_checks() -> tuple[list[Check], list[str]]:
    """The checks, and the migrations still to apply."""
    pending, unknown = migration_state()
    checks = [
        guarded("audit chain", chain_check),
        guarded("master key", keys_check),
        guarded("encrypted data", cases_check),
        version_check(pending, unknown),
    ]
    return checks, pending


def guarded(name: str, check: Callable[[], Check]) -> Check:
    try:
        return check()
    except DatabaseError as error:
        return Check(name, False, f"could not be read from the restored database: {error}")


def chain_check() -> Check:
    """The whole chain, its seals under the configured master key's audit keys (a
    backup opens with the key in use when it was made), and its stored checkpoints. A
    backup from a version before seals is checked link by link."""
    sealed = audit.seals_in_database()
    verdict = audit.verify(sealed=sealed)
    if verdict.intact and not sealed:
        return Check(
            "audit chain",
            True,
            f"intact, {verdict.entries:,} entries, from a version before seals: "
            "'safehold init' seals it",
        )
    if verdict.intact:
        return Check("audit chain", True, f"intact, {verdict.entries:,} entries, sealed")
    return Check("audit chain", False, verdict.problem())


def keys_check() -> Check:
    try:
        master = vault.master_key()
    except ImproperlyConfigured as error:
        return Check("master key", False, str(error))
    live = WrappedKey.objects.filter(destroyed_at__isnull=True)
    keys = sampled(live, "created_at") + list(live.filter(pk=vault.INDEX_KEY_ID))
    for wrapped in keys:
        try:
            vault.unwrap(master, bytes(wrapped.wrapped), wrapped_id=wrapped.id)
        except vault.DecryptionFailed:
            return Check(
                "master key",
                False,
                f"{WRONG_MASTER_KEY} (key {wrapped.id} was wrapped by master key id "
                f"{wrapped.master_key_id}; the configured key's id is {vault.key_id(master)})",
            )
    if not keys:
        return Check("master key", True, "no keys to open")
    opened = len({wrapped.pk for wrapped in keys})
    return Check("master key", True, f"opens every key sampled: {opened} of {live.count():,}")


def cases_check() -> Check:
    readable = (
        Case.objects.filter(data_key__destroyed_at__isnull=True)
        .select_related("data_key")
        .only(
            "id",
            "reference",
            "sealed",
            "created_at",
            "data_key__id",
            "data_key__wrapped",
            "data_key__destroyed_at",
        )
    )
    cases = sampled(readable, "created_at")
    for case in cases:
        try:
            sealing.unseal(case.data_key, case)
        except (vault.DecryptionFailed, vault.KeyDestroyed):
            return Check(
                "encrypted data",
                False,
                f"case {case.reference} does not decrypt with the configured master key",
            )
    if not cases:
        return Check("encrypted data", True, "no cases to open")
    total = readable.count()
    return Check("encrypted data", True, f"every case sampled decrypts: {len(cases)} of {total:,}")


def sampled(rows: models.QuerySet[Row], field: str) -> list[Row]:
    """Up to SAMPLE rows: the oldest half and the newest half."""
    half = SAMPLE // 2
    chosen = {row.pk: row for row in rows.order_by(field, "pk")[:half]}
    chosen.update({row.pk: row for row in rows.order_by(f"-{field}", "-pk")[:half]})
    return list(chosen.values())


def migration_state() -> tuple[list[str], list[str]]:
    """The migrations still to apply, and those applied that this version does not know
    (the backup came from a newer version)."""
    executor = MigrationExecutor(connection)
    loader = executor.loader
    plan = executor.migration_plan(loader.graph.leaf_nodes())
    pending = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    known = set(loader.graph.nodes)
    known |= {key for squash in loader.replacements.values() for key in squash.replaces}
    apps = {app for app, _ in known}
    unknown = sorted(
        f"{app}.{name}"
        for app, name in (loader.applied_migrations or {})
        if app in apps and (app, name) not in known
    )
    return pending, unknown


def version_check(pending: list[str], unknown: list[str]) -> Check:
    if unknown:
        return Check(
            "database version",
            False,
            f"the backup was made by a newer version of Safehold ({len(unknown)} migrations "
            f"this version does not know, such as {unknown[0]}): install that version, "
            "then restore again into an empty database",
        )
    if pending:
        return Check(
            "database version",
            True,
            f"from an older version: {len(pending)} migrations to apply with 'safehold init'",
        )
    return Check("database version", True, "the same as this version of Safehold")
