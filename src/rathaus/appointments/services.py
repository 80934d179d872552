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
"""

from __future__ import annotations

import functools
import time as pytime
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.backend import DatabaseBackend

from rathaus.core import audit
from rathaus.core.models import Municipality

from . import capacity, tasks
from .models import (
    ACTIVE_STATES,
    AvailabilityRule,
    Booking,
    BookingStatus,
    CapacityException,
    Offer,
    Resource,
    Slot,
)

HOLD_MINUTES = getattr(settings, "RATHAUS_APPOINTMENTS_HOLD_MINUTES", 15)
BUSY_MESSAGE = "Gerade ist viel los. Bitte versuchen Sie es gleich noch einmal."


class BookingError(Exception):
    """A refusal with a German message and a machine reason."""

    def __init__(self, message: str, reason: str, *, field: str | None = None, alternatives=()):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.field = field
        self.alternatives = list(alternatives)


def normalise_email(email: str) -> str:
    """The identity of an e-mail address: lower case, without a '+tag' in the local part."""
    email = (email or "").strip().lower()
    if "@" not in email:
        return email
    local_part, domain = email.rsplit("@", 1)
    return f"{local_part.split('+', 1)[0]}@{domain}"


def person_key(email: str, phone: str = "") -> str:
    if email:
        return normalise_email(email)
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return f"tel:{digits}" if digits else ""


def retry_on_conflict(attempts: int = 3):
    """Retry a transaction that PostgreSQL aborted for a deadlock or serialisation failure."""

    def decorator(fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            for attempt in range(attempts):
                try:
                    return fn(*args, **kwargs)
                except OperationalError as exc:
                    code = getattr(getattr(exc, "__cause__", None), "sqlstate", None)
                    if code not in ("40P01", "40001"):
                        raise
                    if attempt == attempts - 1:
                        raise BookingError(BUSY_MESSAGE, "busy") from exc
                    pytime.sleep(0.01 * (attempt + 1))
            raise AssertionError("unreachable")

        return wrapped

    return decorator


def _audit(action: str, booking: Booking, **kwargs) -> None:
    """Audit a booking change; the municipality by id saves a query on the hot path."""
    audit.record(action, booking, municipality=Municipality(pk=booking.municipality_id), **kwargs)


def _send_later(task, booking_id: int) -> None:
    """Send an e-mail as a background task once the booking is committed.

    With the database task backend the task row is written inside the booking's
    own transaction: a transactional outbox (the e-mail exists exactly when the
    booking commits, and one commit is saved per booking). Other backends run
    the task on commit.
    """
    if isinstance(task.get_backend(), DatabaseBackend):
        task.enqueue(booking_id)
    else:
        transaction.on_commit(functools.partial(task.enqueue, booking_id))


# --- Unit rows ---------------------------------------------------------------------


def _take_units(offer: Offer, starts_at: datetime, k: int, *, staff: bool) -> datetime | None:
    """The guarded update: one statement takes the k units from ``starts_at`` or none.

    ``UPDATE … SET booked = booked + 1 WHERE id IN (the next k units) AND booked <
    limit … RETURNING`` in one round trip; if fewer than k rows qualified or they
    are not consecutive, the caller rolls the transaction back. Returns the end
    of the last unit, or None.
    """
    share = 0 if staff else offer.walk_in_share
    limit = "capacity - (capacity * %s + 99) / 100" if share else "capacity"
    epoch = capacity.epoch_sql
    table = Slot._meta.db_table
    sql = (
        f"UPDATE {table} SET booked = booked + 1 "
        f"WHERE id IN (SELECT id FROM {table} WHERE resource_id = %s AND starts_at >= %s "
        "ORDER BY starts_at LIMIT %s) "
        "AND NOT walk_in_only AND (visible_from IS NULL OR visible_from <= %s) "
        f"AND booked < {limit} "
        f"RETURNING {epoch('starts_at')}, {epoch('ends_at')}"
    )
    adapt = connection.ops.adapt_datetimefield_value
    params = [offer.resource_id, adapt(starts_at), k, adapt(timezone.now())]
    if share:
        params.append(share)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        units = sorted(cursor.fetchall())
    if len(units) != k or units[0][0] != int(starts_at.timestamp()):
        return None
    if any(previous[1] != current[0] for previous, current in zip(units, units[1:], strict=False)):
        return None
    return datetime.fromtimestamp(units[-1][1], tz=UTC)


def _release_units(booking: Booking) -> None:
    Slot.objects.filter(
        resource_id=booking.resource_id,
        starts_at__gte=booking.starts_at,
        starts_at__lt=booking.ends_at,
        booked__gt=0,
    ).update(booked=F("booked") - 1)


# --- Citizens and callers: hold, confirm, cancel, rebook ------------------------------------


def _check_request(offer: Offer, starts_at: datetime, persons: int, *, staff: bool):
    if not offer.is_active or not offer.resource.is_active:
        raise BookingError(_("Diese Leistung ist hier nicht online buchbar."), "not_offered")
    if persons < 1 or persons > offer.max_persons:
        raise BookingError(
            _("Bitte wählen Sie 1 bis %(max)s Personen bzw. Vorgänge.")
            % {"max": offer.max_persons},
            "persons",
            field="persons",
        )
    win = capacity.window(offer, staff=staff)
    if not win.allows(starts_at):
        raise BookingError(
            _("Dieser Zeitpunkt kann nicht gebucht werden. Bitte wählen Sie eine angezeigte Zeit."),
            "outside_window",
            field="starts_at",
        )
    return win


def taken_error(offer, starts_at, persons, *, staff):
    alternatives = capacity.nearest_alternatives(offer, persons, starts_at, staff=staff)
    return BookingError(
        _("Diese Zeit ist leider gerade vergeben worden. Bitte wählen Sie eine andere Zeit."),
        "taken",
        field="starts_at",
        alternatives=alternatives,
    )


@retry_on_conflict()
def hold(
    offer: Offer,
    starts_at: datetime,
    *,
    name: str,
    email: str,
    phone: str = "",
    persons: int = 1,
    idempotency_key: str | None = None,
    actor=None,
    preconfirmed: bool = False,
) -> Booking:
    """Reserve k units for 15 minutes (citizens) or book directly (staff for a caller).

    A repeated call with the same idempotency key returns the first booking.
    """
    staff = actor is not None
    if idempotency_key:
        existing = Booking.objects.filter(
            municipality_id=offer.municipality_id, idempotency_key=idempotency_key
        ).first()
        if existing:
            return existing
    win = _check_request(offer, starts_at, persons, staff=staff)
    k = offer.units_for(persons)
    key = person_key(email, phone)
    try:
        with transaction.atomic():
            ends_at = _take_units(offer, starts_at, k, staff=staff)
            if ends_at is None:
                transaction.set_rollback(True)
            else:
                booking = _create_booking(
                    offer,
                    starts_at,
                    ends_at,
                    k,
                    persons,
                    name,
                    email,
                    phone,
                    key,
                    idempotency_key,
                    actor,
                    win,
                    preconfirmed,
                )
    except IntegrityError:
        return _after_integrity_error(offer, idempotency_key, key)
    if ends_at is None:
        if _expire_overlapping_holds(offer, starts_at, k):
            # A hold that should have expired was in the way: try once more.
            return hold(
                offer,
                starts_at,
                name=name,
                email=email,
                phone=phone,
                persons=persons,
                idempotency_key=idempotency_key,
                actor=actor,
                preconfirmed=preconfirmed,
            )
        # Computed after the rollback, outside the short booking transaction.
        raise taken_error(offer, starts_at, persons, staff=staff)
    return booking


def _expire_overlapping_holds(offer, starts_at, k) -> int:
    """Expire overdue holds on the wanted units (when no scheduler has swept them yet)."""
    span_end = starts_at + timedelta(hours=max(1, k))  # generous: units are <= 4 h
    overdue = Booking.objects.filter(
        resource_id=offer.resource_id,
        status=BookingStatus.RESERVED,
        hold_expires_at__lte=timezone.now(),
        starts_at__lt=span_end,
        ends_at__gt=starts_at,
    ).only("pk")
    return sum(expire(b) for b in overdue)


def expire_holds_if_due() -> None:
    """At most once a minute per cache: sweep expired holds (for setups without scheduler)."""
    from django.core.cache import cache

    if cache.add("appointments:expire-sweep", 1, timeout=60):
        expire_holds()


def _create_booking(
    offer,
    starts_at,
    ends_at,
    k,
    persons,
    name,
    email,
    phone,
    key,
    idempotency_key,
    actor,
    win,
    preconfirmed=False,
) -> Booking:
    now = timezone.now()
    confirmed = actor is not None or preconfirmed
    booking = Booking.objects.create(
        municipality_id=offer.municipality_id,
        offer=offer,
        service_id=offer.service_id,
        resource_id=offer.resource_id,
        starts_at=starts_at,
        ends_at=ends_at,
        units=k,
        persons=persons,
        status=BookingStatus.CONFIRMED if confirmed else BookingStatus.RESERVED,
        confirmed_at=now if confirmed else None,
        hold_expires_at=None if confirmed else now + timedelta(minutes=HOLD_MINUTES),
        name=name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        person_key=key,
        limit_key=key if (offer.one_per_person and key) else None,
        fee=offer.extended_fee if win.fee_applies(starts_at) else None,
        idempotency_key=idempotency_key or None,
        booked_by=actor,
    )
    _audit(
        "appointments.booked_for_caller"
        if actor is not None
        else ("appointments.rebooked_after_displacement" if preconfirmed else "appointments.held"),
        booking,
        actor=actor,
        data={"code": booking.code, "starts_at": starts_at.isoformat(), "units": k},
    )
    if confirmed and booking.email:
        _send_later(tasks.send_confirmation, booking.pk)
    elif not confirmed:
        _send_later(tasks.send_hold_link, booking.pk)
    return booking


def _after_integrity_error(offer, idempotency_key, key) -> Booking:
    """A unique constraint fired: a parallel double submit, or a second active booking."""
    if idempotency_key:
        existing = Booking.objects.filter(
            municipality_id=offer.municipality_id, idempotency_key=idempotency_key
        ).first()
        if existing:
            return existing
    raise BookingError(
        _(
            "Für diese Leistung haben Sie bereits einen aktiven Termin. Sie können ihn über "
            "den Link in Ihrer E-Mail verschieben oder absagen."
        ),
        "already_booked",
        field="email",
    )


def confirm(booking: Booking) -> bool:
    """Double opt-in: turn a live hold into a confirmed booking.

    Returns True for the one call that confirmed it, False if it was already
    confirmed (a second click); raises if the hold has expired or was cancelled.
    """
    now = timezone.now()
    with transaction.atomic():
        changed = Booking.objects.filter(
            pk=booking.pk, status=BookingStatus.RESERVED, hold_expires_at__gt=now
        ).update(status=BookingStatus.CONFIRMED, confirmed_at=now, hold_expires_at=None)
        if changed:
            booking.refresh_from_db()
            _audit("appointments.confirmed", booking, data={"code": booking.code})
            _send_later(tasks.send_confirmation, booking.pk)
            return True
    booking.refresh_from_db()
    if booking.status in (BookingStatus.CONFIRMED, BookingStatus.ARRIVED, BookingStatus.CALLED):
        return False
    if booking.status == BookingStatus.RESERVED:  # expired but not yet swept
        expire(booking)
    raise BookingError(
        _(
            "Diese Reservierung ist abgelaufen oder wurde storniert. Bitte buchen Sie einen "
            "neuen Termin."
        ),
        "expired",
    )


def _end(booking: Booking, status: str, allowed, *, actor=None, reason: str = "") -> bool:
    """Move an active booking to a final state and give its units back; False if not active."""
    now = timezone.now()
    with transaction.atomic():
        changed = Booking.objects.filter(pk=booking.pk, status__in=allowed).update(
            status=status, cancelled_at=now, cancel_reason=reason[:200], hold_expires_at=None
        )
        if not changed:
            return False
        booking.refresh_from_db()
        _release_units(booking)
        _audit(f"appointments.{status}", booking, actor=actor, data={"reason": reason})
    return True


def expire(booking: Booking) -> bool:
    return _end(booking, BookingStatus.EXPIRED, [BookingStatus.RESERVED], reason="hold expired")


def expire_holds(now: datetime | None = None) -> int:
    """Periodic: unconfirmed holds past their time give their units back."""
    now = now or timezone.now()
    due = Booking.objects.filter(status=BookingStatus.RESERVED, hold_expires_at__lte=now)
    return sum(expire(b) for b in due.only("pk"))


def cancel(booking: Booking, *, actor=None, reason: str = "", notify: bool = True) -> bool:
    """Cancel by the citizen (manage link) or by staff; the units return to the pool."""
    allowed = [BookingStatus.RESERVED, BookingStatus.CONFIRMED]
    if booking.starts_at <= timezone.now() and actor is None:
        raise BookingError(_("Vergangene Termine können nicht abgesagt werden."), "past")
    done = _end(booking, BookingStatus.CANCELLED, allowed, actor=actor, reason=reason)
    if done and notify and booking.email:
        _send_later(tasks.send_cancellation, booking.pk)
    return done


@retry_on_conflict()
def rebook(booking: Booking, new_start: datetime, *, actor=None) -> Booking:
    """Move an active booking to another time of the same offer, atomically.

    The old units are released and the new ones taken in one transaction: if the
    new time is gone, everything rolls back and the old appointment stays.
    """
    staff = actor is not None
    with transaction.atomic():
        current = (
            Booking.objects.select_for_update().select_related("offer__resource").get(pk=booking.pk)
        )
        if current.status not in (BookingStatus.RESERVED, BookingStatus.CONFIRMED):
            raise BookingError(_("Dieser Termin kann nicht mehr verschoben werden."), "not_active")
        if current.starts_at <= timezone.now() and not staff:
            raise BookingError(_("Vergangene Termine können nicht verschoben werden."), "past")
        offer = current.offer
        win = _check_request(offer, new_start, current.persons, staff=staff)
        old_start = current.starts_at
        _release_units(current)
        ends_at = _take_units(offer, new_start, current.units, staff=staff)
        if ends_at is None:
            transaction.set_rollback(True)
            error = "taken"
        else:
            error = None
            current.starts_at, current.ends_at = new_start, ends_at
            current.revision += 1
            current.reminder_sent_at = None
            current.fee = offer.extended_fee if win.fee_applies(new_start) else None
            current.save(
                update_fields=["starts_at", "ends_at", "revision", "reminder_sent_at", "fee"]
            )
            _audit(
                "appointments.rebooked",
                current,
                actor=actor,
                data={"from": old_start.isoformat(), "to": new_start.isoformat()},
            )
            if current.status == BookingStatus.CONFIRMED and current.email:
                _send_later(tasks.send_confirmation, current.pk)
    if error:
        raise taken_error(offer, new_start, current.persons, staff=staff)
    return current


def rebook_displaced(old: Booking, new_start: datetime) -> Booking:
    """A person whose appointment the office cancelled picks a new time, data kept, once.

    The e-mail address was confirmed with the first booking, so the new one is
    confirmed at once. Citizen policies (horizon, walk-in share) apply as usual.
    """
    with transaction.atomic():
        locked = (
            Booking.objects.select_for_update().select_related("offer__resource").get(pk=old.pk)
        )
        if not locked.displaced or locked.replacement_id:
            raise BookingError(
                _("Für diesen Termin haben Sie bereits einen neuen Termin gewählt."), "not_active"
            )
        new = hold(
            locked.offer,
            new_start,
            name=locked.name,
            email=locked.email,
            phone=locked.phone,
            persons=locked.persons,
            preconfirmed=True,
        )
        locked.replacement = new
        locked.save(update_fields=["replacement"])
    return new


# --- Staff --------------------------------------------------------------------------

STAFF_TRANSITIONS = {
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
    stamp = {BookingStatus.ARRIVED: {"arrived_at": now}}.get(status, {"finished_at": now})
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
