"""Making a service bookable from the town's staff pages (issue 21): counter, weekly
windows from the location's opening hours, offer and unit rows, without the Django
admin; only the town's appointment managers and administrators, only its own
services and locations; hostile input gives form errors, never a 5xx."""

from datetime import time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.appointments import capacity
from rathaus.appointments.models import AvailabilityRule, Offer, Resource, Slot
from rathaus.appointments.services import offers
from rathaus.core.models import AuditEntry, Location, OpeningHours, Role
from rathaus.core.parsing import ParseError
from tests.appointments.conftest import make_offer, make_service
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_a(town_a):
    return make_staff(town_a, "termine@a.test", Role.APPOINTMENT_MANAGER)


@pytest.fixture
def manager_client(manager_a):
    client = Client(HTTP_HOST="a.test")
    client.force_login(manager_a)
    return client


def _data(location, **change):
    data = {
        "locations": [location.pk],
        "duration_minutes": "20",
        "counters": "2",
        "lead_time_hours": "0",
        "horizon_days": "14",
    }
    data.update(change)
    return data


def test_service_becomes_bookable_from_the_opening_hours(manager_client, town_a, service_a):
    location = Location.objects.get(municipality=town_a)  # Mo–Fr 08–16, walk-in 08–09
    url = f"/termine/verwaltung/angebote/{service_a.slug}/"
    page = manager_client.get(url).content.decode()
    assert "Mo, Di, Mi, Do, Fr 08:00–16:00" in page  # the windows it will take
    response = manager_client.post(url, _data(location))
    assert response.status_code == 302, response.content.decode()[:3000]
    offer = Offer.objects.get(service=service_a)
    assert offer.is_active and offer.resource.location == location
    assert (offer.duration_units, offer.lead_time_hours, offer.horizon_days) == (1, 0, 14)
    rule = AvailabilityRule.objects.get(resource=offer.resource)
    assert rule.weekdays == [0, 1, 2, 3, 4] and rule.unit_minutes == 20 and rule.counters == 2
    assert (rule.start_time, rule.end_time) == (time(8), time(16))
    # Units exist: the offer is bookable today + horizon.
    days = {s.starts_at.astimezone(capacity.TZ).date() for s in Slot.objects.filter(capacity=2)}
    assert days and max(days) >= timezone.localdate() + timedelta(days=10)
    assert AuditEntry.objects.filter(action="appointments.offer_saved").exists()
    listing = manager_client.get("/termine/verwaltung/angebote/").content.decode()
    assert service_a.name in listing and location.name in listing
    # The citizen's calendar lists the location.
    public = Client(HTTP_HOST="a.test").get(f"/termine/leistung/{service_a.slug}/")
    assert public.status_code == 200 and location.name in public.content.decode()


def test_existing_counter_keeps_its_rules_and_unit(manager_client, town_a, service_a):
    offer = make_offer(town_a, service_a)  # rules with 10-minute units
    second = make_service(town_a, slug="reisepass", name="Reisepass beantragen")
    location = offer.resource.location
    url = f"/termine/verwaltung/angebote/{second.slug}/"
    response = manager_client.post(url, _data(location, duration_minutes="30"))
    assert response.status_code == 302
    new = Offer.objects.get(service=second)
    assert new.resource == offer.resource and new.duration_units == 3
    assert AvailabilityRule.objects.filter(resource=offer.resource).count() == 2
    # 45 minutes fit 10-minute units? No: a clear message, nothing changed.
    response = manager_client.post(url, _data(location, duration_minutes="45"))
    assert response.status_code == 200
    assert "Vielfaches von 10" in response.content.decode()
    assert Offer.objects.get(service=second).duration_units == 3


def test_refreshing_windows_follows_changed_opening_hours(manager_client, town_a, service_a):
    location = Location.objects.get(municipality=town_a)
    url = f"/termine/verwaltung/angebote/{service_a.slug}/"
    manager_client.post(url, _data(location))
    OpeningHours.objects.filter(location=location, kind="open").update(closes=time(12))
    manager_client.post(url, _data(location, refresh_windows="on"))
    resource = Offer.objects.get(service=service_a).resource
    current = [r for r in resource.rules.all() if r.valid_until is None]
    assert [(r.start_time, r.end_time) for r in current] == [(time(8), time(12))]
    day = timezone.localdate() + timedelta(days=7)
    while day.weekday() > 4:
        day += timedelta(days=1)
    afternoon = Slot.objects.filter(
        resource=resource, starts_at__gte=capacity.local(day, time(13)), capacity__gt=0
    ).filter(starts_at__lt=capacity.local(day, time(16)))
    assert not afternoon.exists()


