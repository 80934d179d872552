"""Demo data for Vor-Ort: kiosk groups, counters, a running day and two months of history.

History is simulated, not drawn at random: walk-ins arrive during the
Kontingentsprechstunde and the morning, are served first-come-first-served by the
counters set aside for them, and the waits follow from that. Lead-time snapshots
cover ~3 months with the booking horizon changing from 42 to 14 days 45 days ago
(seed 003), so the committee report shows a real before/after. Idempotent: history
is only created when the municipality has no tickets yet.
"""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from rathaus.appointments.models import Booking, BookingStatus, Offer
from rathaus.catalog.models import Service
from rathaus.core.models import Location
from rathaus.core.opening import holiday_name

from . import services
from .models import Counter, CounterSession, LeadTimeSnapshot, QueueRules, ServiceGroup, Ticket

GROUPS = [
    # slug, name, English, prefix, contingent, default minutes, services
    (
        "ausweise",
        "Ausweise und Pässe",
        "ID cards and passports",
        "A",
        40,
        12,
        [
            "personalausweis-beantragen",
            "reisepass-beantragen",
            "kinderreisepass-beantragen",
            "vorlaeufigen-personalausweis-beantragen",
            "online-ausweisfunktion",
        ],
    ),
    (
        "melden",
        "An-, Um- und Abmelden",
        "Registering an address",
        "M",
        40,
        10,
        [
            "wohnsitz-anmelden",
            "wohnsitz-ummelden",
            "wohnsitz-abmelden",
            "meldebescheinigung-beantragen",
        ],
    ),
    (
        "sonstiges",
        "Beglaubigungen und Sonstiges",
        "Certifications and other matters",
        "S",
        25,
        8,
        [
            "fuehrungszeugnis-beantragen",
            "beglaubigung-von-unterschriften-und-dokumenten",
            "lebensbescheinigung-fuer-die-rente",
            "fundsache-melden-oder-abholen",
        ],
    ),
]
LOCATIONS = {"buergerbuero-mitte": 4, "buergerbuero-nord": 3, "buergerbuero-sued": 2}
HISTORY_DAYS = 90
SNAPSHOT_DAYS = 92
HORIZON_CHANGE_DAYS_AGO = 45


def load(municipality):
    if municipality is None:
        return municipality
    rng = random.Random(20240318)
    with transaction.atomic():
        set_up = _set_up(municipality)
        if set_up and not Ticket.objects.for_municipality(municipality).exists():
            for location, groups, counters in set_up:
                _history(rng, location, groups, counters)
                _past_bookings(rng, location)
                _running_day(rng, location, groups, counters)
            _lead_time_history(rng, municipality)
    services.record_lead_times()
    return municipality


def _set_up(municipality):
    by_slug = {s.slug: s for s in Service.objects.for_municipality(municipality)}
    result = []
    for slug, counters in LOCATIONS.items():
        location = Location.objects.for_municipality(municipality).filter(slug=slug).first()
        if location is None:
            continue
        QueueRules.objects.get_or_create(
            municipality=municipality, location=location, defaults={"max_calls": 3}
        )
        groups = []
        for position, (gslug, name, name_en, prefix, contingent, minutes, slugs) in enumerate(
            GROUPS
        ):
            group, _ = ServiceGroup.objects.update_or_create(
                municipality=municipality,
                location=location,
                slug=gslug,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "prefix": prefix,
                    "daily_contingent": contingent,
                    "default_minutes": minutes,
                    "position": position,
                },
            )
            group.services.set([by_slug[s] for s in slugs if s in by_slug])
            groups.append(group)
        desks = []
        for number in range(1, counters + 1):
            desk, _ = Counter.objects.get_or_create(
                municipality=municipality,
                location=location,
                number=number,
                defaults={"name": f"Schalter {number}"},
            )
            desks.append(desk)
        result.append((location, groups, desks))
    return result


def _at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _workdays(location, first, last):
    day = first
    while day <= last:
        if day.weekday() < 5 and not holiday_name(location.municipality, day):
            yield day
        day += timedelta(days=1)


def _service_minutes(rng, group) -> float:
    return max(3.0, rng.lognormvariate(0, 0.35) * group.default_minutes)


