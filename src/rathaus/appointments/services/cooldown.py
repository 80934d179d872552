"""Cancellation cooldown (ADR 0021): cancelled units return to the pool only later."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .. import hooks
from ..models import Booking, BookingStatus
from .units import release_units


def return_cooled_down_units(now: datetime | None = None) -> int:
    """Periodic: units of cancelled appointments whose cooldown has passed go back."""
    now = now or timezone.now()
    returned = 0
    for booking in Booking.objects.filter(units_return_at__lte=now).only(
        "pk", "resource_id", "starts_at", "ends_at"
    ):
        with transaction.atomic():
            # Guarded: two scheduler runs can't return the same units twice.
            if not Booking.objects.filter(pk=booking.pk, units_return_at__isnull=False).update(
                units_return_at=None
            ):
                continue
            release_units(booking)
            # After the commit; a listener's failure (waiting list) is logged, not a 500.
            hooks.freed_on_commit(booking.pk)
        returned += 1
    return returned


def cancel_cooldown(booking: Booking, actor) -> timedelta | None:
    """Citizens' cancellations of confirmed appointments wait; staff and holds don't."""
    minutes = getattr(settings, "RATHAUS_APPOINTMENTS_CANCEL_COOLDOWN_MINUTES", 0)
    if actor is not None or not minutes or booking.status != BookingStatus.CONFIRMED:
        return None
    return timedelta(minutes=minutes)
