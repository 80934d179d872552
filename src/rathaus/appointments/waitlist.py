"""Waiting list (ADR 0021): a freed slot becomes a time-limited offer to the next in line.

When units return to the pool (a cancellation after its cooldown, an expired
hold, a cancelled hold), the first waiting person whose service and locations
fit gets a hold on that time for ``RATHAUS_APPOINTMENTS_WAITLIST_OFFER_MINUTES``
and an e-mail with the accept link (the usual double-opt-in confirm link). If
the offer expires, the hold's units are freed again and the next person in
line gets the offer, and so on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from rathaus.core import audit
from rathaus.core.mail import send_town_mail

from . import documents, hooks
from .models import Booking, BookingStatus, Offer, WaitlistEntry
from .services import BookingError, hold, person_key

ACTIVE = [WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED]
#: How many people in line are tried for one freed time before giving up.
MAX_TRIES = 20


def join(municipality, service, resource_ids, *, name, email, phone="") -> WaitlistEntry | None:
    """A place in line (the existing one if the person already waits for the service)."""
    key = person_key(email, phone)
    if not key:
        return None
    existing = WaitlistEntry.objects.filter(
        service=service, person_key=key, status__in=ACTIVE
    ).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            entry = WaitlistEntry.objects.create(
                municipality=municipality,
                service=service,
                resource_ids=sorted(int(r) for r in resource_ids),
                name=name,
                email=email,
                phone=phone,
                person_key=key,
            )
    except IntegrityError:  # a parallel join of the same person
        return WaitlistEntry.objects.filter(
            service=service, person_key=key, status__in=ACTIVE
        ).first()
    audit.record("appointments.waitlist_joined", entry, data={"service": service.slug})
    return entry


def position(entry: WaitlistEntry) -> int:
    return (
        WaitlistEntry.objects.filter(
            service_id=entry.service_id, status=WaitlistEntry.Status.WAITING
        )
        .filter(created_at__lte=entry.created_at)
        .count()
    )


def _close_offer_of(booking: Booking) -> None:
    """The freed booking was itself a waiting-list offer: it is over."""
    WaitlistEntry.objects.filter(booking=booking, status=WaitlistEntry.Status.OFFERED).update(
        status=WaitlistEntry.Status.EXPIRED
    )


def units_freed(booking_id: int) -> WaitlistEntry | None:
    """Offer the time of a booking that gave its units back to the next person in line."""
    booking = Booking.objects.select_related("resource").get(pk=booking_id)
    _close_offer_of(booking)
    if booking.starts_at <= timezone.now():
        return None
    line = WaitlistEntry.objects.filter(
        service_id=booking.service_id, status=WaitlistEntry.Status.WAITING
    ).order_by("created_at", "id")
    offer = Offer.objects.filter(
        service_id=booking.service_id, resource_id=booking.resource_id, is_active=True
    ).first()
    if offer is None:
        return None
    tried = 0
    for entry in line.iterator():
        if entry.resource_ids and booking.resource_id not in entry.resource_ids:
            continue
        tried += 1
        if tried > MAX_TRIES:
            break
        try:
            new = hold(
                offer,
                booking.starts_at,
                name=entry.name,
                email=entry.email,
                phone=entry.phone,
                hold_minutes=settings.RATHAUS_APPOINTMENTS_WAITLIST_OFFER_MINUTES,
                notify=False,
            )
        except BookingError as error:
            if error.reason == "already_booked":
                entry.status = WaitlistEntry.Status.BOOKED
                entry.save(update_fields=["status"])
                continue
            return None  # the time is gone (someone booked it normally) or not bookable
        entry.status, entry.booking = WaitlistEntry.Status.OFFERED, new
        entry.offers_made += 1
        entry.save(update_fields=["status", "booking", "offers_made"])
        audit.record("appointments.waitlist_offered", entry, data={"booking": new.code})
        transaction.on_commit(lambda pk=entry.pk: send_offer.enqueue(pk))
        return entry
    return None


@receiver(hooks.units_freed)
def _offer_freed_units(sender, booking_id: int, **kwargs) -> None:
    units_freed(booking_id)


def sync() -> int:
    """Periodic: confirmed offers count as booked; lapsed ones as expired."""
    booked = WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.OFFERED,
        booking__status__in=[BookingStatus.CONFIRMED, BookingStatus.ARRIVED, BookingStatus.DONE],
    ).update(status=WaitlistEntry.Status.BOOKED)
    lapsed = WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.OFFERED,
        booking__status__in=[BookingStatus.EXPIRED, BookingStatus.CANCELLED],
    ).update(status=WaitlistEntry.Status.EXPIRED)
    return booked + lapsed


@task()
def send_offer(entry_id: int) -> None:
    entry = WaitlistEntry.objects.select_related(
        "municipality", "booking__resource__location", "service"
    ).get(pk=entry_id)
    booking = entry.booking
    context = {
        "entry": entry,
        "booking": booking,
        "municipality": entry.municipality,
        "location": booking.resource.location,
        "confirm_url": documents.confirm_url(booking),
        "offer_minutes": settings.RATHAUS_APPOINTMENTS_WAITLIST_OFFER_MINUTES,
    }
    with translation.override("de"):
        body = render_to_string("appointments/email/waitlist_offer.txt", context)
    send_town_mail(
        entry.municipality,
        f"Ein Termin ist frei geworden – {entry.municipality.name}",
        body,
        [entry.email],
    )
