"""The waiting room's write path: draw a number, check in, counters, call, finish.

"Call next" locks candidate tickets with ``SELECT … FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so two counters calling at the same moment take different tickets,
and the state change itself is a guarded UPDATE (``WHERE status='waiting'``).
On SQLite writers are serialised by ``BEGIN IMMEDIATE`` (single process).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.appointments.models import BookingStatus
from rathaus.appointments.services import mark as mark_booking
from rathaus.appointments.services.onsite import booking_by_code, code_from_scan
from rathaus.core import audit, walkin
from rathaus.core.opening import day_schedule

from ..models import Counter, CounterSession, QueueRules, ServiceGroup, Ticket, TicketStatus

APPOINTMENT_PREFIX = "T"


class QueueError(Exception):
    def __init__(self, message: str, reason: str = "invalid", next_walk_in=None):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.next_walk_in = next_walk_in


def rules_for(location) -> QueueRules:
    rules = QueueRules.objects.filter(location=location).first()
    return rules or QueueRules(location=location, municipality_id=location.municipality_id)


def next_walk_in_hours(location, after: datetime | None = None):
    """The next walk-in window from tomorrow on: (date, window) or None.

    Read from ``core.walkin`` like every other page: only published walk-in hours,
    never the general (appointment) opening hours.
    """
    now = timezone.localtime(after or timezone.now())
    tomorrow = timezone.make_aware(datetime.combine(now.date() + timedelta(days=1), time.min))
    return walkin.next_window(location, tomorrow - timedelta(microseconds=1))


#: Counters still open this long after the location's last window are closed by the job.
CLOSE_COUNTERS_AFTER = timedelta(minutes=60)


def close_counters_after_hours(now: datetime | None = None) -> int:
    """Close counters left open after closing time (they showed "geöffnet" all night).

    A counter stays open while its location is open, for CLOSE_COUNTERS_AFTER after a
    window ends (the last visitors are still served) and before a later window today.
    """
    now = timezone.localtime(now or timezone.now())

    def at(moment):
        return timezone.make_aware(datetime.combine(now.date(), moment))

    closed = 0
    counters = Counter.objects.filter(opened_at__isnull=False).select_related(
        "location__municipality"
    )
    for counter in counters:
        windows = day_schedule(counter.location, now.date()).windows
        if any(now < at(w.closes) + CLOSE_COUNTERS_AFTER for w in windows):
            continue  # open, just closed, or opens later today
        closed += close_counter(counter, actor=None, now=now)
    return closed


def _next_number(location, day, prefix) -> int:
    last = Ticket.objects.filter(location=location, day=day, prefix=prefix).aggregate(
        m=Max("number")
    )["m"]
    return (last or 0) + 1


#: Numbers can be drawn this long before the location opens (people queue at the door).
EARLY_DRAW = timedelta(minutes=30)


def check_open(location, now: datetime) -> None:
    """Refuse numbers outside today's opening hours (they would never be called)."""
    if not getattr(settings, "ONSITE_DRAW_ONLY_WHEN_OPEN", True):
        return
    local = timezone.localtime(now)
    day = day_schedule(location, local.date())
    if day.windows:
        opens = min(w.opens for w in day.windows)
        closes = max(w.closes for w in day.windows)
        first = timezone.make_aware(datetime.combine(local.date(), opens)) - EARLY_DRAW
        if first <= local and local.time() < closes:
            return
        if local < first:
            raise QueueError(
                _("Wartenummern gibt es heute ab %(time)s Uhr.")
                % {"time": first.strftime("%H:%M")},
                "not_yet",
            )
    raise QueueError(
        _("Heute werden hier keine Wartenummern mehr ausgegeben."),
        "closed_now",
        next_walk_in_hours(location, now),
    )


