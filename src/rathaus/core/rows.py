"""Unsaved model instances as insert parameters, to write several rows in one statement.

The booking hot path on PostgreSQL (ADR 0024) inserts the booking, its audit
entry and its e-mail task in the same statement as the capacity update:
``INSERT INTO t (c1, c2, …) SELECT %s::type1, %s::type2, … FROM source``. The
columns and the values come from the model, field by field, exactly as
``Model.save()`` would write them (defaults, ``auto_now_add``, ``pre_save``
signals), so a new field needs no change to the SQL. A column may instead take
an SQL expression (``computed``), e.g. the id of the row inserted before it.
"""

from __future__ import annotations

import functools
import re
import uuid
from datetime import date, datetime, time
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.signals import post_save, pre_save

# Values psycopg sends as Django would write them (checked in tests/core/test_rows.py
# against rows saved by the ORM); anything else goes through the field's conversion.
_PLAIN = (str, int, float, bool, datetime, date, time, Decimal, uuid.UUID)
#: The same types, matched exactly: a subclass (a lazy or safe string) takes the general way.
_PLAIN_TYPES = frozenset(_PLAIN)


def insert_sql(model: type[models.Model], source: str, computed: dict[str, str]) -> str:
    """``INSERT INTO table (columns) SELECT … FROM source``: a typed parameter per
    column, or the SQL expression ``computed`` gives for it. The database fills
    an automatic primary key."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    columns, selected = [], []
    for field in _insert_fields(model):
        columns.append(quote(field.column))
        selected.append(computed.get(field.column) or f"%s::{_cast(field, connection)}")
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(selected)} FROM {source}"
    )


def insert_values(instance: models.Model, computed=()) -> list:
    """The parameters of ``insert_sql`` for an unsaved instance, in column order."""
    model = type(instance)
    pre_save.send(sender=model, instance=instance, raw=False, using="default", update_fields=None)
    connection = connections[DEFAULT_DB_ALIAS]
    values = []
    for field, attname, plain, json in _plan(model, frozenset(computed)):
        # A field whose pre_save is Field's reads its attribute: read it here (issue 24).
        value = getattr(instance, attname) if plain else field.pre_save(instance, add=True)
        # The common case, a value of a plain type, is told by one set lookup; a naive
        # datetime still needs the field's preparation (made aware, or the warning).
        ready = type(value) in _PLAIN_TYPES and not json and not _naive(value)
        if not ready and _needs_prep(field, value):
            value = field.get_db_prep_save(value, connection)
        values.append(value)
    return values


@functools.cache
def _insert_fields(model) -> tuple:
    # db_returning: an automatic key (or generated column) the database fills.
    return tuple(f for f in model._meta.concrete_fields if not f.db_returning)


@functools.cache
def _plan(model, computed: frozenset) -> tuple:
    """Per inserted field: the field, its attribute, whether its ``pre_save`` is Field's
    own (the attribute as it is), whether it is JSON (always converted). Worked out once
    per model: per field and row it was ~1 µs of a hold's ~60 parameters (issue 24)."""
    return tuple(
        (
            field,
            field.attname,
            type(field).pre_save is models.Field.pre_save,
            isinstance(field, models.JSONField),
        )
        for field in _insert_fields(model)
        if field.column not in computed
    )


def _cast(field, connection) -> str:
    """The column's type without its modifier: ``varchar(12)`` → ``varchar``, so that
    an over-long value is refused on assignment instead of cut by the cast."""
    return re.sub(r"\([^)]*\)", "", field.db_type(connection))


def _naive(value) -> bool:
    return type(value) is datetime and value.tzinfo is None


def _needs_prep(field, value) -> bool:
    """Only unusual values go through the field's own conversion (the slow general way)."""
    if value is None:
        return False
    if isinstance(field, models.JSONField):
        return True
    naive = isinstance(value, datetime) and value.tzinfo is None
    return naive or not isinstance(value, _PLAIN)


def mark_saved(instance: models.Model, pk) -> None:
    """The instance was inserted by SQL: give it its key and tell ``post_save`` listeners."""
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = "default"
    post_save.send(
        sender=type(instance),
        instance=instance,
        created=True,
        update_fields=None,
        raw=False,
        using="default",
    )


def task_row(task, *args):
    """The row the database task backend would insert for ``task.enqueue(*args)``, unsaved.

    None when the configured backend is not the database backend (then enqueue as
    usual, on commit). Mirrors ``DatabaseBackend._task_to_db_task`` (django-tasks-db
    is pinned to one minor version in pyproject.toml for this reason).
    """
    from django_tasks.utils import normalize_json
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return None
    backend.validate_task(task)
    return DBTaskResult(
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": list(args), "kwargs": {}}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after,
        backend_name=backend.alias,
    )
