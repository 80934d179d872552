"""The one write path of the Terminvergabe: hold, confirm, cancel, rebook, staff actions.

Every capacity change is one guarded UPDATE on the unit rows inside a short
transaction (ADR 0020):

    UPDATE slot SET booked = booked + 1
     WHERE id IN (k ids) AND booked < limit AND NOT walk_in_only

and the row count must be k, otherwise the transaction rolls back. On
PostgreSQL concurrent updaters queue on the row locks and re-check the
condition, so the last place is given exactly once. On SQLite the
transaction is ``BEGIN IMMEDIATE`` (settings), i.e. writers are serialised,
which is correct for the single-process embedded setup.

On PostgreSQL a hold is one statement (ADR 0024): the guarded update as the
function ``appointments_take_units`` plus the booking, audit entry and e-mail
task inserts in one CTE, one round trip (``one_statement.py``).
"""

from .account import claim
from .booking import (
    BUSY_MESSAGE,
    HOLD_MINUTES,
    BookingError,
    _take_units,
    cancel,
    confirm,
    expire,
    expire_holds,
    expire_holds_if_due,
    hold,
    is_transient,
    normalise_email,
    person_key,
    rebook,
    rebook_displaced,
    retry_on_conflict,
    return_cooled_down_units,
    taken_error,
)
from .operations import (
    STAFF_TRANSITIONS,
    block_time,
    close_location_day,
    mark,
    materialise_all,
    record_fee_paid,
    record_fee_refunded,
    save_exception,
    save_rule,
    send_due_reminders,
    set_note,
)

__all__ = [
    "BUSY_MESSAGE",
    "HOLD_MINUTES",
    "STAFF_TRANSITIONS",
    "BookingError",
    "_take_units",
    "block_time",
    "cancel",
    "claim",
    "close_location_day",
    "confirm",
    "expire",
    "expire_holds",
    "expire_holds_if_due",
    "hold",
    "is_transient",
    "return_cooled_down_units",
    "mark",
    "materialise_all",
    "normalise_email",
    "person_key",
    "rebook",
    "record_fee_paid",
    "record_fee_refunded",
    "rebook_displaced",
    "retry_on_conflict",
    "save_exception",
    "save_rule",
    "set_note",
    "send_due_reminders",
    "taken_error",
]
