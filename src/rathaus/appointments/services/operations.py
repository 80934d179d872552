"""Staff and periodic write paths: counter states, rules, exceptions, blocking time,
closures, reminders, materialisation (see ``services/__init__``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.core import audit

from .. import capacity, tasks
from ..models import (
    ACTIVE_STATES,
    AvailabilityRule,
    Booking,
    BookingStatus,
    CapacityException,
    Offer,
    Resource,
    Slot,
)
from .booking import BookingError, _audit, _end, _send_later

# --- Staff --------------------------------------------------------------------------

#: A status a clerk sets -> the statuses it may follow (TextChoices members are str).
STAFF_TRANSITIONS: dict[str, list[str]] = {
    BookingStatus.ARRIVED: [BookingStatus.CONFIRMED],
    BookingStatus.CALLED: [BookingStatus.ARRIVED],
    BookingStatus.DONE: [BookingStatus.CONFIRMED, BookingStatus.ARRIVED, BookingStatus.CALLED],
    BookingStatus.NO_SHOW: [BookingStatus.CONFIRMED, BookingStatus.CALLED],
}


def mark(booking: Booking, status: str, *, actor) -> bool:
    """Counter work: arrived, called, done or no-show (only from the states that allow it)."""
    if status not in STAFF_TRANSITIONS:
        raise BookingError(_("Unbekannter Status."), "status")
    now = timezone.now()
    stamp: dict[str, datetime] = (
        {"arrived_at": now} if status == BookingStatus.ARRIVED else {"finished_at": now}
    )
    if status == BookingStatus.CALLED:
        stamp = {}
    with transaction.atomic():
        changed = Booking.objects.filter(
            pk=booking.pk, status__in=STAFF_TRANSITIONS[status]
        ).update(status=status, **stamp)
        if changed:
            booking.refresh_from_db()
            _audit(f"appointments.{status}", booking, actor=actor)
    return bool(changed)


@transaction.atomic
def ensure_offer(
    service,
    *,
    location,
    resource_slug: str,
    resource_name: str,
    kind: str,
    policy: dict,
    actor=None,
) -> Offer:
    """A bookable offer of ``service`` on its own resource at ``location``, created once
    (for modules that book through the Terminvergabe, e.g. dialogue consultation hours)."""
    municipality = service.municipality
    resource, created_resource = Resource.objects.get_or_create(
        municipality=municipality,
        slug=resource_slug,
        defaults={"location": location, "name": resource_name, "kind": kind},
    )
    offer, created_offer = Offer.objects.get_or_create(
        municipality=municipality, service=service, resource=resource, defaults=policy
    )
    if created_resource or created_offer:
        audit.record(
            "appointments.offer_created",
            offer,
            actor=actor,
            data={"resource": resource.slug, "service": service.slug},
        )
    return offer


@transaction.atomic
def extend_horizon(offer: Offer, days: int, *, actor=None) -> Offer:
    """Let the offer be booked at least ``days`` ahead (an event beyond the horizon)."""
    if offer.horizon_days < days:
        offer.horizon_days = days
        offer.save(update_fields=["horizon_days"])
        audit.record("appointments.horizon_extended", offer, actor=actor, data={"days": days})
    return offer


@transaction.atomic
def record_fee_paid(booking_id: int, *, amount_cents: int, source: str) -> bool:
    """The reservation fee (e.g. a wedding date beyond six months) is paid online.

    Called by the payment module once the provider reports success; idempotent: a second
    report changes nothing. The amount must be the booking's fee.
    """
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if booking.fee is None or booking.fee_paid_at is not None:
            return False
        if round(booking.fee * 100) != amount_cents:
            raise BookingError(_("Der bezahlte Betrag passt nicht zur Gebühr."), "fee")
        booking.fee_paid_at = timezone.now()
        booking.save(update_fields=["fee_paid_at"])
        audit.record(
            "appointments.fee_paid",
            booking,
            data={"amount_cents": amount_cents, "source": source},
        )
    return True


def record_fee_refunded(booking: Booking, *, actor) -> bool:
    """Staff note that a fee due for refund (a paid booking moved to a date without fee,
    ADR 0034) has been paid back; idempotent, audited."""
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.fee_refund_due is None or locked.fee_refunded_at is not None:
            return False
        locked.fee_refunded_at = timezone.now()
        locked.save(update_fields=["fee_refunded_at"])
        audit.record(
            "appointments.fee_refunded",
            locked,
            actor=actor,
            data={"amount": str(locked.fee_refund_due)},
        )
    booking.fee_refunded_at = locked.fee_refunded_at
    return True


def set_note(booking: Booking, note: str, *, actor) -> Booking:
    """The staff's internal note on a booking (e.g. "Dolmetscher nötig"), audited."""
    note = note.strip()[:300]
    if booking.note != note:
        booking.note = note
        booking.save(update_fields=["note"])
        audit.record("appointments.note_changed", booking, actor=actor)
    return booking


