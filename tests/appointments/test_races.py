"""Real concurrency on PostgreSQL: 50 threads, each with its own connection.

The last free unit is given exactly once, a hold is confirmed exactly once, and
of 50 rebookings onto the last free unit exactly one succeeds.
"""

import threading
from datetime import time, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from rathaus.appointments import capacity, services
from rathaus.appointments.models import AvailabilityRule, Booking, BookingStatus, Offer, Resource
from rathaus.core.models import AuditEntry, Location

from .conftest import at, make_service

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PARALLEL = 50


def run_parallel(worker, count=PARALLEL):
    """Start ``count`` threads at the same moment; collect their results or errors."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(index):
        try:
            barrier.wait()
            results[index] = ("ok", worker(index))
        except services.BookingError as exc:
            results[index] = ("refused", exc.reason)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[index] = ("error", repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = [r for r in results if r[0] == "error"]
    assert not errors, errors
    return results


@pytest.fixture
def tight_offer(town_a):
    """One unit at 09:00 with one place, and 50 places at 10:00."""
    location = Location.objects.for_municipality(town_a).first()
    resource = Resource.objects.create(
        municipality=town_a, location=location, slug="eng", name="Ein Schalter"
    )
    since = timezone.localdate() - timedelta(days=1)
    for start, end, counters in ((time(9), time(9, 10), 1), (time(10), time(10, 10), PARALLEL)):
        AvailabilityRule.objects.create(
            resource=resource,
            weekdays=list(range(7)),
            start_time=start,
            end_time=end,
            counters=counters,
            unit_minutes=10,
            valid_from=since,
        )
    offer = Offer.objects.create(
        municipality=town_a,
        service=make_service(town_a),
        resource=resource,
        duration_units=1,
        lead_time_hours=0,
        horizon_days=14,
    )
    capacity.materialise(resource)
    return offer


def test_fifty_holds_on_the_last_unit_give_one_booking(tight_offer, day):
    results = run_parallel(
        lambda i: (
            services.hold(tight_offer, at(day, 9), name=f"Person {i}", email=f"p{i}@example.org").pk
        )
    )
    assert sum(1 for r in results if r[0] == "ok") == 1
    assert all(r[1] == "taken" for r in results if r[0] == "refused")
    assert Booking.objects.filter(starts_at=at(day, 9)).count() == 1
    slot = tight_offer.resource.slots.get(starts_at=at(day, 9))
    assert (slot.capacity, slot.booked) == (1, 1)


def test_fifty_confirms_of_one_hold_confirm_once(tight_offer, day):
    booking = services.hold(tight_offer, at(day, 9), name="Erika", email="erika@example.org")
    mail.outbox.clear()
    results = run_parallel(lambda i: services.confirm(Booking.objects.get(pk=booking.pk)))
    assert [r[1] for r in results].count(True) == 1
    assert [r[1] for r in results].count(False) == PARALLEL - 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert AuditEntry.objects.filter(action="appointments.confirmed").count() == 1
    assert len([m for m in mail.outbox if "Terminbestätigung" in m.subject]) == 1


def test_fifty_rebooks_onto_the_last_unit_move_one(tight_offer, day):
    bookings = [
        services.hold(tight_offer, at(day, 10), name=f"P{i}", email=f"p{i}@example.org")
        for i in range(PARALLEL)
    ]
    for booking in bookings:
        services.confirm(booking)
    results = run_parallel(lambda i: services.rebook(bookings[i], at(day, 9)).pk)
    assert sum(1 for r in results if r[0] == "ok") == 1
    assert Booking.objects.filter(starts_at=at(day, 9)).count() == 1
    assert Booking.objects.filter(starts_at=at(day, 10)).count() == PARALLEL - 1
    slots = {s.starts_at: s.booked for s in tight_offer.resource.slots.filter(starts_at__date=day)}
    assert slots[at(day, 9)] == 1 and slots[at(day, 10)] == PARALLEL - 1
