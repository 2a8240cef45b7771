"""What one synth run carries: its randomness, policy, staff and keys, who is to be
reported again, and the rows of the batch being made, written in bulk."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection, models

from safehold.accounts.models import Staff, Team
from safehold.cases import sealing
from safehold.policy.schema import Policy
from safehold.privacy import vault
from safehold.privacy.models import WrappedKey

if TYPE_CHECKING:
    from safehold.synth.people import Survivor

T = TypeVar("T")
Row = dict[str, Any]
Converter = Callable[[Any], Any]
INDEX_MEMO_LIMIT = 200_000


class Pick(Generic[T]):
    """A weighted choice, its cumulative weights worked out once."""

    def __init__(self, weights: dict[T, int]) -> None:
        self.keys = list(weights)
        self.cumulative = [sum(list(weights.values())[: n + 1]) for n in range(len(weights))]

    def __call__(self, rng: random.Random) -> T:
        return rng.choices(self.keys, cum_weights=self.cumulative)[0]


@dataclass(frozen=True)
class SynthTeam:
    team: Team
    officers: list[Staff]
    manager: Staff


@dataclass
class Draft:
    """A case being made: its row, and its data key in the clear until the batch is
    written (only the wrapped form is stored)."""

    row: Row
    key: bytes
    # The survivor's details, kept until the batch's references are taken: her search
    # tokens include the case's reference (people.tokens_add).
    survivor_details: dict[str, Any] | None = None

    def __getitem__(self, column: str) -> Any:
        return self.row.get(column)

    def __setitem__(self, column: str, value: Any) -> None:
        self.row[column] = value

    def seal(self, model: type[models.Model], row_id: str, details: dict[str, Any]) -> bytes:
        """`sealing.seal` with the key in hand: the same JSON document, bound to the same
        table, column and row, so `sealing.unseal` opens it."""
        plain = json.dumps(details, ensure_ascii=False, sort_keys=True, default=str)
        table = model._meta.db_table
        column = sealing.SEALED_COLUMN
        return vault.encrypt(self.key, plain, table=table, column=column, row_id=row_id)


@dataclass
class Run:
    rng: random.Random
    policy: Policy
    now: datetime
    teams: list[SynthTeam]
    director: Staff
    closure_reason: Pick[str]
    index_key: bytes = field(default_factory=vault.index_key)
    master: bytes = field(default_factory=vault.master_key)
    returning: list[tuple[int, int, Survivor]] = field(default_factory=list)
    memo: dict[tuple[str, str], str] = field(default_factory=dict)
    rows: dict[type[models.Model], list[Row]] = field(default_factory=lambda: defaultdict(list))
    inserts: dict[type[models.Model], Insert] = field(default_factory=dict)
    master_id: str = ""

    def __post_init__(self) -> None:
        self.master_id = vault.key_id(self.master)

    def add(self, model: type[models.Model], row: Row) -> Row:
        self.rows[model].append(row)
        return row

    def blind_index(self, purpose: str, normalised: str) -> str:
        """`vault.blind_index`, with the key read once: vault reads it from the database
        on every call, which would be a query per person."""
        message = f"{purpose}\x1f{normalised}".encode()
        return hmac.new(self.index_key, message, hashlib.sha256).hexdigest()

    def name_index(self, purpose: str, name: str) -> str:
        """`sealing.survivor_name_index` or `perpetrator_name_index` (by `purpose`),
        remembered: the same names come up again and again."""
        found = self.memo.get((purpose, name))
        if found is None:
            normalised = sealing.normalised_name(name)
            found = self.blind_index(purpose, normalised) if normalised else ""
            if len(self.memo) >= INDEX_MEMO_LIMIT:
                self.memo.clear()
            self.memo[(purpose, name)] = found
        return found

    def data_key(self, created_at: datetime) -> tuple[str, bytes]:
        """A new data key, stored wrapped under the master key as
        `vault.data_key_create` stores it; returns its id and the key in the clear."""
        wrapped_id = "dk_" + secrets.token_hex(16)
        key = AESGCM.generate_key(bit_length=256)
        self.add(
            WrappedKey,
            {
                "id": wrapped_id,
                "purpose": vault.DATA_KEY,
                "master_key_id": self.master_id,
                "wrapped": vault.wrap(self.master, key, wrapped_id=wrapped_id),
                "created_at": created_at,
            },
        )
        return wrapped_id, key

    def write(self, order: tuple[type[models.Model], ...]) -> None:
        """Writes the batch's rows, parents first, and forgets them."""
        for model in order:
            rows = self.rows.pop(model, [])
            if rows:
                if model not in self.inserts:
                    self.inserts[model] = Insert.of(model)
                self.inserts[model].write(rows)


@dataclass(frozen=True)
class Insert:
    """How to write one model's rows fast: its columns with their defaults, a converter
    for the values a driver cannot take as they are, and the statement. Model instances
    and `bulk_create` prepare every value through the fields' methods, which took most
    of a run's time."""

    table: str
    names: str
    columns: list[tuple[str, Any, Converter | None]]

    @classmethod
    def of(cls, model: type[models.Model]) -> Insert:
        quote = connection.ops.quote_name
        fields = [
            f
            for f in model._meta.concrete_fields
            if not isinstance(f, models.AutoField) and not f.generated  # the database's own
        ]
        return cls(
            table=quote(model._meta.db_table),
            names=", ".join(quote(f.column) for f in fields),
            columns=[(f.attname, f.get_default(), converter(f)) for f in fields],
        )

    def values(self, row: Row) -> tuple[Any, ...]:
        return tuple(
            convert(row.get(name, default)) if convert else row.get(name, default)
            for name, default, convert in self.columns
        )

    def write(self, rows: list[Row]) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":  # COPY: several times faster than INSERT
                with cursor.cursor.copy(f"COPY {self.table} ({self.names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(self.values(row))
                return
            marks = ", ".join(["%s"] * len(self.columns))
            sql = f"INSERT INTO {self.table} ({self.names}) VALUES ({marks})"  # noqa: S608 - names from the models
            cursor.executemany(sql, [self.values(row) for row in rows])


def converter(field: models.Field[Any, Any]) -> Converter | None:
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None
