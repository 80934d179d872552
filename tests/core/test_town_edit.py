"""Editing a town after onboarding (issue 21): the operator changes name, host names
(the first is the primary), base URL, sender and logo on the operator's host, and the
offices' locations (address, position, weekday hours, closed days); a town's own
administrator edits its own locations. Host changes take effect at once; other towns'
staff, citizens, anonymous visitors and town hosts (for operator pages) stay out;
hostile input gives form errors, never a 5xx."""

from datetime import time, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.core import hosts, onboarding
from rathaus.core.hosts import TownHosts
from rathaus.core.models import (
    AuditEntry,
    Location,
    Municipality,
    MunicipalityHost,
    OpeningException,
    OpeningHours,
    Role,
    User,
)
from rathaus.core.parsing import ParseError
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

LAND = "land.example"
UNKNOWN_TOWN = "Kommune nicht gefunden"


@pytest.fixture(autouse=True)
def _production_hosts(settings):
    """ALLOWED_HOSTS as production has it: the configured operator host and the towns'."""
    settings.ALLOWED_HOSTS = TownHosts([LAND])
    settings.RATHAUS_OPERATOR_HOSTS = [LAND]
    hosts.forget()
    yield
    hosts.forget()


@pytest.fixture
def operator(db):
    return User.objects.create_superuser("betrieb@land.test", "betrieb-123!")


@pytest.fixture
def land_client(operator):
    client = Client(HTTP_HOST=LAND)
    client.force_login(operator)
    return client


def _town_data(**change):
    data = {
        "name": "Musterstadt-A",
        "hosts": "a.test\nlocalhost",
        "base_url": "",
        "mail_sender": "",
    }
    data.update(change)
    return data


def _hosts(town):
    return list(
        MunicipalityHost.objects.filter(municipality=town)
        .order_by("pk")
        .values_list("host", flat=True)
    )


def test_operator_changes_name_hosts_sender_and_the_host_set_follows_at_once(
    land_client, town_a, django_capture_on_commit_callbacks
):
    assert Client().get("/", HTTP_HOST="a.test").status_code == 200
    assert Client().get("/", HTTP_HOST="neu.a.example").status_code == 400
    page = land_client.get(f"/land/kommunen/{town_a.slug}/bearbeiten/")
    assert page.status_code == 200 and "a.test" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = land_client.post(
            f"/land/kommunen/{town_a.slug}/bearbeiten/",
            _town_data(
                name="Musterstadt an der See",
                hosts="neu.a.example\nlocalhost",
                base_url="https://neu.a.example/",
                mail_sender="Rathaus@Neu.A.example",
            ),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    town_a.refresh_from_db()
    assert town_a.name == "Musterstadt an der See"
    assert town_a.base_url == "https://neu.a.example"
    assert town_a.mail_sender == "rathaus@neu.a.example"
    assert _hosts(town_a) == ["neu.a.example", "localhost"]
    # At once, without restart: the new host answers, the removed one is refused.
    assert Client().get("/", HTTP_HOST="neu.a.example").status_code == 200
    old = Client().get("/", HTTP_HOST="a.test")
    assert old.status_code == 400 and UNKNOWN_TOWN not in old.content.decode()
    entry = AuditEntry.objects.filter(action="core.town_changed").get()
    assert entry.data["hosts_before"] == ["a.test", "localhost"]
    assert entry.municipality_id == town_a.pk


def test_primary_host_is_the_first_line(land_client, town_a):
    town_a.base_url = ""
    town_a.save()
    land_client.post(
        f"/land/kommunen/{town_a.slug}/bearbeiten/", _town_data(hosts="localhost\na.test")
    )
    assert _hosts(town_a) == ["localhost", "a.test"]
    from rathaus.core import tenancy

    assert tenancy.public_base_url(town_a).endswith("://localhost")


def test_unchanged_form_writes_nothing(land_client, town_a):
    response = land_client.post(f"/land/kommunen/{town_a.slug}/bearbeiten/", _town_data())
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action="core.town_changed").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"hosts": "b.test"}, "gehört schon einer Kommune"),
        ({"hosts": LAND}, "Adresse des Betriebs"),
        ({"hosts": ""}, "erforderlich"),
        ({"hosts": "ex ample..de"}, "kein gültiger Hostname"),
        ({"hosts": "🏛.de"}, "kein gültiger Hostname"),
        ({"hosts": "a" * 10_000}, "Zeichen"),
        ({"name": "Muster\x00stadt"}, ""),
        ({"name": "x" * 10_000}, "Zeichen"),
        ({"base_url": "javascript:alert(1)"}, "gültige Adresse"),
        ({"mail_sender": "keine-adresse"}, "E-Mail"),
    ],
)
def test_town_form_refuses_hostile_values(land_client, town_a, town_b, change, message):
    response = land_client.post(f"/land/kommunen/{town_a.slug}/bearbeiten/", _town_data(**change))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bitte korrigieren Sie Ihre Angaben" in body and message in body
    assert _hosts(town_a) == ["a.test", "localhost"]
    assert Municipality.objects.get(pk=town_a.pk).name == "Musterstadt-A"


