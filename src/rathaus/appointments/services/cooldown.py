"""Cancellation cooldown (ADR 0021): cancelled units return to the pool only later."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Booking, BookingStatus


def _units_freed(booking_id: int) -> None:
    from .. import waitlist

    waitlist.units_freed(booking_id)


def return_cooled_down_units(now: datetime | None = None) -> int:
    """Periodic: units of cancelled appointments whose cooldown has passed go back."""
    now = now or timezone.now()
    returned = 0
    from .booking import _release_units

    for booking in Booking.objects.filter(units_return_at__lte=now).only(
        "pk", "resource_id", "starts_at", "ends_at"
    ):
        with transaction.atomic():
            # Guarded: two scheduler runs can't return the same units twice.
            if not Booking.objects.filter(pk=booking.pk, units_return_at__isnull=False).update(
                units_return_at=None
            ):
                continue
            _release_units(booking)
            # robust: the change is committed; a waiting-list failure is logged, not a 500.
            transaction.on_commit(functools.partial(_units_freed, booking.pk), robust=True)
        returned += 1
    return returned


def cancel_cooldown(booking: Booking, actor) -> timedelta | None:
    """Citizens' cancellations of confirmed appointments wait; staff and holds don't."""
    minutes = getattr(settings, "RATHAUS_APPOINTMENTS_CANCEL_COOLDOWN_MINUTES", 0)
    if actor is not None or not minutes or booking.status != BookingStatus.CONFIRMED:
        return None
    return timedelta(minutes=minutes)
