"""What the booking core announces; fair release (releases, lottery, waiting list) listens.

The booking core (``capacity``, ``services``) must not import the fair-release
features built on top of it (ADR 0021, docs/architecture.md). Instead it sends
one of these signals and the features connect a receiver when the app is ready
(``apps.AppointmentsConfig.ready``). ``.importlinter`` checks the direction.

- ``units_materialised(resource)``: unit rows of a resource were written or
  changed (``capacity.materialise``). Sent inside the transaction, before the
  availability cache is bumped, so a release schedule can hide the new rows
  (``releases.stamp_resource``) before anyone sees them. A failure rolls back.
- ``units_freed(booking_id)``: an ended booking gave its units back (a cancelled
  or expired hold, a cancellation after its cooldown). Sent after the commit and
  robust: the change stands, a receiver's failure is logged (waiting list).
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

units_materialised = Signal()
units_freed = Signal()


def materialised(resource) -> None:
    """Announce new or changed unit rows of ``resource`` (inside the transaction)."""
    units_materialised.send(sender=type(resource), resource=resource)


def freed_on_commit(booking_id: int) -> None:
    """Announce, once the transaction commits, that a booking's units are back."""

    # A function, not functools.partial: Django's robust on_commit logs the failure
    # with ``func.__qualname__``, which a partial lacks (the log call itself raised).
    def send_units_freed() -> None:
        units_freed.send(sender=None, booking_id=booking_id)

    transaction.on_commit(send_units_freed, robust=True)
