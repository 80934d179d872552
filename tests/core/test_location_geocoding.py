"""Locations get their position from the town's address list (issue 21, ADR 0223).

Core asks ``rathaus.core.geocoding``; participation registers its geocoder (the town's
``StreetAddress`` list) when it starts. The address list is uploaded on one page with
two ways in: the operator's /land/adressen/<town>/ and the town administrators'
/beteiligung/verwaltung/adressen/.
"""

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from rathaus.core import geocoding, onboarding
from rathaus.core.models import Location, Municipality, User
from rathaus.participation.reports import forms as report_forms
from rathaus.participation.reports import geocoding as address_list
from rathaus.participation.reports.models import StreetAddress

pytestmark = pytest.mark.django_db

LAND = "land.localhost"
CSV = (
    "street,house_number,postcode,latitude,longitude\n"
    "Markt,1,12345,52.100000,13.100000\n"
    "Markt,3,12345,52.100400,13.100600\n"
    "Marktstraße,7a,12345,52.200000,13.200000\n"
    "Marktstraße,9,12345,52.200200,13.200400\n"
)


@pytest.fixture
def operator(db):
    return User.objects.create_superuser("betrieb@land.test", "betrieb-123!")


@pytest.fixture
def land_client(settings, operator):
    settings.RATHAUS_OPERATOR_HOSTS = [LAND]
    client = Client(HTTP_HOST=LAND)
    client.force_login(operator)
    return client


def _upload(client, url, text, **extra):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(url, {"file": SimpleUploadedFile("adressen.csv", data), **extra})


def _location(**change):
    data = {
        "office_name": "Bürgerbüro",
        "name": "Bürgerbüro Markt",
        "street": "Markt 3",
        "postcode": "12345",
        "city": "Musterstadt",
        "latitude": "",
        "longitude": "",
        "open_from_0": "08:00",
        "open_until_0": "12:00",
    }
    data.update(change)
    return data


def test_location_from_the_uploaded_address_list(land_client, town_a):
    url = f"/land/adressen/{town_a.slug}/"
    page = land_client.get(url).content.decode()
    assert "Die Liste enthält 0 Adressen" in page
    response = _upload(land_client, url, CSV)
    assert response.status_code == 302
    assert StreetAddress.objects.filter(municipality=town_a).count() == 4
    assert "4 Adressen sind in der Adressliste" in land_client.get(url).content.decode()
    # The town's operator page links to it.
    assert url in land_client.get(f"/land/kommunen/{town_a.slug}/").content.decode()

    # A house number in the list: its position.
    response = land_client.post(f"/land/kommunen/{town_a.slug}/", _location())
    assert response.status_code == 302, response.content.decode()[:2000]
    location = Location.objects.get(municipality=town_a, name="Bürgerbüro Markt")
    assert (location.latitude, location.longitude) == (Decimal("52.100400"), Decimal("13.100600"))
    # A number the list does not know ("Marktstr. 20"): the middle of the street.
    response = land_client.post(
        f"/land/kommunen/{town_a.slug}/", _location(name="Außenstelle", street="Marktstr. 20")
    )
    assert response.status_code == 302
    location = Location.objects.get(municipality=town_a, name="Außenstelle")
    assert (location.latitude, location.longitude) == (Decimal("52.200100"), Decimal("13.200200"))
    # A typed position wins and is still checked.
    response = land_client.post(
        f"/land/kommunen/{town_a.slug}/",
        _location(name="Getippt", latitude="52,5", longitude="13.4"),
    )
    assert response.status_code == 302
    assert Location.objects.get(name="Getippt").latitude == Decimal("52.500000")
    response = land_client.post(
        f"/land/kommunen/{town_a.slug}/", _location(name="Falsch", latitude="40", longitude="1")
    )
    assert "nicht in Deutschland" in response.content.decode()


def test_address_not_in_the_list_is_a_field_error(land_client, town_a, town_b):
    # Only the other town knows the street: this town's list decides.
    address_list.import_addresses(town_b, CSV)
    response = land_client.post(f"/land/kommunen/{town_a.slug}/", _location())
    page = response.content.decode()
    assert response.status_code == 200
    assert "Bitte korrigieren Sie Ihre Angaben" in page  # the error summary
    assert onboarding.NOT_IN_ADDRESS_LIST in page
    assert 'href="#id_street"' in page
    assert not Location.objects.filter(municipality=town_a, name="Bürgerbüro Markt").exists()