def save_rule(rule: AvailabilityRule, *, actor=None) -> AvailabilityRule:
    """Validate (overlaps are refused with a German message) and re-materialise."""
    rule.full_clean()
    with transaction.atomic():
        rule.save()
        audit.record("appointments.rule_saved", rule.resource, actor=actor, data={"rule": rule.pk})
        capacity.materialise(rule.resource)
    return rule


def save_exception(exception: CapacityException, *, actor=None) -> list[Booking]:
    """Store a closure, shortage or extra slots; re-materialise; displace what no longer fits."""
    exception.full_clean()
    with transaction.atomic():
        exception.created_by = actor if getattr(actor, "is_authenticated", False) else None
        exception.save()
        audit.record(
            "appointments.exception_saved",
            exception.resource,
            actor=actor,
            data={"date": exception.date.isoformat(), "kind": exception.kind},
        )
        capacity.materialise(exception.resource, exception.date, 1)
        displaced = _displace_overbooked(exception.resource, exception.date, exception, actor)
    return displaced


def close_location_day(closure) -> list[Booking]:
    """The location is closed on a day (core opening exception): displace its bookings."""
    displaced = []
    for resource in Resource.objects.filter(location_id=closure.location_id):
        with transaction.atomic():
            capacity.materialise(resource, closure.date, 1)
            reason = closure.reason or _("Der Standort ist an diesem Tag geschlossen.")
            marker = CapacityException(resource=resource, date=closure.date, reason=reason)
            displaced += _displace_overbooked(resource, closure.date, marker, None)
    return displaced


def block_time(
    resource: Resource, day, start, end, *, counters: int | None, reason: str, actor
) -> list[Booking]:
    """A counter falls out: fewer places (or closed) for a time; affected citizens are told."""
    kind = CapacityException.Kind.REDUCED if counters else CapacityException.Kind.CLOSED
    exception = CapacityException(
        resource=resource,
        kind=kind,
        date=day,
        start_time=start,
        end_time=end,
        counters=counters or 1,
        reason=reason,
    )
    return save_exception(exception, actor=actor)


def _displace_overbooked(resource, day, exception, actor) -> list[Booking]:
    """Cancel the most recently made bookings until no unit is over its capacity."""
    start, end = (
        capacity.local(day, datetime.min.time()),
        capacity.local(day + timedelta(days=1), datetime.min.time()),
    )
    slots = {
        s.starts_at: s
        for s in Slot.objects.filter(resource=resource, starts_at__gte=start, starts_at__lt=end)
    }
    over = {t: s.booked - s.capacity for t, s in slots.items() if s.booked > s.capacity}
    if not over:
        return []
    candidates = Booking.objects.filter(
        resource=resource,
        status__in=[BookingStatus.RESERVED, BookingStatus.CONFIRMED],
        starts_at__gte=start,
        starts_at__lt=end,
    ).order_by("-created_at")
    displaced = []
    for booking in candidates:
        covered = [t for t in over if booking.starts_at <= t < booking.ends_at and over[t] > 0]
        if not covered:
            continue
        for t in slots:
            if booking.starts_at <= t < booking.ends_at and t in over:
                over[t] -= 1
        reason = exception.reason or _("Ausfall am Standort")
        if _end(booking, BookingStatus.CANCELLED, ACTIVE_STATES[:2], actor=actor, reason=reason):
            Booking.objects.filter(pk=booking.pk).update(displaced=True)
            booking.displaced = True
            displaced.append(booking)
            if booking.email:
                _send_later(tasks.send_displaced, booking.pk)
        if all(v <= 0 for v in over.values()):
            break
    return displaced


def send_due_reminders(now: datetime | None = None) -> int:
    """Periodic: a reminder the day before, once per booking (and again after a rebooking)."""
    now = now or timezone.now()
    tomorrow = now.astimezone(capacity.TZ).date() + timedelta(days=1)
    due = Booking.objects.filter(
        status=BookingStatus.CONFIRMED,
        reminder_sent_at__isnull=True,
        starts_at__gte=capacity.local(tomorrow, datetime.min.time()),
        starts_at__lt=capacity.local(tomorrow + timedelta(days=1), datetime.min.time()),
    ).exclude(email="")
    sent = 0
    for booking in due:
        # Claim the reminder first so two schedulers never send it twice.
        if Booking.objects.filter(pk=booking.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        ):
            tasks.send_reminder.enqueue(booking.pk)
            sent += 1
    return sent


def materialise_all() -> int:
    """Periodic: keep unit rows ahead for every active resource."""
    total = 0
    for resource in Resource.objects.filter(is_active=True).select_related("municipality"):
        total += capacity.materialise(resource)
    return total