def test_service_keeps_hosts_when_one_is_taken(town_a, town_b):
    with pytest.raises(ParseError):
        onboarding.update_town(town_a, name="A", hosts="a.test\nb.test")
    assert _hosts(town_a) == ["a.test", "localhost"]


def test_operator_pages_are_not_for_town_staff_citizens_or_town_hosts(
    land_client, operator, town_a, town_b, admin_a, citizen
):
    url = f"/land/kommunen/{town_a.slug}/bearbeiten/"
    location = Location.objects.get(municipality=town_a)
    location_url = f"/land/kommunen/{town_a.slug}/standorte/{location.pk}/"
    anonymous = Client(HTTP_HOST=LAND)
    assert anonymous.get(url).status_code == 302 and "/anmelden/" in anonymous.get(url)["Location"]
    for user in (admin_a, citizen):
        client = Client(HTTP_HOST=LAND)
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, _town_data(hosts="evil.example")).status_code == 403
        assert client.get(location_url).status_code == 403
    # The operator on a town's host: these pages exist only under the operator's address.
    on_town = Client(HTTP_HOST="a.test")
    on_town.force_login(operator)
    assert on_town.get(url).status_code == 404
    assert on_town.post(url, _town_data(hosts="evil.example")).status_code == 404
    assert on_town.get(location_url).status_code == 404
    assert _hosts(town_a) == ["a.test", "localhost"]
    # Another town's location under this town's address: 404, never edited.
    other = Location.objects.get(municipality=town_b)
    assert land_client.get(f"/land/kommunen/{town_a.slug}/standorte/{other.pk}/").status_code == 404
    for raw in ("99999999999999999999999", "1²", "x"):
        assert land_client.get(f"/land/kommunen/{town_a.slug}/standorte/{raw}/").status_code == 404


def _location_data(location, **change):
    data = {
        "action": "save",
        "name": location.name,
        "street": location.street,
        "postcode": location.postcode,
        "city": location.city,
        "latitude": "52.4",
        "longitude": "13,05",
        "open_from_0": "09:00",
        "open_until_0": "12:00",
        "open_from_2": "13:00",
        "open_until_2": "18:30",
        "walk_from_4": "08:00",
        "walk_until_4": "10:00",
    }
    data.update(change)
    return data


def _weekly(location):
    return sorted(
        (h.weekday, h.kind, h.opens.strftime("%H:%M"), h.closes.strftime("%H:%M"))
        for h in OpeningHours.objects.filter(location=location)
    )


