"""Sealing a row's identifying details: a JSON document encrypted under its case's data
key and bound to the row's table and id (privacy.vault)."""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from safehold.privacy import vault
from safehold.privacy.models import WrappedKey

SEALED_COLUMN = "sealed"


def seal(data_key: WrappedKey, row: models.Model, details: dict[str, Any]) -> bytes:
    plain = json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)
    return vault.encrypt(
        vault.open_key(data_key),
        plain,
        table=row._meta.db_table,
        column=SEALED_COLUMN,
        row_id=str(row.pk),
    )


def unseal(data_key: WrappedKey, row: models.Model) -> dict[str, Any]:
    blob = bytes(getattr(row, SEALED_COLUMN))
    plain = vault.decrypt(
        vault.open_key(data_key),
        blob,
        table=row._meta.db_table,
        column=SEALED_COLUMN,
        row_id=str(row.pk),
    )
    details: dict[str, Any] = json.loads(plain)
    return details


def normalised_name(name: str) -> str:
    """API.md: names compare case-insensitively, ignoring surrounding and repeated spaces."""
    return " ".join(name.split()).casefold()


def survivor_name_index(name: str) -> str:
    return vault.blind_index("survivor-name", normalised_name(name)) if name.strip() else ""


def perpetrator_name_index(name: str) -> str:
    """Lets the monitoring figures count an alleged perpetrator named on several cases
    once; a keyed hash like the survivor's, under its own purpose."""
    return vault.blind_index("perpetrator-name", normalised_name(name)) if name.strip() else ""


def identity_index(name: str, date_of_birth: str) -> str:
    if not name.strip() or not date_of_birth:
        return ""
    return vault.blind_index("survivor-identity", f"{normalised_name(name)}|{date_of_birth}")
