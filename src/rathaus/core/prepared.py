"""Querysets of the hot requests, turned into SQL once per process (issue 24).

Building the SQL of a queryset with two joins costs Django ~0.9 ms of CPU, more than
the query itself (~0.2 ms): on a hold, the offer lookup was a fifth of the request.
``PreparedQuery`` compiles the queryset once, with a marker for each value that
changes between calls, remembers where the markers landed among the parameters, and
from then on only binds the values and builds the model instances (with their
``select_related`` objects) the way Django's ``ModelIterable`` does.

The queryset is still the definition: filters, joins and tenancy come from the usual
ORM code, so the SQL never drifts from it (``tests/appointments/test_prepared_offer.py``
compares both). The database is chosen by the router on every call.

On PostgreSQL the statement is also **prepared on the server** (as the booking statement
of ADR 0024): Django binds values on the client, so every call sent the whole SQL text,
quoted its values in Python and had PostgreSQL parse and plan three joins again. Through
psycopg's raw cursor with ``prepare=True`` a call sends only the values: the hold's
offer lookup 230 → 140 µs of client CPU and 0.7 → 0.25 ms wall in-process (issue 24,
docs/performance.md). ``DB_PREPARED_STATEMENTS=0`` (PgBouncer before 1.21) turns the
preparing off here too (psycopg's ``prepare_threshold`` None). The query is logged like
Django's when queries are recorded (tests count it); when an execute wrapper is installed
(the replica's write watch), Django's cursor runs it, so every wrapper still sees it.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Callable

import psycopg
from django.db import connections, router
from django.db.models.query import get_related_populators

_all: list[PreparedQuery] = []


def compile_all(db: str) -> None:
    """Compiles every prepared query for ``db`` now (worker start, core.warmup)."""
    for query in _all:
        query.compile(db)


class PreparedQuery:
    def __init__(self, build: Callable, *markers):
        """``build(*values)`` returns the queryset; ``markers`` are sample values, each
        unique among the query's parameters (a marker that could also be a constant of
        the query would be bound in the wrong place, so they must not repeat)."""
        self.build, self.markers = build, markers
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()
        _all.append(self)

    def compile(self, db: str) -> None:
        if db not in self._compiled:
            with self._lock:
                self._compiled.setdefault(db, self._compile(db))

    def _compile(self, db: str):
        queryset = self.build(*self.markers).using(db)
        compiler = queryset.query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = []
        for marker in self.markers:
            found = [i for i, p in enumerate(params) if type(p) is type(marker) and p == marker]
            if len(found) != 1:
                raise ValueError(f"marker {marker!r} appears {len(found)} times")
            slots.append(found[0])
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        # Django 5.2 signature; the stubs already follow 6.0 (a fetch_mode argument).
        populators = get_related_populators(klass_info, select, db)  # type: ignore[call-arg]
        converters = compiler.get_converters([f[0] for f in select])
        return (sql, params, slots, queryset.model, start, end, init_list, populators,
                compiler, converters, _numbered(sql))  # fmt: skip

    def all(self, *values) -> list:
        db = router.db_for_read(self._model())
        compiled = self._compiled.get(db)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.setdefault(db, self._compile(db))
        (sql, params, slots, model, start, end, init_list, populators, compiler, converters,
         numbered) = compiled  # fmt: skip
        bound = list(params)
        for slot, value in zip(slots, values, strict=True):
            bound[slot] = value
        connection = connections[db]
        if connection.vendor == "postgresql" and not connection.execute_wrappers:
            rows = _fetch_prepared(connection, numbered, bound)
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, bound)
                rows = cursor.fetchall()
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        found = []
        for row in rows:
            obj = model.from_db(db, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            found.append(obj)
        return found

    def first(self, *values):
        """The first row or None; the queryset should be sliced ``[:1]`` and unordered."""
        found = self.all(*values)
        return found[0] if found else None

    def _model(self):
        model = getattr(self, "_model_class", None)
        if model is None:
            model = self._model_class = self.build(*self.markers).model
        return model


def _numbered(sql: str) -> str:
    """Django's ``%s`` placeholders as ``$1, $2, …`` and ``%%`` as ``%``: the text
    psycopg's raw cursor sends as it is."""
    counter = itertools.count(1)
    return re.sub("%([%s])", lambda m: "%" if m[1] == "%" else f"${next(counter)}", sql)


def _fetch_prepared(connection, sql: str, params: list) -> list:
    """All rows of ``sql``, prepared once per connection; what Django's cursor does
    around a query (health check, broken-transaction check, error wrapping, the query
    log when it is recorded) is done here as well."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    started = time.monotonic()
    with connection.wrap_database_errors, psycopg.RawCursor(connection.connection) as cursor:
        cursor.execute(sql, params, prepare=True)
        rows = cursor.fetchall()
    if connection.queries_logged:
        connection.queries_log.append(
            {"sql": f"{sql} -- {params!r}", "time": f"{time.monotonic() - started:.3f}"}
        )
    return rows