def test_operator_edits_a_location_with_the_weekday_form(land_client, town_a):
    location = Location.objects.get(municipality=town_a)
    dated = OpeningHours.objects.create(
        location=location,
        weekday=5,
        opens=time(9),
        closes=time(12),
        valid_from=timezone.localdate() + timedelta(days=30),
    )
    url = f"/land/kommunen/{town_a.slug}/standorte/{location.pk}/"
    page = land_client.get(url).content.decode()
    assert 'value="08:00"' in page and 'value="16:00"' in page  # today's hours in the form
    response = land_client.post(url, _location_data(location, street="Rathausplatz 2"))
    assert response.status_code == 302, response.content.decode()[:3000]
    location.refresh_from_db()
    assert location.street == "Rathausplatz 2" and str(location.longitude) == "13.050000"
    assert _weekly(location) == [
        (0, "open", "09:00", "12:00"),
        (2, "open", "13:00", "18:30"),
        (4, "walk_in", "08:00", "10:00"),
        (5, "open", "09:00", "12:00"),  # the dated row stays
    ]
    assert OpeningHours.objects.filter(pk=dated.pk).exists()
    assert AuditEntry.objects.filter(action="core.location_changed").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"open_until_0": "08:00"}, "nach „von“"),
        ({"open_from_0": "25:99"}, "gültige Uhrzeit"),
        ({"open_from_0": "０９:００"}, ""),
        ({"open_until_0": ""}, "„von“ und „bis“"),
        ({"latitude": "5²"}, "Dezimalzahl"),
        ({"latitude": "47.0"}, "nicht in Deutschland"),
        ({"postcode": "1²345"}, "5 Ziffern"),
        ({"street": "Markt\x00 1"}, "Null"),
        ({"street": "x" * 10_000}, "Zeichen"),
        ({"name": "🏛" * 300}, "Zeichen"),
        ({"name": ""}, "erforderlich"),
    ],
)
def test_location_form_refuses_hostile_values(land_client, town_a, change, message):
    location = Location.objects.get(municipality=town_a)
    before = _weekly(location)
    url = f"/land/kommunen/{town_a.slug}/standorte/{location.pk}/"
    response = land_client.post(url, _location_data(location, **change))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Bitte korrigieren Sie Ihre Angaben" in body and message in body
    assert _weekly(location) == before
    assert Location.objects.get(pk=location.pk).street == "Marktplatz 1"


def test_emoji_in_a_name_is_kept(land_client, town_a):
    location = Location.objects.get(municipality=town_a)
    url = f"/land/kommunen/{town_a.slug}/standorte/{location.pk}/"
    assert land_client.post(url, _location_data(location, name="Bürgerbüro 🏛")).status_code == 302
    assert Location.objects.get(pk=location.pk).name == "Bürgerbüro 🏛"


def test_a_second_window_of_a_day_is_kept(town_a):
    location = Location.objects.get(municipality=town_a)
    OpeningHours.objects.create(location=location, weekday=0, opens=time(17), closes=time(19))
    initial, extra = onboarding.weekly_windows(location)
    assert [str(h) for h in extra] == ["Montag 17:00–19:00"]
    assert initial["open_from_0"] == time(8)
    onboarding.update_location(
        location,
        name="X",
        street="Markt 1",
        postcode="12345",
        city="A",
        latitude="52.4",
        longitude="13.05",
        windows=[onboarding.Window("open", 0, time(9), time(12))],
    )
    assert _weekly(location) == [(0, "open", "09:00", "12:00"), (0, "open", "17:00", "19:00")]


def test_close_and_reopen_a_location(land_client, town_a):
    location = Location.objects.get(municipality=town_a)
    url = f"/land/kommunen/{town_a.slug}/standorte/{location.pk}/"
    today = timezone.localdate()
    data = {
        "action": "close",
        "first": (today + timedelta(days=1)).isoformat(),
        "last": (today + timedelta(days=3)).isoformat(),
        "reason": "vorübergehend geschlossen",
    }
    assert land_client.post(url, data).status_code == 302
    assert OpeningException.objects.filter(location=location, closed=True).count() == 3
    assert land_client.post(url, data).status_code == 302  # the same days again: nothing new
    assert OpeningException.objects.filter(location=location, closed=True).count() == 3
    assert "vorübergehend geschlossen" in land_client.get(url).content.decode()
    for change, message in (
        ({"last": (today + timedelta(days=200)).isoformat()}, "Höchstens 92 Tage"),
        ({"first": (today - timedelta(days=1)).isoformat()}, "ab heute"),
        ({"last": today.isoformat()}, "liegt vor"),
        ({"first": "2026-02-30"}, "gültiges Datum"),
        ({"first": "9999-12-31", "last": "9999-12-31"}, "zwei Jahre"),
        ({"reason": ""}, "erforderlich"),
    ):
        response = land_client.post(url, {**data, **change})
        assert response.status_code == 200 and message in response.content.decode(), change
    assert land_client.post(url, {"action": "reopen"}).status_code == 302
    assert not OpeningException.objects.filter(location=location).exists()
    assert land_client.post(url, {"action": "\x00" * 50}).status_code == 302


