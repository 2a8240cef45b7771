"""Querysets built and compiled once, then run many times with new values.

Django spends far longer building and compiling a query than the database spends
running it. Need to know for one case took 2.3 ms to build and compile and 0.07 ms to
run, and every read of a case is on the phone to a survivor (docs/performance.md). So
the few queries on the path of every API request are built once per thread (each has
its own connection), by the same ORM code as always, from *stand-in* values; each later
call puts its own values where the stand-ins were and runs the same SQL.

What keeps this safe:

- The SQL is the ORM's own, from the code that states the rule. `cases.access`'s
  need_to_know is still the one place the access rule is written.
- What changes the *shape* of the SQL rather than its values (a role, for need to know)
  is named in `shape`, and becomes part of the cache's key. `build` sees the real
  values of those and a stand-in for everything else, so a rule that came to depend on
  anything else would bind a stand-in and match nothing, not someone else's rows.
  tests/test_prepared.py compares every shape with the ORM's own answer.
- A value of None is never bound: the ORM writes `= None` as `IS NULL`, another shape.
  Which values are None is part of the key, and `build` is given the None itself.
- A stand-in must reach the SQL as a parameter, untouched. Each query is compiled twice
  from two different sets of stand-ins, and refused unless the SQL and its other
  parameters come out the same: a value written into the SQL's text, or worked on
  before it is bound, would not. A queryset this cannot run as the ORM would
  (prefetches, values(), ...) is refused too.

On PostgreSQL these queries (and the other few statements of every request: the audit
append, the rate-limit count) also run as server-side prepared statements
(`statement_cursor`), so PostgreSQL plans each once per connection instead of on every
call: planning need to know's query took it longer than running it. Django's own
queries keep its default client-side binding. A connection pooler in front of
PostgreSQL must therefore keep prepared statements (PgBouncer 1.21 and later with
`max_prepared_statements`, or session pooling): docs/deployment.md.

Only for the hot path. Anything else should stay plain ORM code.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import (  # type: ignore[attr-defined]
    ModelIterable,
    get_related_populators,
)

M = TypeVar("M", bound=Model)

# Values no real row or request can have (negative ids, a control character in a
# string, the years 1111 and 1222), in two sets that differ in every part: in sign-free
# size, first character, year, month, day, hour, minute, second and microsecond.
STAND_IN_INTS = (-(2**40), -(7 * 2**44))
STAND_IN_TEXTS = ("\x00alpha-", "\x01omega-")
STAND_IN_MOMENTS = (
    datetime(1111, 1, 1, tzinfo=UTC),
    datetime(1222, 6, 15, 12, 30, 30, 500000, tzinfo=UTC),
)


class NotPreparable(Exception):
    """The queryset cannot be run from its compiled form: a programming error."""


def stand_in(kind: type, position: int, variant: int) -> Any:
    if kind is int:
        return STAND_IN_INTS[variant] - position
    if kind is str:
        return f"{STAND_IN_TEXTS[variant]}{position}"
    if kind is datetime:
        return STAND_IN_MOMENTS[variant] + timedelta(microseconds=position + 1)
    raise NotPreparable(f"no stand-in for values of type {kind.__name__}")


@dataclass
class Compiled:
    sql: str | None  # None: the query can match nothing (EmptyResultSet)
    slots: list[tuple[str | None, Any]]  # (value name, None) or (None, constant)
    compiler: Any  # None when sql is None
    converters: Any
    init_list: list[str]
    fields: tuple[int, int]
    related_populators: list[Any]
    annotation_col_map: dict[str, int]


class Prepared(Generic[M]):
    """`build(**shape, **values)` returns the queryset; `values` names the type (int,
    str or datetime) of each value that is bound rather than built in."""

    def __init__(
        self,
        build: Callable[..., QuerySet[M]],
        *,
        values: dict[str, type],
        shape: tuple[str, ...] = (),
    ) -> None:
        self.build = build
        self.values = values
        self.shape = shape
        self.local = threading.local()

    def all(self, **arguments: Any) -> list[M]:
        if set(arguments) != set(self.values) | set(self.shape):
            raise TypeError(f"expected {sorted(self.values) + sorted(self.shape)}")
        nones = tuple(name for name in self.values if arguments[name] is None)
        shape = (tuple(arguments[name] for name in self.shape), nones)
        compiled = self.compiled(shape, arguments)
        if compiled.sql is None:
            return []
        return self.run(compiled, arguments)

    def first(self, **arguments: Any) -> M | None:
        found = self.all(**arguments)
        return found[0] if found else None

    # ---------------------------------------------------------------- compiling

    def compiled(self, shape: Hashable, arguments: dict[str, Any]) -> Compiled:
        cache: dict[Hashable, Compiled] | None = getattr(self.local, "cache", None)
        if cache is None:
            cache = self.local.cache = {}
        found = cache.get(shape)
        if found is None:
            found = cache[shape] = self.compile(arguments)
        return found

    def compile(self, arguments: dict[str, Any]) -> Compiled:
        """Builds and compiles the queryset twice, from two different sets of stand-ins.
        The SQL and every parameter that is not a stand-in must come out the same both
        times, and each stand-in must come out as a parameter in the same places: a value
        written into the SQL's text, or worked on before it is bound (`now - 1 hour`,
        `case_id.upper()`), would differ between the two, and is refused."""
        first = self.compiled_from(arguments, variant=0)
        second = self.compiled_from(arguments, variant=1)
        if first is None or second is None:
            if first is not None or second is not None:
                raise NotPreparable("the query matched nothing from one set of stand-ins only")
            return Compiled(None, [], None, None, [], (0, 0), [], {})
        (sql, slots, compiler, queryset), (sql_again, slots_again, _, _) = first, second
        if sql != sql_again or slots != slots_again:
            raise NotPreparable(f"a value does not reach the SQL as a parameter: {sql}")
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return Compiled(
            sql=sql,
            slots=slots,
            compiler=compiler,
            converters=compiler.get_converters([s[0] for s in select[0 : compiler.col_count]]),
            init_list=[f[0].target.attname for f in select[start:end]],
            fields=(start, end),
            related_populators=get_related_populators(klass_info, select, queryset.db),
            annotation_col_map=dict(compiler.annotation_col_map or {}),
        )

    def compiled_from(self, arguments: dict[str, Any], *, variant: int) -> Any:
        """(sql, slots, compiler, queryset) from one set of stand-ins, or None when the
        query can match nothing (EmptyResultSet)."""
        stand_ins = {
            name: stand_in(kind, n, variant)
            for n, (name, kind) in enumerate(self.values.items())
            if arguments[name] is not None
        }
        nones = {name: None for name in self.values if arguments[name] is None}
        built = {**{name: arguments[name] for name in self.shape}, **nones, **stand_ins}
        queryset = self.build(**built)
        known_related = queryset._known_related_objects  # type: ignore[attr-defined]
        prefetches = queryset._prefetch_related_lookups  # type: ignore[attr-defined]
        if queryset._iterable_class is not ModelIterable or known_related or prefetches:
            raise NotPreparable("only plain querysets of model instances can be prepared")
        connection = connections[queryset.db]
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        bound = {self.as_parameter(connection, value): name for name, value in stand_ins.items()}
        slots: list[tuple[str | None, Any]] = [
            (bound[param], None) if is_bound(param, bound) else (None, param) for param in params
        ]
        return sql, slots, compiler, queryset

    @staticmethod
    def as_parameter(connection: Any, value: Any) -> Any:
        """A value as the ORM passes it to the database driver."""
        if isinstance(value, datetime):
            return connection.ops.adapt_datetimefield_value(value)
        return value

    # ---------------------------------------------------------------- running

    def run(self, compiled: Compiled, arguments: dict[str, Any]) -> list[M]:
        compiler = compiled.compiler
        connection = connections[compiler.using]
        params = [
            self.as_parameter(connection, arguments[name]) if name else constant
            for name, constant in compiled.slots
        ]
        with statement_cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            rows: Any = cursor.fetchall()
        if compiled.converters:
            rows = compiler.apply_converters(rows, compiled.converters)
        model = compiler.klass_info["model"]
        start, end = compiled.fields
        found = []
        for row in rows:
            obj = model.from_db(compiler.using, compiled.init_list, row[start:end])
            for populator in compiled.related_populators:
                populator.populate(row, obj)
            for attribute, position in compiled.annotation_col_map.items():
                setattr(obj, attribute, row[position])
            found.append(obj)
        return found


def is_bound(param: Any, bound: dict[Any, str]) -> bool:
    try:
        return param in bound
    except TypeError:  # an unhashable constant (a list, say) is never a stand-in
        return False


@contextmanager
def statement_cursor(connection: Any) -> Iterator[Any]:
    """A cursor for the statements run on every request. On PostgreSQL it binds its
    parameters on the server and prepares each statement on its first use on the
    connection; elsewhere it is the ordinary cursor. Either way it is Django's cursor
    wrapper, so query logging and `assertNumQueries` see what it runs."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        raw = preparing_cursor_class()(connection.connection)
        connection.validate_thread_sharing()
        if connection.queries_logged:
            wrapped = debug_wrapper_class()(raw, connection)
        else:
            wrapped = connection.make_cursor(raw)
    with wrapped as cursor:
        yield cursor


@functools.cache
def preparing_cursor_class() -> type:
    from django.db.backends.postgresql.base import (  # type: ignore[attr-defined]
        ServerBindingCursor,
    )

    class PreparingCursor(ServerBindingCursor):  # type: ignore[misc]
        def execute(self, query: Any, params: Any = None, **_: Any) -> Any:
            return super().execute(query, params, prepare=True)

    return PreparingCursor


@functools.cache
def debug_wrapper_class() -> type:
    """Django's logging cursor wrapper, recording each statement's SQL as it was given:
    Django reads the text of the last query from psycopg, and psycopg keeps none for a
    cursor that binds on the server, so every prepared statement would be logged, and
    seen by `assertNumQueries` and CaptureQueriesContext, as None."""
    from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

    class PreparedDebugWrapper(CursorDebugWrapper):
        def execute(self, sql: Any, params: Any = None) -> Any:
            with self.debug_sql(sql, params):
                return CursorWrapper.execute(self, sql, params)

    return PreparedDebugWrapper