def _history(rng, location, groups, counters):
    """Simulate walk-ins (FIFO at the walk-in counters) and sessions of the past weeks."""
    today = timezone.localdate()
    change = today - timedelta(days=HORIZON_CHANGE_DAYS_AGO)
    tickets, handled, sessions = [], [], []
    # One query per group, not one per simulated ticket (thousands of them).
    services_of = {group.pk: list(group.services.all()) for group in groups}
    by_service = {s.pk: g for g in groups for s in services_of[g.pk]}
    for day in _workdays(location, today - timedelta(days=HISTORY_DAYS), today - timedelta(days=1)):
        # Before the change more people came without an appointment (calendar booked out).
        busy = 1.45 if day < change else 1.0
        arrivals = sorted(
            _at(day, 7, 50) + timedelta(minutes=rng.uniform(0, 190))
            for _ in range(int(rng.randint(8, 12) * len(counters) * busy / 2))
        )
        walk_in_counters = counters[: max(1, len(counters) // 2)]
        free_at = {c.pk: _at(day, 8) for c in walk_in_counters}
        numbers: dict[str, int] = {}
        for arrived in arrivals:
            group = rng.choices(groups, weights=[5, 4, 2])[0]
            counter_pk = min(free_at, key=free_at.get)
            called = max(arrived + timedelta(minutes=1), free_at[counter_pk])
            minutes = _service_minutes(rng, group)
            missed = rng.random() < 0.04
            finished = called + timedelta(minutes=2 if missed else minutes)
            free_at[counter_pk] = finished + timedelta(minutes=1)
            numbers[group.prefix] = numbers.get(group.prefix, 0) + 1
            ticket = Ticket(
                municipality_id=location.municipality_id,
                location=location,
                group=group,
                kind=Ticket.Kind.WALK_IN,
                day=day,
                prefix=group.prefix,
                number=numbers[group.prefix],
                status="missed" if missed else "done",
                created_at=arrived,
                first_called_at=called,
                last_called_at=called + timedelta(minutes=1 if missed else 0),
                call_count=3 if missed else 1,
                counter_id=counter_pk,
                service_started_at=called,
                finished_at=finished,
            )
            tickets.append(ticket)
            if not missed:
                handled.append((ticket, rng.choice(services_of[group.pk] or [None])))
        tickets += _appointment_tickets(rng, location, by_service, counters, day)
        for counter in counters:
            sessions.append(
                CounterSession(
                    counter=counter, opened_at=_at(day, 7, 55), closed_at=_at(day, 13, 5)
                )
            )
    Ticket.objects.bulk_create(tickets, batch_size=500)
    Through = Ticket.services_handled.through
    Through.objects.bulk_create(
        [Through(ticket_id=t.pk, service_id=s.pk) for t, s in handled if s is not None and t.pk],
        batch_size=500,
    )
    CounterSession.objects.bulk_create(sessions, batch_size=500)


def _appointment_tickets(rng, location, by_service, counters, day):
    """Check-ins of the appointment demo's past bookings (they exist for two weeks)."""
    bookings = Booking.objects.filter(
        resource__location=location,
        starts_at__gte=_at(day, 0),
        starts_at__lt=_at(day + timedelta(days=1), 0),
        status=BookingStatus.DONE,
    )
    result = []
    for number, booking in enumerate(bookings.order_by("starts_at"), start=1):
        called = booking.starts_at + timedelta(minutes=rng.randint(0, 6))
        result.append(
            Ticket(
                municipality_id=location.municipality_id,
                location=location,
                group=by_service.get(booking.service_id),
                kind=Ticket.Kind.APPOINTMENT,
                day=day,
                prefix="T",
                number=number,
                status="done",
                booking=booking,
                appointment_at=booking.starts_at,
                created_at=booking.starts_at - timedelta(minutes=rng.randint(2, 15)),
                first_called_at=called,
                last_called_at=called,
                call_count=1,
                counter=rng.choice(counters),
                service_started_at=called,
                finished_at=max(called + timedelta(minutes=4), booking.ends_at),
            )
        )
    return result


def _past_bookings(rng, location):
    """Bookings of the weeks before the appointment demo's own two weeks, for the report."""
    offers = list(Offer.objects.filter(resource__location=location, resource__kind="counters"))
    if not offers:
        return
    today = timezone.localdate()
    change = today - timedelta(days=HORIZON_CHANGE_DAYS_AGO)
    first_demo_day = today - timedelta(days=14)
    rows = []
    for day in _workdays(
        location, today - timedelta(days=SNAPSHOT_DAYS), first_demo_day - timedelta(days=1)
    ):
        before = day < change
        for _ in range(rng.randint(28, 40)):
            offer = rng.choice(offers)
            starts = _at(day, 9) + timedelta(minutes=10 * rng.randint(0, 36))
            roll = rng.random()
            # A six-week horizon means more forgotten and cancelled appointments.
            if roll < (0.11 if before else 0.07):
                status = BookingStatus.CANCELLED
            elif roll < (0.24 if before else 0.13):
                status = BookingStatus.NO_SHOW
            else:
                status = BookingStatus.DONE
            lead = rng.randint(20, 42) if before else rng.randint(1, 14)
            rows.append(
                Booking(
                    municipality_id=location.municipality_id,
                    offer=offer,
                    service_id=offer.service_id,
                    resource_id=offer.resource_id,
                    starts_at=starts,
                    ends_at=starts + timedelta(minutes=10 * offer.duration_units),
                    units=offer.duration_units,
                    status=status,
                    name="",
                    confirmed_at=starts - timedelta(days=lead),
                    cancelled_at=starts - timedelta(days=1) if status == "cancelled" else None,
                    finished_at=starts + timedelta(minutes=10 * offer.duration_units)
                    if status == "done"
                    else None,
                )
            )
    Booking.objects.bulk_create(rows, batch_size=500)


def _running_day(rng, location, groups, counters):
    """Today: counters open, some tickets done, two being served, a queue waiting."""
    now = timezone.now()
    today = timezone.localdate()
    open_counters = counters[: max(2, len(counters) - 1)]
    for counter in open_counters:
        Counter.objects.filter(pk=counter.pk).update(opened_at=now - timedelta(hours=2))
        CounterSession.objects.create(counter=counter, opened_at=now - timedelta(hours=2))
    numbers: dict[str, int] = {}
    start = now - timedelta(minutes=110)
    for i in range(18):
        group = rng.choices(groups, weights=[5, 4, 2])[0]
        numbers[group.prefix] = numbers.get(group.prefix, 0) + 1
        created = start + timedelta(minutes=6 * i)
        ticket = Ticket.objects.create(
            municipality_id=location.municipality_id,
            location=location,
            group=group,
            kind=Ticket.Kind.WALK_IN,
            day=today,
            prefix=group.prefix,
            number=numbers[group.prefix],
            created_at=created,
        )
        if i < 10:  # finished earlier today
            called = created + timedelta(minutes=rng.randint(8, 20))
            Ticket.objects.filter(pk=ticket.pk).update(
                status="done",
                counter=rng.choice(open_counters),
                first_called_at=called,
                last_called_at=called,
                call_count=1,
                service_started_at=called,
                finished_at=called + timedelta(minutes=_service_minutes(rng, group)),
            )
            first_service = group.services.first()
            if first_service:
                ticket.services_handled.add(first_service)
        elif i < 10 + len(open_counters):  # being served now
            counter = open_counters[i - 10]
            called = now - timedelta(minutes=rng.randint(1, 6))
            Ticket.objects.filter(pk=ticket.pk).update(
                status="called",
                counter=counter,
                first_called_at=called,
                last_called_at=called,
                call_count=1,
                service_started_at=called,
            )


def _lead_time_history(rng, municipality):
    """Daily lead-time values for ~3 months: 42-day horizon first, then 14 days (seed 003)."""
    today = timezone.localdate()
    offers = (
        Offer.objects.for_municipality(municipality)
        .filter(resource__location__slug__in=list(LOCATIONS))
        .select_related("resource")
    )
    rows = []
    for offer in offers:
        for ago in range(SNAPSHOT_DAYS, 0, -1):
            day = today - timedelta(days=ago)
            before = ago > HORIZON_CHANGE_DAYS_AGO
            horizon = 42 if before else 14
            lead = rng.uniform(22, 38) if before else rng.uniform(2.5, 9)
            rows.append(
                LeadTimeSnapshot(
                    municipality=municipality,
                    day=day,
                    location_id=offer.resource.location_id,
                    service_id=offer.service_id,
                    horizon_days=horizon,
                    lead_days=Decimal(str(round(lead, 1))),
                )
            )
    LeadTimeSnapshot.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
