"""Sealing a row's identifying details: a JSON document encrypted under its case's data
key and bound to the row's table and id (privacy.vault)."""

from __future__ import annotations

import json
import unicodedata
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


# Letters NFKD leaves whole (compared as their nearest plain letters, as the subject
# access redaction does), apostrophes and hyphens typed in other ways. Keys are
# lower case: the name is case folded first.
SPELLED_OUT = str.maketrans(
    {
        "ø": "o", "ł": "l", "đ": "d", "ð": "d", "æ": "ae", "œ": "oe", "þ": "th",
        "\u0131": "i", "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u2032": "'",
        "`": "'", "\u00b4": "'", "\u2010": "-", "\u2011": "-", "\u2012": "-",
        "\u2013": "-", "\u2014": "-", "\u2212": "-",
    }
)  # fmt: skip
FORMAT = "Cf"  # Unicode's format characters: zero-width spaces and joiners, word joiner,
# byte order mark, soft hyphen, direction marks; invisible, so never part of a name


def normalised_name(name: str) -> str:
    """A name as people write it, for matching, searching and blind indexes (API.md;
    docs/cases.md, "Names as people write them"): Unicode NFKC (full-width and other
    compatibility forms become plain letters), format characters such as zero-width
    spaces removed, case folded, accents dropped ("Zoë" is "zoe"), apostrophes and
    hyphens of every kind made one, and every kind of space collapsed to one, none at
    either end. A name of nothing but these is "" (no index)."""
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in text if unicodedata.category(c) != FORMAT)
    text = text.casefold().translate(SPELLED_OUT)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.split())


def survivor_name_index(name: str) -> str:
    normalised = normalised_name(name)
    return vault.blind_index("survivor-name", normalised) if normalised else ""


def perpetrator_name_index(name: str) -> str:
    """Lets the monitoring figures count an alleged perpetrator named on several cases
    once; a keyed hash like the survivor's, under its own purpose."""
    normalised = normalised_name(name)
    return vault.blind_index("perpetrator-name", normalised) if normalised else ""


def identity_index(name: str, date_of_birth: str) -> str:
    normalised = normalised_name(name)
    if not normalised or not date_of_birth:
        return ""
    return vault.blind_index("survivor-identity", f"{normalised}|{date_of_birth}")
