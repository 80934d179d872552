"""Staff search keeps names out of URLs (POST) and every read of a booking is audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rathaus.appointments.models import Booking
from rathaus.core.models import AuditEntry, Role

from ..conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(offer_a):
    start = timezone.now() + timedelta(days=2)
    return Booking.objects.create(
        municipality_id=offer_a.municipality_id,
        offer=offer_a,
        service_id=offer_a.service_id,
        resource_id=offer_a.resource_id,
        starts_at=start,
        ends_at=start + timedelta(minutes=20),
        status="confirmed",
        name="Anna Beispiel",
        email="anna@example.org",
        code="SEARCH22",
    )


def test_search_by_post_is_audited_without_the_search_text(client_a, town_a, booking):
    client_a.force_login(make_staff(town_a, "termine@a.test", Role.APPOINTMENT_MANAGER))
    assert "SEARCH22" not in client_a.get("/termine/verwaltung/suche/?q=Anna").content.decode()
    page = client_a.get("/termine/verwaltung/suche/").content.decode()
    assert 'method="post"' in page
    found = client_a.post("/termine/verwaltung/suche/", {"q": "Anna"}).content.decode()
    assert "SEARCH22" in found
    entry = AuditEntry.objects.get(action="appointments.staff_search")
    assert entry.actor.email == "termine@a.test" and entry.data["bookings"] == [booking.pk]
    assert "Anna" not in str(entry.data)


def test_opening_a_booking_is_audited(client_a, town_a, booking):
    client_a.force_login(make_staff(town_a, "termine@a.test", Role.APPOINTMENT_MANAGER))
    assert client_a.get("/termine/verwaltung/termin/SEARCH22/").status_code == 200
    entry = AuditEntry.objects.get(action="appointments.booking_viewed")
    assert entry.object_id == str(booking.pk)