def draw(group: ServiceGroup, *, now: datetime | None = None) -> Ticket:
    """A walk-in number for ``group``; refused outside opening hours and when today's
    contingent is used up."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    check_open(group.location, now)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                # Serialise draws per group so the contingent holds under concurrency.
                group = ServiceGroup.objects.select_for_update().get(pk=group.pk)
                drawn = Ticket.objects.filter(
                    group=group, day=today, kind=Ticket.Kind.WALK_IN
                ).count()
                if drawn >= group.daily_contingent:
                    raise QueueError(
                        _("Für heute sind alle Wartenummern für „%(group)s“ vergeben.")
                        % {"group": group.name},
                        "contingent",
                        next_walk_in_hours(group.location, now),
                    )
                ticket = Ticket.objects.create(
                    municipality_id=group.municipality_id,
                    location_id=group.location_id,
                    group=group,
                    kind=Ticket.Kind.WALK_IN,
                    day=today,
                    prefix=group.prefix,
                    number=_next_number(group.location_id, today, group.prefix),
                    created_at=now,
                )
                audit.record("onsite.drawn", ticket, data={"label": ticket.label})
                return ticket
        except IntegrityError:
            continue
    raise QueueError(_("Bitte versuchen Sie es noch einmal."), "busy")


def check_in(location, text: str, *, now: datetime | None = None) -> Ticket:
    """Check in with a booking code or the QR content; idempotent for the same booking."""
    now = now or timezone.now()
    code = code_from_scan(text)
    booking = booking_by_code(location.municipality, code) if code else None
    if booking is None or booking.status in (BookingStatus.RESERVED, BookingStatus.EXPIRED):
        raise QueueError(
            _(
                "Zu diesem Buchungscode haben wir keinen Termin gefunden. "
                "Bitte prüfen Sie den Code."
            ),
            "not_found",
        )
    if booking.resource.location_id != location.pk:
        raise QueueError(
            _("Ihr Termin ist an einem anderen Standort: %(place)s.")
            % {"place": booking.resource.location.name},
            "other_location",
        )
    existing = Ticket.objects.filter(booking=booking).first()
    if existing:
        return existing
    local_day = timezone.localdate(booking.starts_at)
    if local_day != timezone.localdate(now) or booking.status != BookingStatus.CONFIRMED:
        raise QueueError(
            _(
                "Ihr Termin ist am %(day)s um %(time)s Uhr. "
                "Eine Anmeldung ist nur am Termintag möglich."
            )
            % {
                "day": local_day.strftime("%d.%m.%Y"),
                "time": timezone.localtime(booking.starts_at).strftime("%H:%M"),
            }
            if booking.status == BookingStatus.CONFIRMED
            else _("Dieser Termin ist nicht mehr aktiv."),
            "wrong_day",
        )
    group = ServiceGroup.objects.filter(location=location, services=booking.service_id).first()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                if not mark_booking(booking, BookingStatus.ARRIVED, actor=None):
                    existing = Ticket.objects.filter(booking=booking).first()
                    if existing:
                        return existing
                    raise QueueError(_("Dieser Termin ist nicht mehr aktiv."), "inactive")
                ticket = Ticket.objects.create(
                    municipality_id=location.municipality_id,
                    location=location,
                    group=group,
                    kind=Ticket.Kind.APPOINTMENT,
                    day=timezone.localdate(now),
                    prefix=APPOINTMENT_PREFIX,
                    number=_next_number(location, timezone.localdate(now), APPOINTMENT_PREFIX),
                    booking=booking,
                    appointment_at=booking.starts_at,
                    created_at=now,
                )
                audit.record("onsite.checked_in", ticket, data={"label": ticket.label})
                return ticket
        except IntegrityError:
            existing = Ticket.objects.filter(booking=booking).first()
            if existing:
                return existing
    raise QueueError(_("Bitte versuchen Sie es noch einmal."), "busy")


# --- Counters ----------------------------------------------------------------------


def open_counter(counter: Counter, *, actor, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    with transaction.atomic():
        changed = Counter.objects.filter(pk=counter.pk, opened_at__isnull=True).update(
            opened_at=now, opened_by=actor
        )
        if changed:
            CounterSession.objects.create(counter=counter, opened_at=now)
            audit.record("onsite.counter_opened", counter, actor=actor)
    counter.refresh_from_db()
    return bool(changed)


def close_counter(counter: Counter, *, actor, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    with transaction.atomic():
        changed = Counter.objects.filter(pk=counter.pk, opened_at__isnull=False).update(
            opened_at=None, opened_by=None
        )
        if changed:
            CounterSession.objects.filter(counter=counter, closed_at__isnull=True).update(
                closed_at=now
            )
            audit.record("onsite.counter_closed", counter, actor=actor)
    counter.refresh_from_db()
    return bool(changed)


def current_ticket(counter: Counter) -> Ticket | None:
    return (
        Ticket.objects.filter(counter=counter, status=TicketStatus.CALLED)
        .select_related("group", "booking__service")
        .order_by("-last_called_at")
        .first()
    )


# --- Call next -----------------------------------------------------------------------


def _waiting(counter: Counter, today):
    groups = list(counter.groups.values_list("pk", flat=True))
    waiting = Ticket.objects.filter(
        location_id=counter.location_id, day=today, status=TicketStatus.WAITING
    ).filter(Q(target_counter__isnull=True) | Q(target_counter=counter))
    if groups:
        waiting = waiting.filter(Q(group__in=groups) | Q(target_counter=counter))
    return waiting


def _first_locked(queryset, *order):
    """The first row by ``order`` that no other transaction holds; locked for us."""
    return queryset.select_for_update(skip_locked=True, of=("self",)).order_by(*order).first()


def _appointments_since_walk_in(location_id, today) -> int:
    """How many appointment holders were called in a row since the last walk-in."""
    recent = (
        Ticket.objects.filter(location_id=location_id, day=today, first_called_at__isnull=False)
        .order_by("-first_called_at")
        .values_list("kind", flat=True)[:50]
    )
    streak = 0
    for kind in recent:
        if kind == Ticket.Kind.WALK_IN:
            break
        streak += 1
    return streak


def choose_next(counter: Counter, now: datetime) -> Ticket | None:
    """The fair choice (ADR 0070), inside the caller's transaction, row locked.

    1. a ticket transferred to this counter;
    2. a walk-in who has waited longer than the maximum wait;
    3. an appointment holder who arrived on time and whose time has come, unless
       ``appointments_per_walk_in`` of them were called in a row and walk-ins wait;
    4. the longest-waiting walk-in; then late appointment holders by arrival.
    """
    today = timezone.localdate(now)
    rules = rules_for(counter.location)
    waiting = _waiting(counter, today)
    transferred = _first_locked(waiting.filter(target_counter=counter), "created_at")
    if transferred:
        return transferred
    walk_ins = waiting.filter(kind=Ticket.Kind.WALK_IN, target_counter__isnull=True)
    overdue = now - timedelta(minutes=rules.max_walk_in_wait_minutes)
    ticket = _first_locked(walk_ins.filter(created_at__lte=overdue), "created_at")
    if ticket:
        return ticket
    grace = timedelta(minutes=rules.on_time_minutes)
    appointments = waiting.filter(kind=Ticket.Kind.APPOINTMENT, target_counter__isnull=True)
    # "On time": checked in no later than the grace after the appointment's start.
    on_time = [
        t
        for t in appointments.filter(appointment_at__lte=now + grace).order_by("appointment_at")
        if t.created_at <= t.appointment_at + grace
    ]
    streak = _appointments_since_walk_in(counter.location_id, today)
    walk_ins_waiting = walk_ins.exists()
    if on_time and (streak < rules.appointments_per_walk_in or not walk_ins_waiting):
        ticket = _first_locked(
            appointments.filter(pk__in=[t.pk for t in on_time]), "appointment_at", "created_at"
        )
        if ticket:
            return ticket
    ticket = _first_locked(walk_ins, "created_at")
    if ticket:
        return ticket
    return _first_locked(appointments, "appointment_at", "created_at")


def call_next(counter: Counter, *, actor, now: datetime | None = None) -> Ticket | None:
    """Call the next ticket to ``counter``; None when nobody waits for it."""
    now = now or timezone.now()
    if not counter.is_open:
        raise QueueError(_("Bitte öffnen Sie zuerst den Schalter."), "closed")
    if current_ticket(counter):
        raise QueueError(_("Bitte schließen Sie zuerst den aktuellen Vorgang ab."), "busy_counter")
    for _attempt in range(5):
        with transaction.atomic():
            ticket = choose_next(counter, now)
            if ticket is None:
                return None
            taken = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.WAITING).update(
                status=TicketStatus.CALLED,
                counter=counter,
                target_counter=None,
                call_count=1,
                first_called_at=ticket.first_called_at or now,
                last_called_at=now,
                service_started_at=now,
            )
            if not taken:
                continue
            ticket.refresh_from_db()
            if ticket.booking_id:
                mark_booking(ticket.booking, BookingStatus.CALLED, actor=actor)
            audit.record("onsite.called", ticket, actor=actor, data={"counter": counter.name})
            return ticket
    return None


def _own(counter: Counter, ticket: Ticket) -> None:
    """The ticket (re-read, so a stale copy cannot act) is open at ``counter``."""
    ticket.refresh_from_db()
    if ticket.counter_id != counter.pk or ticket.status != TicketStatus.CALLED:
        raise QueueError(_("Dieser Vorgang ist an diesem Schalter nicht offen."), "not_here")


def recall(counter: Counter, ticket: Ticket, *, actor, now=None) -> Ticket:
    now = now or timezone.now()
    _own(counter, ticket)
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.CALLED).update(
            call_count=ticket.call_count + 1, last_called_at=now
        )
        audit.record("onsite.recalled", ticket, actor=actor)
    ticket.refresh_from_db()
    return ticket


def mark_missed(counter: Counter, ticket: Ticket, *, actor, now=None) -> Ticket:
    now = now or timezone.now()
    _own(counter, ticket)
    rules = rules_for(counter.location)
    if ticket.call_count < rules.max_calls:
        raise QueueError(
            _("„Nicht erschienen“ ist erst nach %(n)s Aufrufen möglich.") % {"n": rules.max_calls},
            "too_early",
        )
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.CALLED).update(
            status=TicketStatus.MISSED, finished_at=now
        )
        if ticket.booking_id:
            mark_booking(ticket.booking, BookingStatus.NO_SHOW, actor=actor)
        audit.record("onsite.missed", ticket, actor=actor)
    ticket.refresh_from_db()
    return ticket


def transfer(counter: Counter, ticket: Ticket, *, actor, to_counter=None, to_group=None) -> Ticket:
    """Back into the queue for another counter or another service group; keeps its place."""
    _own(counter, ticket)
    if (to_counter is None) == (to_group is None):
        raise QueueError(_("Bitte einen Schalter oder eine Anliegengruppe wählen."), "target")
    for target in (to_counter, to_group):
        if target is not None and target.location_id != counter.location_id:
            raise QueueError(_("Das Ziel gehört nicht zu diesem Standort."), "target")
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.CALLED).update(
            status=TicketStatus.WAITING,
            counter=None,
            target_counter=to_counter,
            group=to_group or ticket.group,
            service_started_at=None,
        )
        audit.record(
            "onsite.transferred",
            ticket,
            actor=actor,
            data={
                "counter": getattr(to_counter, "name", None),
                "group": getattr(to_group, "slug", None),
            },
        )
    ticket.refresh_from_db()
    return ticket


def finish(counter: Counter, ticket: Ticket, services, *, actor, now=None) -> Ticket:
    """Done, with the catalog services actually handled (at least one)."""
    now = now or timezone.now()
    _own(counter, ticket)
    services = list(services)
    if not services:
        raise QueueError(_("Bitte wählen Sie mindestens eine erledigte Leistung."), "services")
    with transaction.atomic():
        changed = Ticket.objects.filter(pk=ticket.pk, status=TicketStatus.CALLED).update(
            status=TicketStatus.DONE, finished_at=now
        )
        if changed:
            ticket.services_handled.set(services)
            if ticket.booking_id:
                mark_booking(ticket.booking, BookingStatus.DONE, actor=actor)
            audit.record(
                "onsite.finished",
                ticket,
                actor=actor,
                data={"services": [s.slug for s in services]},
            )
    ticket.refresh_from_db()
    return ticket
