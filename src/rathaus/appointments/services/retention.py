"""Retention of the Terminvergabe: past bookings are closed, then anonymised.

Rows stay for the figures (service, times, status); what could lead back to the
person goes: name, contact, identity keys, the note, the idempotency key, and
the booking code (a new random code replaces it, so old manage links, QR codes
and typed codes no longer find the booking).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from rathaus.core import audit
from rathaus.core.models import Municipality
from rathaus.core.retention import setting_days

from ..models import Booking, BookingStatus, LotteryEntry, WaitlistEntry, new_booking_code

#: A booking still open a day after its end was never checked in: it is closed.
CLOSE_AFTER = timedelta(days=1)
#: Open states and what they become when their day has passed unattended.
CLOSING = {
    BookingStatus.RESERVED: BookingStatus.EXPIRED,
    BookingStatus.CONFIRMED: BookingStatus.EXPIRED,
    BookingStatus.ARRIVED: BookingStatus.DONE,
    BookingStatus.CALLED: BookingStatus.DONE,
}


def retention_days() -> int:
    return setting_days("APPOINTMENTS_RETENTION_DAYS", 90)


def close_past(now: datetime) -> int:
    """Bookings still open a day after they ended are closed (no capacity is touched)."""
    open_past = Booking.objects.filter(status__in=list(CLOSING), ends_at__lt=now - CLOSE_AFTER)
    closed = 0
    for town_id in open_past.values_list("municipality_id", flat=True).distinct():
        municipality = Municipality.objects.get(pk=town_id)
        with transaction.atomic():
            counts = {}
            for old, new in CLOSING.items():
                counts[old] = open_past.filter(municipality=municipality, status=old).update(
                    status=new, finished_at=now, hold_expires_at=None, limit_key=None
                )
            audit.record("appointments.closed_past", municipality, data=counts)
        closed += sum(counts.values())
    return closed


def _anonymise_one_town(due, municipality: Municipality, before: datetime) -> int:
    count = 0
    with transaction.atomic():
        for booking in due.filter(municipality=municipality).select_for_update().only("pk"):
            Booking.objects.filter(pk=booking.pk).update(
                name="",
                email="",
                phone="",
                person_key="",
                limit_key=None,
                note="",
                cancel_reason="",
                idempotency_key=None,
                code=_free_code(municipality),
                booked_by=None,
                account=None,
            )
            count += 1
        if count:
            audit.record(
                "appointments.anonymised",
                municipality,
                data={"count": count, "before": before.isoformat()},
            )
    return count


def _free_code(municipality: Municipality) -> str:
    while True:
        code = new_booking_code()
        if not Booking.objects.filter(municipality=municipality, code=code).exists():
            return code


def anonymise_past(before: datetime) -> int:
    """Every booking that ended before ``before`` loses its personal data, whatever its state."""
    due = Booking.objects.filter(ends_at__lt=before).exclude(
        Q(name="")
        & Q(email="")
        & Q(phone="")
        & Q(person_key="")
        & Q(booked_by=None)
        & Q(account=None)
    )
    total = 0
    for town_id in due.values_list("municipality_id", flat=True).distinct():
        total += _anonymise_one_town(due, Municipality.objects.get(pk=town_id), before)
    return total


def bookings(now: datetime) -> dict:
    """The retention job of bookings: close what is past, anonymise what is past the period."""
    closed = close_past(now)
    anonymised = anonymise_past(now - timedelta(days=retention_days()))
    return {"closed": closed, "anonymised": anonymised}


def waitlist_entries(now: datetime) -> int:
    """Finished waiting-list places go after 30 days; any place after a year."""
    finished = WaitlistEntry.objects.filter(
        status__in=[
            WaitlistEntry.Status.BOOKED,
            WaitlistEntry.Status.EXPIRED,
            WaitlistEntry.Status.LEFT,
        ],
        created_at__lt=now - timedelta(days=30),
    )
    stale = WaitlistEntry.objects.filter(created_at__lt=now - timedelta(days=365))
    deleted = finished.delete()[0] + stale.delete()[0]
    return deleted


def lottery_entries(now: datetime) -> int:
    """Entries of a lottery are deleted 30 days after its last raffled day."""
    cutoff = (now - timedelta(days=30)).date()
    deleted, _ = LotteryEntry.objects.filter(lottery__last_day__lt=cutoff).delete()
    return deleted