def test_without_a_registered_geocoder_the_form_says_so(land_client, town_a, monkeypatch):
    address_list.import_addresses(town_a, CSV)
    monkeypatch.setattr(geocoding, "_geocoders", [])
    response = land_client.post(f"/land/kommunen/{town_a.slug}/", _location())
    assert response.status_code == 200
    assert onboarding.NO_GEOCODER in response.content.decode()
    assert geocoding.position_for(town_a, "Markt 3") is None


def test_postcode_picks_the_street_of_its_district(town_a):
    """The same street name in two districts: the middle of the one with the postcode."""
    address_list.import_addresses(
        town_a,
        "street,house_number,postcode,latitude,longitude\n"
        "Bahnhofstraße,1,11111,52.1,13.1\n"
        "Bahnhofstraße,3,11111,52.3,13.3\n"
        "Bahnhofstraße,40,22222,52.9,13.9\n",
    )
    assert geocoding.position_for(town_a, "Bahnhofstr. 99", "22222")[0] == Decimal("52.900000")
    assert geocoding.position_for(town_a, "Bahnhofstr. 99", "11111")[0] == Decimal("52.200000")
    assert geocoding.position_for(town_a, "Bahnhofstr. 99", "99999")[0] == Decimal("52.433333")


@pytest.mark.parametrize(
    "street", ["Markt\x00 3", "M" * 10_000, "Markt 🏛️ 3", "🏛️", "3", "Markt 3\nFOO", "'; --"]
)
def test_hostile_addresses_answer_with_the_form(land_client, town_a, street):
    address_list.import_addresses(town_a, CSV)
    response = land_client.post(f"/land/kommunen/{town_a.slug}/", _location(street=street))
    assert response.status_code == 200
    assert "Bitte korrigieren Sie Ihre Angaben" in response.content.decode()
    assert not Location.objects.filter(municipality=town_a, name="Bürgerbüro Markt").exists()


def test_town_admin_edits_a_location_by_its_address(town_a, town_b, admin_a):
    client = Client(HTTP_HOST="a.test")
    client.force_login(admin_a)
    listing = client.get("/verwaltung/standorte/").content.decode()
    assert "/beteiligung/verwaltung/adressen/" in listing
    assert _upload(client, "/beteiligung/verwaltung/adressen/", CSV).status_code == 302
    assert StreetAddress.objects.filter(municipality=town_a).count() == 4
    assert not StreetAddress.objects.filter(municipality=town_b).exists()
    location = Location.objects.get(municipality=town_a)
    data = _location(street="Markt 1")
    del data["office_name"]
    response = client.post(f"/verwaltung/standorte/{location.pk}/", {"action": "save", **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    location.refresh_from_db()
    assert (location.latitude, location.longitude) == (Decimal("52.100000"), Decimal("13.100000"))
    response = client.post(
        f"/verwaltung/standorte/{location.pk}/", {"action": "save", **data, "street": "Nirgends 1"}
    )
    assert onboarding.NOT_IN_ADDRESS_LIST in response.content.decode()
    assert Location.objects.get(pk=location.pk).street == "Markt 1"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("street,house_number,latitude,longitude\nMarkt,1,52.1,13.1\nMarkt,2,x,13.1\n", "Zeile 3"),
        ("street,house_number,latitude,longitude\nMa\x00rkt,1,52.1,13.1\n", "Zeile 2"),
        ("street,house_number,latitude,longitude\nMarkt,1\x00,52.1,13.1\n", "Zeile 2"),
        ("street,house_number,postcode,latitude,longitude\nMarkt,1,1\x002,52.1,13.1\n", "Zeile 2"),
        (
            "street,house_number,latitude,longitude\nMarkt," + "1" * 10_000 + ",52.1,13.1\n",
            "Zeile 2",
        ),
        ("street,house_number,latitude,longitude\nMarkt,1,52.1,🏛️\n", "Zeile 2"),
        ("street,latitude\nMarkt,52.1\n", "Es fehlen Spalten"),
        ("street,house_number,latitude,longitude\n" + "x" * 200_000 + "\n", "Zeile 2"),
        ("street,house_number,latitude,longitude\nMarkt,1,NaN,13.1\n", "Zeile 2"),
        (b"street,house_number,latitude,longitude\nStra\xdfe,1,52.1,13.1\n", "UTF-8"),
        ("", "leer"),
    ],
)
def test_a_bad_file_changes_nothing(land_client, town_a, content, message):
    address_list.import_addresses(town_a, CSV)
    response = _upload(land_client, f"/land/adressen/{town_a.slug}/", content)
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page and "Bitte korrigieren Sie Ihre Angaben" in page
    assert StreetAddress.objects.filter(municipality=town_a).count() == 4  # all or nothing


