"""Booking write path: hold, confirm, cancel, expire, rebook (see ``services/__init__``)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.backend import DatabaseBackend

from rathaus.core import audit
from rathaus.core.models import AuditEntry, Municipality, User

from .. import cache as availability_cache
from .. import capacity, combined, guard, hooks, tasks
from ..models import ACTIVE_STATES, Booking, BookingPart, BookingStatus, Offer, Slot
from . import one_statement
from .cooldown import cancel_cooldown, return_cooled_down_units  # noqa: F401
from .errors import (  # noqa: F401  (re-exported: public names of this module)
    BUSY_MESSAGE,
    TRANSIENT_SQLSTATES,
    BookingError,
    is_transient,
    normalise_email,
    normalise_phone,
    person_key,
    retry_on_conflict,
)
from .units import release_units as _release_units

HOLD_MINUTES = getattr(settings, "RATHAUS_APPOINTMENTS_HOLD_MINUTES", 15)


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


def _limits(offer: Offer, *, staff: bool, ignore_release: bool) -> tuple[int, datetime]:
    """The walk-in share kept back (citizens only) and the moment units must be visible by
    (the lottery draw books units before their release)."""
    share = 0 if staff else offer.walk_in_share
    return share, capacity.FAR_FUTURE if ignore_release else timezone.now()


def _take_units(
    offer: Offer, starts_at: datetime, k: int, *, staff: bool, ignore_release: bool = False
) -> datetime | None:
    """The guarded update: one statement takes the k units from ``starts_at`` or none.

    ``UPDATE … SET booked = booked + 1 WHERE id IN (the next k units) AND booked <
    limit … RETURNING`` in one round trip; if fewer than k rows qualified or they
    are not consecutive, the caller rolls the transaction back (on PostgreSQL the
    function gives them back itself, migration 0004). Returns the end
    of the last unit, or None. ``ignore_release`` is for the lottery draw, which
    allocates units before they are released to everyone.
    """
    share, visible_at = _limits(offer, staff=staff, ignore_release=ignore_release)
    day = [starts_at.astimezone(capacity.TZ).date()]
    if connection.vendor == "postgresql":  # the same update as a function (migration 0004)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT appointments_take_units(%s, %s, %s, %s, %s)",
                [offer.resource_id, starts_at, k, share, visible_at],
            )
            ends_at = cursor.fetchone()[0]
        if ends_at is not None:
            availability_cache.bump_on_commit(offer.resource_id, day)
        return ends_at
    epoch = capacity.epoch_sql
    table = Slot._meta.db_table
    sql = (
        f"UPDATE {table} SET booked = booked + 1 "
        f"WHERE id IN (SELECT id FROM {table} WHERE resource_id = %s AND starts_at >= %s "
        "ORDER BY starts_at LIMIT %s) "
        f"AND {guard.sql(share='%s' if share else None)} "  # parameters: visible_at, share
        f"RETURNING {epoch('starts_at')}, {epoch('ends_at')}"
    )
    adapt = connection.ops.adapt_datetimefield_value
    params = [offer.resource_id, adapt(starts_at), k, adapt(visible_at)]
    if share:
        params.append(share)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        units = sorted(cursor.fetchall())
    if len(units) != k or units[0][0] != int(starts_at.timestamp()):
        return None
    if any(previous[1] != current[0] for previous, current in zip(units, units[1:], strict=False)):
        return None
    availability_cache.bump_on_commit(offer.resource_id, day)
    return datetime.fromtimestamp(units[-1][1], tz=UTC)


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


@dataclass(frozen=True)
class HoldRequest:
    """What ``hold()`` was asked for."""

    offer: Offer
    starts_at: datetime
    name: str
    email: str
    phone: str = ""
    persons: int = 1
    idempotency_key: str | None = None
    actor: User | None = None
    preconfirmed: bool = False
    hold_minutes: int | None = None
    notify: bool = True
    ignore_release: bool = False
    account: User | None = None  # the logged-in citizen ("Meine Termine")
    # Further services in the same appointment, offered at the same resource (ADR 0026).
    extra_offers: tuple = ()

    @property
    def effective_offer(self) -> Offer:
        """The offer whose units and policies apply: combined if there are further services."""
        if not self.extra_offers:
            return self.offer
        return combined.combine([self.offer, *self.extra_offers])

    @property
    def staff(self) -> bool:
        return self.actor is not None

    @property
    def confirmed(self) -> bool:
        """Staff booking for a caller, or a person whose address is already confirmed."""
        return self.actor is not None or self.preconfirmed


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
    hold_minutes: int | None = None,
    notify: bool = True,
    ignore_release: bool = False,
    account=None,
    extra_offers=(),
) -> Booking:
    """Reserve k units for 15 minutes (citizens) or book directly (staff for a caller).

    A repeated call with the same idempotency key returns the first booking.
    ``hold_minutes`` overrides the hold time (waiting-list offers), ``notify=False``
    leaves the e-mail to the caller (lottery, waiting list), ``ignore_release``
    books units not yet released (the lottery draw). ``extra_offers`` are further
    services at the same resource handled in the same appointment (ADR 0026): their
    units are added and taken with the first service's as one run.
    """
    request = HoldRequest(
        offer,
        starts_at,
        name=name,
        email=email,
        phone=phone,
        persons=persons,
        idempotency_key=idempotency_key,
        actor=actor,
        preconfirmed=preconfirmed,
        hold_minutes=hold_minutes,
        notify=notify,
        ignore_release=ignore_release,
        account=account,
        extra_offers=tuple(extra_offers),
    )
    return _hold(request)


def _hold(request: HoldRequest) -> Booking:
    offer = request.effective_offer
    win = _check_request(offer, request.starts_at, request.persons, staff=request.staff)
    k = offer.units_for(request.persons)
    booking = _new_booking(request, win, k)
    if request.extra_offers:
        earlier = _by_idempotency_key(offer, request.idempotency_key)
        if earlier:  # a double submit: the first booking, before its parts count as "active"
            return earlier
        _check_extra_limits(request, booking.person_key)
    try:
        stored = _store(request, booking, k)
    except IntegrityError:
        # A double submit (same idempotency key) or a second active booking.
        return _after_integrity_error(offer, request.idempotency_key, booking.person_key)
    if stored:
        return booking
    # Not stored: the time is taken, perhaps by this very request submitted twice.
    earlier = _by_idempotency_key(offer, request.idempotency_key)
    if earlier:
        return earlier
    if _expire_overlapping_holds(offer, request.starts_at, k):
        return _hold(request)  # a hold that should have expired was in the way
    # Computed outside the short booking transaction.
    raise taken_error(offer, request.starts_at, request.persons, staff=request.staff)


def _new_booking(request: HoldRequest, win, k: int) -> Booking:
    """The unsaved booking; ``ends_at`` is set when its units are taken."""
    offer, starts_at = request.offer, request.starts_at
    now = timezone.now()
    confirmed = request.confirmed
    key = person_key(request.email, request.phone)
    hold_for = timedelta(minutes=request.hold_minutes or HOLD_MINUTES)
    return Booking(
        municipality_id=offer.municipality_id,
        offer=offer,
        service_id=offer.service_id,
        resource_id=offer.resource_id,
        starts_at=starts_at,
        units=k,
        persons=request.persons,
        status=BookingStatus.CONFIRMED if confirmed else BookingStatus.RESERVED,
        confirmed_at=now if confirmed else None,
        hold_expires_at=None if confirmed else now + hold_for,
        name=request.name.strip(),
        email=request.email.strip(),
        phone=request.phone.strip(),
        person_key=key,
        limit_key=key if (offer.one_per_person and key) else None,
        fee=offer.extended_fee if win.fee_applies(starts_at) else None,
        idempotency_key=request.idempotency_key or None,
        booked_by=request.actor,
        account=request.account,
    )


def _audit_entry(request: HoldRequest, booking: Booking) -> AuditEntry:
    if request.actor is not None:
        action = "appointments.booked_for_caller"
    elif request.preconfirmed:
        action = "appointments.rebooked_after_displacement"
    else:
        action = "appointments.held"
    data = {
        "code": booking.code,
        "starts_at": booking.starts_at.isoformat(),
        "units": booking.units,
    }
    if request.extra_offers:
        data["services"] = [o.service.slug for o in (request.offer, *request.extra_offers)]
    # The town by id: no query and no instance on the hot path.
    return audit.entry(
        action, booking, actor=request.actor, municipality_id=booking.municipality_id, data=data
    )


def _mail_task(request: HoldRequest, booking: Booking):
    """The e-mail a new booking sends: the confirm link for a hold, else the confirmation."""
    if not request.notify:
        return None
    if not request.confirmed:
        return tasks.send_hold_link
    return tasks.send_confirmation if booking.email else None


def _store(request: HoldRequest, booking: Booking, k: int) -> bool:
    """Take the units and write booking, audit entry and e-mail together; False if taken.

    A combined appointment (ADR 0026) takes its summed units with the same guarded
    statement and writes its parts in the same transaction: all or nothing.
    """
    if not request.extra_offers:
        return _store_one(request, booking, k)
    with transaction.atomic():
        if not _store_one(request, booking, k):
            return False
        BookingPart.objects.bulk_create(
            BookingPart(
                booking=booking,
                offer=extra,
                service_id=extra.service_id,
                units=extra.units_for(request.persons),
            )
            for extra in request.extra_offers
        )
    return True


def _check_extra_limits(request: HoldRequest, key: str) -> None:
    """ "One active appointment per person and service" for the further services.

    The first service's limit is the unique index on ``limit_key``; the further
    services are checked here, before the units are taken (ADR 0026: a check, not a
    constraint, so two parallel combined bookings of one person could both pass).
    """
    limited = [o.service_id for o in request.extra_offers if o.one_per_person]
    if not key or not limited:
        return
    active = Booking.objects.filter(person_key=key, status__in=ACTIVE_STATES)
    if (
        active.filter(service_id__in=limited).exists()
        or BookingPart.objects.filter(service_id__in=limited, booking__in=active).exists()
    ):
        raise _already_booked()


def _store_one(request: HoldRequest, booking: Booking, k: int) -> bool:
    entry = _audit_entry(request, booking)
    task = _mail_task(request, booking)
    walk_in_share, visible_at = _limits(
        request.effective_offer, staff=request.staff, ignore_release=request.ignore_release
    )
    if connection.vendor == "postgresql":
        return one_statement.store_hold(
            booking, entry, task, units=k, walk_in_share=walk_in_share, visible_at=visible_at
        )
    with transaction.atomic():
        ends_at = _take_units(
            request.effective_offer,
            request.starts_at,
            k,
            staff=request.staff,
            ignore_release=request.ignore_release,
        )
        if ends_at is None:
            transaction.set_rollback(True)
            return False
        booking.ends_at = ends_at
        booking.save(force_insert=True)
        entry.object_id = str(booking.pk)
        entry.save(force_insert=True)
        if task is not None:
            _send_later(task, booking.pk)
    return True


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


def _by_idempotency_key(offer: Offer, idempotency_key: str | None) -> Booking | None:
    if not idempotency_key:
        return None
    return Booking.objects.filter(
        municipality_id=offer.municipality_id, idempotency_key=idempotency_key
    ).first()


def _after_integrity_error(offer, idempotency_key, key) -> Booking:
    """A unique constraint fired: a parallel double submit, or a second active booking."""
    existing = _by_idempotency_key(offer, idempotency_key)
    if existing:
        return existing
    raise _already_booked()


def _already_booked() -> BookingError:
    return BookingError(
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


def _end(
    booking: Booking, status: str, allowed, *, actor=None, reason: str = "", cooldown=None
) -> bool:
    """Move an active booking to a final state and give its units back; False if not active.

    With a ``cooldown`` (a timedelta) the units stay taken until it has passed
    (``return_cooled_down_units``), so an appointment can't be handed on by
    cancel-and-rebook. Freed units go to the waiting list first (on commit).
    """
    now = timezone.now()
    return_at = now + cooldown if cooldown else None
    with transaction.atomic():
        changed = Booking.objects.filter(pk=booking.pk, status__in=allowed).update(
            status=status,
            cancelled_at=now,
            cancel_reason=reason[:200],
            hold_expires_at=None,
            units_return_at=return_at,
            # The iCalendar SEQUENCE: a cancellation must supersede the invitation.
            revision=F("revision") + 1,
        )
        if not changed:
            return False
        booking.refresh_from_db()
        if return_at is None:
            _release_units(booking)
            # After the commit; a listener's failure (waiting list) is logged, not a 500.
            hooks.freed_on_commit(booking.pk)
        _audit(
            f"appointments.{status}",
            booking,
            actor=actor,
            data={"reason": reason, "units_return_at": return_at and return_at.isoformat()},
        )
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
    done = _end(
        booking,
        BookingStatus.CANCELLED,
        allowed,
        actor=actor,
        reason=reason,
        cooldown=cancel_cooldown(booking, actor),
    )
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
        offer = combined.for_booking(current)  # a combined appointment moves as a whole
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
            old_fee = current.fee
            current.fee = offer.extended_fee if win.fee_applies(new_start) else None
            refund = _refund_change(current, old_fee)
            current.save(
                update_fields=[
                    "starts_at",
                    "ends_at",
                    "revision",
                    "reminder_sent_at",
                    "fee",
                    "fee_refund_due",
                ]
            )
            _audit(
                "appointments.rebooked",
                current,
                actor=actor,
                data={"from": old_start.isoformat(), "to": new_start.isoformat()},
            )
            if refund:
                _audit(refund, current, actor=actor, data={"amount": str(old_fee)})
            if current.status == BookingStatus.CONFIRMED and current.email:
                _send_later(tasks.send_confirmation, current.pk)
    if error:
        raise taken_error(offer, new_start, current.persons, staff=staff)
    return current


def _refund_change(booking: Booking, old_fee) -> str | None:
    """After a rebooking: a paid fee the new date no longer asks for is due for refund
    (ADR 0034); moved back to a date with the same fee, nothing is due any more. Returns
    the audit action, or None when nothing changed."""
    if booking.fee_paid_at is None or booking.fee_refunded_at is not None:
        return None
    if booking.fee is None and old_fee is not None and booking.fee_refund_due is None:
        booking.fee_refund_due = old_fee
        return "appointments.fee_refund_due"
    if booking.fee is not None and booking.fee_refund_due is not None:
        booking.fee_refund_due = None
        return "appointments.fee_refund_withdrawn"
    return None


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
            extra_offers=combined.parts_of(combined.for_booking(locked))[1:],
        )
        locked.replacement = new
        locked.save(update_fields=["replacement"])
    return new
