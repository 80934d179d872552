"""PostgreSQL: a hold as one statement, one round trip (ADR 0024).

    WITH u AS (SELECT appointments_take_units(…) AS ends_at),     -- guarded update
                                 -- (one unit: UPDATE slot … RETURNING ends_at)
         b AS (INSERT INTO booking (…) SELECT %s::bigint, …, u.ends_at, … FROM u
               WHERE u.ends_at IS NOT NULL RETURNING id, ends_at),
         a AS (INSERT INTO audit entry (…) SELECT …, b.id::text, … FROM b),
         t AS (INSERT INTO task (the e-mail) (…) SELECT … FROM b)  -- transactional outbox
    SELECT id, ends_at FROM b

Outside a transaction the statement is its own transaction: the units, the
booking, its audit entry and its e-mail are written together or not at all, and
nothing waits between BEGIN and COMMIT. Columns and values come from the unsaved
model instances (``core.rows``), so the SQL names no column by hand; every value
is a typed parameter of the prepared statement.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
from datetime import datetime

import psycopg
from django.db import connection, transaction

from rathaus.core import rows
from rathaus.core.backends.postgresql import prepared
from rathaus.core.models import AuditEntry

from .. import cache as availability_cache
from .. import capacity, guard
from ..models import Booking, Slot

# Columns the statement fills itself, from the rows inserted before them.
_BOOKING_COMPUTED = {"ends_at": "u.ends_at"}
_AUDIT_COMPUTED = {"object_id": "b.id::text"}
# The task's one argument is the new booking's id.
_TASK_COMPUTED = {
    "args_kwargs": "jsonb_build_object('args', jsonb_build_array(b.id), 'kwargs', '{}'::jsonb)"
}


# k units: the function takes them or none (it gives back a partial take).
_TAKE_UNITS = "SELECT appointments_take_units(%s, %s, %s, %s, %s) AS ends_at"
# One unit: the same guarded update inline, without the function call (a fifth of
# the server's work per booking in the profile). One row can't be taken in part,
# so nothing is given back; no row means the time is taken.
# Its parameters are the function's without the number of units.
_WALK_IN, _RELEASED, _PLACE_LEFT = guard.sql_terms()
_TAKE_ONE = (
    f"UPDATE {Slot._meta.db_table} SET booked = booked + 1"
    " WHERE resource_id = %s AND starts_at = %s"
    # The guard (guard.py), its terms ordered so that the share's placeholder
    # comes before visible_at's, as in the function's parameters.
    f" AND {_WALK_IN} AND {_PLACE_LEFT} AND {_RELEASED}"
    " RETURNING ends_at, booked, capacity"
)


@functools.cache
def _statement(with_task: bool, one_unit: bool) -> str:
    booking = rows.insert_sql(Booking, "u", _BOOKING_COMPUTED)
    parts = [
        f"WITH u AS ({_TAKE_ONE if one_unit else _TAKE_UNITS})",
        f"b AS ({booking} WHERE u.ends_at IS NOT NULL RETURNING id, ends_at)",
        f"a AS ({rows.insert_sql(AuditEntry, 'b', _AUDIT_COMPUTED)})",
    ]
    if with_task:
        from django_tasks_db.models import DBTaskResult

        parts.append(f"t AS ({rows.insert_sql(DBTaskResult, 'b', _TASK_COMPUTED)})")
    # One unit: what the unit holds afterwards too, for the availability cache's note.
    answer = "b.id, b.ends_at, u.booked, u.capacity FROM b, u" if one_unit else "id, ends_at FROM b"
    return _numbered(",\n".join(parts) + f"\nSELECT {answer}")


def _numbered(sql: str) -> str:
    """``%s`` → ``$1, $2, …``: the statement goes to psycopg's raw cursor as it is.

    psycopg parses a ``%s`` query on every call when it has more than 50
    parameters (its cache leaves those out); this one has about 60.
    """
    counter = itertools.count(1)
    return re.sub("%s", lambda _: f"${next(counter)}", sql)


def store_hold(
    booking: Booking,
    entry: AuditEntry,
    task,
    *,
    units: int,
    walk_in_share: int,
    visible_at: datetime,
) -> bool:
    """Take the units and insert booking, audit entry and e-mail task; False if taken.

    ``task`` is an e-mail task to enqueue with the booking's id, or None. Inside
    an outer transaction the statement runs in a savepoint, so a unique-constraint
    error leaves the outer transaction usable.
    """
    task_row = rows.task_row(task, 0) if task is not None else None
    one_unit = units == 1
    params = [
        booking.resource_id,
        booking.starts_at,
        *([] if one_unit else [units]),
        walk_in_share,
        visible_at,
        *rows.insert_values(booking, _BOOKING_COMPUTED),
        *rows.insert_values(entry, _AUDIT_COMPUTED),
    ]
    if task_row is not None:
        params += rows.insert_values(task_row, _TASK_COMPUTED)
    nested = connection.in_atomic_block
    savepoint = transaction.atomic() if nested else contextlib.nullcontext()
    with savepoint:
        found = _execute(_statement(task_row is not None, one_unit), params)
    if found is None:
        return False
    booking.ends_at = found[1]
    rows.mark_saved(booking, found[0])
    day = [booking.starts_at.astimezone(capacity.TZ).date()]
    if nested:
        availability_cache.bump_on_commit(booking.resource_id, day)
    elif one_unit:  # committed: a read of the day may keep its piece (ADR 0114)
        starts_at = int(booking.starts_at.timestamp())
        availability_cache.bump_after_hold(booking.resource_id, day[0], starts_at, *found[2:])
    else:
        availability_cache.bump(booking.resource_id, day)
    if task is not None and task_row is None:  # another task backend: enqueue as usual
        transaction.on_commit(functools.partial(task.enqueue, booking.pk))
    return True


def _execute(sql: str, params: list):
    """Run the statement with server-side parameters, prepared on first use.

    Django's cursors bind parameters on the client (a new statement text each
    time, parsed and planned anew); this one statement is prepared once per
    connection, which halves the server's work per booking.
    """
    with prepared.cursor(psycopg.RawCursor) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()
