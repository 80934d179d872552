"""Querysets of the hot requests, turned into SQL once per process (issue 24).

Building the SQL of a queryset with two joins costs Django ~0.9 ms of CPU, more than
the query itself (~0.2 ms): on a hold, the offer lookup was a fifth of the request.
``PreparedQuery`` compiles the queryset once, with a marker for each value that
changes between calls, remembers where the markers landed among the parameters, and
from then on only binds the values and builds the model instances (with their
``select_related`` objects) the way Django's ``ModelIterable`` does.

The queryset is still the definition: filters, joins and tenancy come from the usual
ORM code, so the SQL never drifts from it (``tests/core/test_prepared.py`` compares
both). The database is chosen by the router on every call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connections, router
from django.db.models.query import get_related_populators


class PreparedQuery:
    def __init__(self, build: Callable, *markers):
        """``build(*values)`` returns the queryset; ``markers`` are sample values, each
        unique among the query's parameters (a marker that could also be a constant of
        the query would be bound in the wrong place, so they must not repeat)."""
        self.build, self.markers = build, markers
        self._compiled: dict[str, tuple] = {}
        self._lock = threading.Lock()

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
                compiler, converters)  # fmt: skip

    def all(self, *values) -> list:
        db = router.db_for_read(self._model())
        compiled = self._compiled.get(db)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.setdefault(db, self._compile(db))
        sql, params, slots, model, start, end, init_list, populators, compiler, converters = (
            compiled
        )
        bound = list(params)
        for slot, value in zip(slots, values, strict=True):
            bound[slot] = value
        with connections[db].cursor() as cursor:
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
