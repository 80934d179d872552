"""Giving unit rows back: shared by ending a booking and by the cooldown's return."""

from __future__ import annotations

from django.db.models import F

from .. import cache as availability_cache
from .. import capacity
from ..models import Booking, Slot


def release_units(booking: Booking) -> None:
    """One place less booked on every unit of ``booking`` (never below zero)."""
    availability_cache.bump_on_commit(
        booking.resource_id, [booking.starts_at.astimezone(capacity.TZ).date()]
    )
    Slot.objects.filter(
        resource_id=booking.resource_id,
        starts_at__gte=booking.starts_at,
        starts_at__lt=booking.ends_at,
        booked__gt=0,
    ).update(booked=F("booked") - 1)