def test_location_not_chosen_any_more_is_switched_off(manager_client, town_a, service_a):
    location = Location.objects.get(municipality=town_a)
    office = location.office
    second = Location.objects.create(
        municipality=town_a,
        office=office,
        slug="nord",
        name="Bürgerbüro Nord",
        street="Nordweg 1",
        postcode="14999",
        city="A",
    )
    OpeningHours.objects.create(location=second, weekday=2, opens=time(9), closes=time(11))
    url = f"/termine/verwaltung/angebote/{service_a.slug}/"
    response = manager_client.post(url, _data(location, locations=[location.pk, second.pk]))
    assert response.status_code == 302
    assert Offer.objects.filter(service=service_a, is_active=True).count() == 2
    manager_client.post(url, _data(location, locations=[second.pk]))
    active = Offer.objects.filter(service=service_a, is_active=True).get()
    assert active.resource.location == second
    manager_client.post(f"/termine/verwaltung/angebote/{service_a.slug}/beenden/")
    assert not Offer.objects.filter(service=service_a, is_active=True).exists()


def test_location_without_hours_is_refused(manager_client, town_a, service_a):
    location = Location.objects.get(municipality=town_a)
    OpeningHours.objects.filter(location=location, kind="open").delete()
    response = manager_client.post(
        f"/termine/verwaltung/angebote/{service_a.slug}/", _data(location)
    )
    assert response.status_code == 200
    assert "keine Öffnungszeiten mit Termin" in response.content.decode()
    assert not Offer.objects.exists() and not Resource.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"duration_minutes": "7"},
        {"duration_minutes": "²0"},
        {"counters": "²"},
        {"counters": "0"},
        {"counters": "9" * 10_000},
        {"lead_time_hours": "-1"},
        {"horizon_days": "1e3"},
        {"horizon_days": "\x00"},
        {"horizon_days": "🗓"},
        {"locations": []},
        {"locations": ["x"]},
        {"locations": ["99999999999999999999999"]},
    ],
)
def test_hostile_input_gives_form_errors(manager_client, town_a, service_a, change):
    location = Location.objects.get(municipality=town_a)
    url = f"/termine/verwaltung/angebote/{service_a.slug}/"
    response = manager_client.post(url, _data(location, **change))
    assert response.status_code == 200
    assert "Bitte korrigieren Sie Ihre Angaben" in response.content.decode()
    assert not Offer.objects.exists()


def test_other_towns_services_and_locations_stay_out(
    manager_client, town_a, town_b, service_a, admin_a, citizen
):
    other_service = make_service(town_b, slug="fuehrerschein", name="Führerschein")
    other_location = Location.objects.get(municipality=town_b)
    own_location = Location.objects.get(municipality=town_a)
    # Another town's service through this town's address: 404.
    url = f"/termine/verwaltung/angebote/{other_service.slug}/"
    assert manager_client.get(url).status_code == 404
    assert manager_client.post(url, _data(own_location)).status_code == 404
    # Another town's location for an own service: refused by the form (not a choice).
    own = f"/termine/verwaltung/angebote/{service_a.slug}/"
    response = manager_client.post(own, _data(own_location, locations=[other_location.pk]))
    assert response.status_code == 200 and not Offer.objects.exists()
    # The service refuses it too (a direct call).
    with pytest.raises(ParseError):
        offers.make_bookable(service_a, locations=[other_location], duration_minutes=20)
    # Town A's manager on town B's host; a clerk; a citizen; anonymous.
    elsewhere = Client(HTTP_HOST="b.test")
    elsewhere.force_login(admin_a)
    assert elsewhere.get(url).status_code == 403
    assert elsewhere.post(url, _data(other_location)).status_code == 403
    clerk = make_staff(town_a, "clerk@a.test", Role.CLERK)
    for user in (clerk, citizen):
        client = Client(HTTP_HOST="a.test")
        client.force_login(user)
        assert client.get(own).status_code == 403
        assert client.post(own, _data(own_location)).status_code == 403
    anonymous = Client(HTTP_HOST="a.test").get(own)
    assert anonymous.status_code == 302 and "/anmelden/" in anonymous["Location"]
    assert not Offer.objects.exists()
    # The town's administrator may.
    admin = Client(HTTP_HOST="a.test")
    admin.force_login(admin_a)
    assert admin.post(own, _data(own_location)).status_code == 302


def test_overlapping_opening_hours_give_a_message_not_an_error(manager_client, town_a, service_a):
    location = Location.objects.get(municipality=town_a)  # Mo–Fr 08–16
    OpeningHours.objects.create(location=location, weekday=0, opens=time(12), closes=time(18))
    url = f"/termine/verwaltung/angebote/{service_a.slug}/"
    response = manager_client.post(url, _data(location))
    assert response.status_code == 200
    assert "überschneidet sich" in response.content.decode()
    assert not Offer.objects.exists() and not AvailabilityRule.objects.exists()
