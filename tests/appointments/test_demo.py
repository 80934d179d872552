"""The demo loader builds a living calendar and can run twice."""

import pytest

from rathaus.appointments import capacity, demo
from rathaus.appointments.models import Booking, BookingStatus, Offer, Resource
from rathaus.catalog.models import Service, Topic
from rathaus.core import demo as core_demo
from rathaus.core.models import Office

pytestmark = pytest.mark.django_db

SLUGS = {
    "personalausweis-beantragen": "buergerservice",
    "wohnsitz-anmelden": "buergerservice",
    "trautermin-reservieren": "standesamt",
    "kita-platz-suchen-und-kita-beratung": "jugendamt",
}


def test_demo_loads_offers_capacity_and_bookings():
    town = core_demo.load(None)
    topic = Topic.objects.create(slug="t", name="T")
    for slug, office in SLUGS.items():
        Service.objects.create(
            municipality=town,
            slug=slug,
            name=slug,
            summary="-",
            topic=topic,
            office=Office.objects.get(municipality=town, slug=office),
        )
    demo.load(town)
    demo.load(town)  # idempotent
    assert Resource.objects.for_municipality(town).filter(kind="room").count() == 2
    assert Offer.objects.for_municipality(town).count() == 3 * 2 + 2 + 1  # Bürgerbüros, rooms, Kita
    assert Booking.objects.filter(status=BookingStatus.DONE).exists()
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).exists()
    offer = Offer.objects.get(resource__slug="bb-mitte", service__slug="wohnsitz-anmelden")
    assert capacity.earliest_anywhere([offer], 1)  # still something free
