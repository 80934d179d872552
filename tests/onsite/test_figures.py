"""Estimate, figures, lead-time snapshots and retention."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rathaus.appointments.models import Booking, BookingStatus
from rathaus.appointments.services import retention as appointments_retention
from rathaus.onsite import figures, services
from rathaus.onsite.models import LeadTimeSnapshot, Ticket, TicketStatus

from .conftest import make_booking

pytestmark = pytest.mark.django_db


def _done_ticket(group, minutes, *, days_ago=1, wait=10, number=1):
    now = timezone.now() - timedelta(days=days_ago)
    return Ticket.objects.create(
        municipality_id=group.municipality_id,
        location_id=group.location_id,
        group=group,
        kind=Ticket.Kind.WALK_IN,
        day=timezone.localdate(now),
        prefix=group.prefix,
        number=number,
        status=TicketStatus.DONE,
        created_at=now - timedelta(minutes=wait),
        first_called_at=now,
        service_started_at=now,
        finished_at=now + timedelta(minutes=minutes),
    )


def test_estimate_none_without_open_counter(location_a, groups, counters):
    services.draw(groups[0])
    assert services.estimated_wait(location_a) is None


def test_estimate_uses_default_then_recent_processing_times(location_a, groups, counters):
    ausweis, _ = groups
    for _ in range(3):
        services.draw(ausweis)
    services.open_counter(counters[0], actor=None)
    # Fewer than five finished tickets: the group's default of 10 minutes × 3 ahead.
    assert services.estimated_wait(location_a, ausweis.services.first()) == 30
    for i in range(6):
        _done_ticket(ausweis, 20, number=100 + i)
    assert services.estimated_wait(location_a, ausweis.services.first()) == 60
    # A second open counter halves it.
    services.open_counter(counters[1], actor=None)
    assert services.estimated_wait(location_a, ausweis.services.first()) == 30
    assert services.rounded(37) == 40


def test_estimate_for_unknown_service_is_none(location_a, groups, counters, town_a):
    from tests.appointments.conftest import make_service

    services.open_counter(counters[0], actor=None)
    other = make_service(town_a, slug="hund", name="Hund anmelden")
    assert services.estimated_wait(location_a, other) is None


def test_percentile_nearest_rank():
    values = list(range(1, 11))
    assert figures.percentile(values, 0.9) == 9
    assert figures.percentile([5.0], 0.9) == 5.0
    assert figures.percentile([], 0.9) is None


def test_figures_count_bookings_and_waits(town_a, location_a, offer_a, groups):
    yesterday = timezone.now() - timedelta(days=1)
    make_booking(offer_a, yesterday, status=BookingStatus.DONE, code="DONE2222")
    make_booking(offer_a, yesterday, status=BookingStatus.NO_SHOW, code="NOSH2222")
    make_booking(offer_a, yesterday, status=BookingStatus.CANCELLED, code="CANC2222")
    for i, wait in enumerate([5, 10, 15, 20, 60]):
        _done_ticket(groups[0], 8, wait=wait, number=i + 1)
    day = timezone.localdate(yesterday)
    result = figures.compute(town_a, day, day, location_a)
    assert (result.bookings, result.done, result.no_show, result.cancelled) == (3, 1, 1, 1)
    assert result.no_show_rate == 50.0
    assert result.walk_ins == 5
    assert result.wait_median == pytest.approx(15)
    assert result.wait_p90 == pytest.approx(60)
    assert result.processing_median == pytest.approx(8)
    by_service = figures.compute(town_a, day, day, location_a, offer_a.service)
    assert (by_service.bookings, by_service.walk_ins) == (3, 5)
    from tests.appointments.conftest import make_service

    unrelated = make_service(town_a, slug="hund-anmelden", name="Hund anmelden")
    assert figures.compute(town_a, day, day, location_a, unrelated).walk_ins == 0


def test_lead_time_job_records_one_row_per_day(town_a, offer_a):
    assert services.record_lead_times() == 1
    assert services.record_lead_times() == 1
    snapshot = LeadTimeSnapshot.objects.get()
    assert snapshot.horizon_days == 21
    assert snapshot.day == timezone.localdate()


def test_retention_anonymises_old_tickets_and_bookings_but_keeps_figures(
    settings, town_a, location_a, offer_a, groups
):
    settings.ONSITE_RETENTION_DAYS = 30
    settings.APPOINTMENTS_RETENTION_DAYS = 30
    old = timezone.now() - timedelta(days=40)
    booking = make_booking(offer_a, old, status=BookingStatus.DONE, code="OLD22222")
    recent = make_booking(
        offer_a, timezone.now() - timedelta(days=2), status=BookingStatus.DONE, code="NEW22222"
    )
    ticket = _done_ticket(groups[0], 8, days_ago=40)
    Ticket.objects.filter(pk=ticket.pk).update(booking=booking)
    day = timezone.localdate(old)
    before = figures.compute(town_a, day, day, location_a)
    assert services.apply_retention() == {"tickets": 1}
    assert appointments_retention.bookings(timezone.now()) == {"closed": 0, "anonymised": 1}
    booking.refresh_from_db()
    ticket.refresh_from_db()
    recent.refresh_from_db()
    assert (booking.name, booking.email, booking.person_key) == ("", "", "")
    assert ticket.booking is None and ticket.anonymised
    assert recent.name == "Erika Mustermann"
    after = figures.compute(town_a, day, day, location_a)
    assert (after.bookings, after.walk_ins, after.wait_median) == (
        before.bookings,
        before.walk_ins,
        before.wait_median,
    )
    # Running it again changes nothing.
    assert services.apply_retention() == {"tickets": 0}
    assert appointments_retention.bookings(timezone.now()) == {"closed": 0, "anonymised": 0}
    assert Booking.objects.filter(name="").count() == 1
