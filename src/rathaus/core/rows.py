"""Unsaved model instances as JSON rows, to write several rows in one SQL statement.

The booking hot path on PostgreSQL (ADR 0024) inserts the booking, its audit
entry and its e-mail task in the same statement as the capacity update:
``INSERT INTO t SELECT r.* FROM jsonb_populate_record(NULL::t, %s) r``. The row
comes from the model, field by field, exactly as ``Model.save()`` would write it
(defaults, ``auto_now_add``, ``pre_save`` signals), so a new field needs no change
to the SQL.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, time
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.signals import post_save, pre_save

# Values PostgreSQL takes from JSON text as Django would write them (checked in
# tests/core/test_rows.py against rows saved by the ORM).
_PLAIN = (str, int, float, bool, datetime, date, time, Decimal, uuid.UUID)


def as_row(instance: models.Model) -> dict:
    """``{column: value}`` of an unsaved instance; an empty auto primary key is left out."""
    model = type(instance)
    pre_save.send(sender=model, instance=instance, raw=False, using="default", update_fields=None)
    connection = connections[DEFAULT_DB_ALIAS]
    row = {}
    for field in model._meta.concrete_fields:
        if field.primary_key and getattr(instance, field.attname) is None:
            continue  # the statement takes the next value of the sequence
        value = field.pre_save(instance, add=True)
        if _needs_prep(field, value):
            value = field.get_db_prep_save(value, connection)
        row[field.column] = value
    return row


def _needs_prep(field, value) -> bool:
    """Only unusual values go through the field's own conversion (the slow general way)."""
    if value is None or isinstance(field, models.JSONField):  # JSON goes into the row as it is
        return False
    naive = isinstance(value, datetime) and value.tzinfo is None
    return naive or not isinstance(value, _PLAIN)


def dumps(row: dict) -> str:
    return json.dumps(row, default=_plain, separators=(",", ":"))


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


def _plain(value):
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)  # Decimal, UUID


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
