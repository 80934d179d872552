"""Fixtures of the Vor-Ort tests: town A's location with two groups, two counters, a booking."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from rathaus.appointments.models import Booking, BookingStatus
from rathaus.core.models import Location, Role
from rathaus.onsite.models import Counter, QueueRules, ServiceGroup
from tests.appointments.conftest import make_offer, make_service
from tests.conftest import make_staff


@pytest.fixture(autouse=True)
def _any_device_is_a_kiosk(settings):
    """Most tests post to the kiosk directly; test_kiosk_device.py checks the activation."""
    settings.ONSITE_KIOSK_DEVICE_REQUIRED = False
    # Tests run at any hour; test_queue.py checks the opening-hours rule with fixed times.
    settings.ONSITE_DRAW_ONLY_WHEN_OPEN = False
    cache.clear()  # kiosk nonces and rate limits must not leak between tests


@pytest.fixture
def location_a(town_a):
    return Location.objects.for_municipality(town_a).get(slug="a-mitte")


@pytest.fixture
def service_a(town_a):
    return make_service(town_a)


@pytest.fixture
def offer_a(town_a, service_a):
    return make_offer(town_a, service_a)


@pytest.fixture
def groups(town_a, location_a, service_a):
    ausweis = ServiceGroup.objects.create(
        municipality=town_a,
        location=location_a,
        slug="ausweise",
        name="Ausweise",
        name_en="ID cards",
        prefix="A",
        daily_contingent=3,
        default_minutes=10,
    )
    ausweis.services.add(service_a)
    melden = ServiceGroup.objects.create(
        municipality=town_a,
        location=location_a,
        slug="melden",
        name="Melden",
        prefix="M",
        daily_contingent=10,
        default_minutes=6,
    )
    return ausweis, melden


@pytest.fixture
def rules(town_a, location_a):
    return QueueRules.objects.create(
        municipality=town_a,
        location=location_a,
        appointments_per_walk_in=2,
        max_walk_in_wait_minutes=45,
        on_time_minutes=10,
        max_calls=3,
    )


@pytest.fixture
def counters(town_a, location_a):
    return [
        Counter.objects.create(
            municipality=town_a, location=location_a, number=n, name=f"Schalter {n}"
        )
        for n in (1, 2)
    ]


@pytest.fixture
def clerk_a(town_a, location_a):
    return make_staff(town_a, "clerk@a.test", Role.CLERK, office=location_a.office)


def make_booking(offer, starts_at, *, status=BookingStatus.CONFIRMED, code="ABCD2345"):
    return Booking.objects.create(
        municipality_id=offer.municipality_id,
        offer=offer,
        service_id=offer.service_id,
        resource_id=offer.resource_id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=20),
        units=2,
        status=status,
        name="Erika Mustermann",
        email="erika@example.org",
        person_key="erika@example.org",
        code=code,
        confirmed_at=timezone.now() - timedelta(days=3),
    )


@pytest.fixture
def booking_today(offer_a):
    return make_booking(offer_a, timezone.now() + timedelta(minutes=5))