def test_emoji_street_names_are_kept_and_add_keeps_the_list(land_client, town_a):
    url = f"/land/adressen/{town_a.slug}/"
    assert _upload(land_client, url, CSV).status_code == 302
    extra = "street,house_number,latitude,longitude\nWeg 🌳,2,52.3,13.3\n"
    assert _upload(land_client, url, extra, add="on").status_code == 302
    assert StreetAddress.objects.filter(municipality=town_a).count() == 5
    assert geocoding.position_for(town_a, "Weg 🌳 2") == (Decimal("52.3"), Decimal("13.3"))
    assert _upload(land_client, url, extra).status_code == 302  # replaces
    assert StreetAddress.objects.filter(municipality=town_a).count() == 1


def test_the_file_size_is_limited(land_client, town_a, monkeypatch):
    monkeypatch.setattr(report_forms, "ADDRESS_LIST_MAX_BYTES", 100)
    response = _upload(land_client, f"/land/adressen/{town_a.slug}/", CSV)
    assert "größer als 20 MB" in response.content.decode()
    assert not StreetAddress.objects.filter(municipality=town_a).exists()


def test_wrong_ways_into_the_address_list(land_client, operator, town_a, town_b, admin_a, citizen):
    operator_url = f"/land/adressen/{town_a.slug}/"
    # Anonymous: to the login, on both ways in.
    anonymous = Client(HTTP_HOST=LAND)
    response = anonymous.post(operator_url, {})
    assert response.status_code == 302 and "/anmelden/" in response["Location"]
    response = Client(HTTP_HOST="a.test").get("/beteiligung/verwaltung/adressen/")
    assert response.status_code == 302 and "/anmelden/" in response["Location"]
    # A town's administrator and a citizen are no operators.
    for user in (admin_a, citizen):
        client = Client(HTTP_HOST=LAND)
        client.force_login(user)
        assert client.get(operator_url).status_code == 403
        assert _upload(client, operator_url, CSV).status_code == 403
    # The operator's page does not exist on a town's host.
    on_town = Client(HTTP_HOST="a.test")
    on_town.force_login(operator)
    assert on_town.get(operator_url).status_code == 404
    assert _upload(on_town, operator_url, CSV).status_code == 404
    # A citizen on the town's page; this town's administrator on another town's host.
    client = Client(HTTP_HOST="a.test")
    client.force_login(citizen)
    assert _upload(client, "/beteiligung/verwaltung/adressen/", CSV).status_code == 403
    client = Client(HTTP_HOST="b.test")
    client.force_login(admin_a)
    assert _upload(client, "/beteiligung/verwaltung/adressen/", CSV).status_code == 403
    assert land_client.get("/land/adressen/keine-kommune/").status_code == 404
    assert not StreetAddress.objects.exists()


def test_onboard_town_command_locates_by_the_address_list(tmp_path):
    addresses = tmp_path / "adressen.csv"
    addresses.write_text(CSV, encoding="utf-8")
    locations = tmp_path / "standorte.json"
    item = {
        "office": "Bürgerbüro",
        "name": "Rathaus",
        "street": "Markt 1",
        "postcode": "12345",
        "city": "Kleinstadt",
        "hours": {"Mo": {"open": "08:00-12:00"}},
    }
    locations.write_text(json.dumps([item]))
    base = ["onboard_town", "--name=Kleinstadt", "--host=kleinstadt.test", "--admin=a@k.test"]
    # Without an address list: nothing is created, the message says why.
    with pytest.raises(CommandError, match="Adressliste"):
        call_command(*base, "--ags=12054000", f"--locations={locations}")
    assert not Municipality.objects.filter(ags="12054000").exists()
    call_command(*base, "--ags=12054000", f"--locations={locations}", f"--addresses={addresses}")
    location = Location.objects.get(municipality__ags="12054000")
    assert location.latitude == Decimal("52.100000")
    # A bad address list rolls the whole town back.
    addresses.write_text("street,house_number,latitude,longitude\nMarkt,1,x,1\n")
    with pytest.raises(CommandError, match="Zeile 2"):
        call_command(
            *[arg.replace("kleinstadt", "zweite") for arg in base],
            "--ags=12054001",
            f"--locations={locations}",
            f"--addresses={addresses}",
        )
    assert not Municipality.objects.filter(ags="12054001").exists()