def test_town_admin_edits_own_locations_only(town_a, town_b, admin_a, citizen):
    own = Location.objects.get(municipality=town_a)
    other = Location.objects.get(municipality=town_b)
    client = Client(HTTP_HOST="a.test")
    client.force_login(admin_a)
    listing = client.get("/verwaltung/standorte/").content.decode()
    assert own.name in listing and other.name not in listing
    assert client.get(f"/verwaltung/standorte/{own.pk}/").status_code == 200
    response = client.post(f"/verwaltung/standorte/{own.pk}/", _location_data(own, city="A-Dorf"))
    assert response.status_code == 302
    assert Location.objects.get(pk=own.pk).city == "A-Dorf"
    # Another town's location, through this town's address: 404, unchanged.
    url = f"/verwaltung/standorte/{other.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, _location_data(other, city="Gekapert")).status_code == 404
    assert Location.objects.get(pk=other.pk).city == "Beispielstadt-B"
    # Town A's administrator on town B's host: no role there.
    elsewhere = Client(HTTP_HOST="b.test")
    elsewhere.force_login(admin_a)
    assert elsewhere.get(url).status_code == 403
    assert elsewhere.post(url, _location_data(other, city="Gekapert")).status_code == 403
    # A clerk, a citizen, nobody.
    clerk = make_staff(town_a, "clerk@a.test", Role.CLERK)
    for user in (clerk, citizen):
        someone = Client(HTTP_HOST="a.test")
        someone.force_login(user)
        assert someone.get(f"/verwaltung/standorte/{own.pk}/").status_code == 403
    anonymous = Client(HTTP_HOST="a.test").get(f"/verwaltung/standorte/{own.pk}/")
    assert anonymous.status_code == 302 and "/anmelden/" in anonymous["Location"]
    assert Location.objects.get(pk=other.pk).city == "Beispielstadt-B"


def test_offices_are_edited_inside_their_town(land_client, town_a, town_b, admin_a):
    from rathaus.core.models import Office

    own = Office.objects.get(municipality=town_a)
    other = Office.objects.get(municipality=town_b)
    data = {"name": "Bürgerservice", "short_name": "BS", "phone": "+49 331 123-0", "email": ""}
    response = land_client.post(f"/land/kommunen/{town_a.slug}/aemter/{own.pk}/", data)
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.name, own.phone, own.slug) == ("Bürgerservice", "+49 331 123-0", "a-buergerbuero")
    assert AuditEntry.objects.filter(action="core.office_changed").exists()
    assert land_client.get(f"/land/kommunen/{town_a.slug}/aemter/{other.pk}/").status_code == 404
    client = Client(HTTP_HOST="a.test")
    client.force_login(admin_a)
    assert client.get(f"/verwaltung/aemter/{own.pk}/").status_code == 200
    assert client.post(f"/verwaltung/aemter/{other.pk}/", data).status_code == 404
    assert Office.objects.get(pk=other.pk).name == "Bürgerbüro B"
    for change, message in (
        ({"phone": "²²²"}, "Telefonnummer"),
        ({"name": "\x00"}, "Null"),
        ({"name": "x" * 10_000}, "Zeichen"),
        ({"email": "nein"}, "E-Mail"),
    ):
        response = client.post(f"/verwaltung/aemter/{own.pk}/", {**data, **change})
        assert response.status_code == 200 and message in response.content.decode(), change
    assert Office.objects.get(pk=own.pk).name == "Bürgerservice"
