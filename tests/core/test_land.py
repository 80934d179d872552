"""The Land operator's area (issue 21): reached without any town's host, onboarding a
town with host names, first administrator (invited by e-mail) and locations with
weekly hours, the overview of all towns; nobody but operators gets in."""

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from PIL import Image

from rathaus.core import onboarding
from rathaus.core.models import (
    AuditEntry,
    Location,
    Municipality,
    MunicipalityHost,
    OpeningHours,
    Role,
    StaffRole,
    User,
)
from rathaus.core.parsing import ParseError
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

LAND = "land.localhost"


@pytest.fixture(autouse=True)
def _run_on_commit(monkeypatch):
    """Mails are enqueued after commit; tests run inside a transaction."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda fn, using=None, robust=False: fn())


@pytest.fixture
def operator(db):
    return User.objects.create_superuser("betrieb@land.test", "betrieb-123!")


@pytest.fixture
def land_client(settings, operator):
    settings.RATHAUS_OPERATOR_HOSTS = [LAND]
    client = Client(HTTP_HOST=LAND)
    client.force_login(operator)
    return client


TOWN = {
    "name": "Neustadt an der Elbe",
    "ags": "15003000",
    "hosts": "service.neustadt.test\nneustadt.test",
    "base_url": "https://service.neustadt.test",
    "mail_sender": "rathaus@neustadt.test",
    "admin_email": "Chefin@Neustadt.test",
}


def test_operator_host_works_on_an_empty_installation(settings, operator):
    """A fresh database: no town at all, yet the operator logs in and sees the area."""
    settings.RATHAUS_OPERATOR_HOSTS = [LAND]
    assert not Municipality.objects.exists()
    client = Client(HTTP_HOST=LAND)
    assert client.get("/").url == "/land/"
    login = client.get("/land/")
    assert login.status_code == 302 and login.url.startswith("/anmelden/")
    page = client.get(login.url)
    assert page.status_code == 200
    response = client.post(
        "/anmelden/", {"username": "betrieb@land.test", "password": "betrieb-123!"}
    )
    assert response.status_code == 302 and response.url == "/land/"
    assert "Noch keine Kommune" in client.get("/land/").content.decode()


def test_operator_host_serves_no_town_pages(land_client):
    for path in ("/leistungen/", "/termine/", "/api/v1/services", "/verwaltung/admin/"):
        assert land_client.get(path).status_code == 404, path


def test_town_staff_and_citizens_do_not_get_in(settings, town_a, client_a, admin_a):
    settings.RATHAUS_OPERATOR_HOSTS = [LAND]
    client_a.force_login(admin_a)  # a town's administrator, on the town's host
    assert client_a.get("/land/").status_code == 403
    assert client_a.post("/land/kommunen/neu/", TOWN).status_code == 403
    assert not Municipality.objects.filter(ags=TOWN["ags"]).exists()
    other = Client(HTTP_HOST=LAND)
    other.force_login(admin_a)
    assert other.get("/land/").status_code == 403


def test_onboard_a_town_through_the_page(land_client):
    logo = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(logo, "PNG")
    logo.seek(0)
    logo.name = "wappen.png"
    response = land_client.post("/land/kommunen/neu/", {**TOWN, "logo": logo})
    assert response.status_code == 302, response.content.decode()[:2000]
    town = Municipality.objects.get(ags="15003000")
    assert response.url == f"/land/kommunen/{town.slug}/"
    assert town.land == "ST" and town.ars == "150030000000"
    assert town.mail_sender == "rathaus@neustadt.test" and town.logo
    assert sorted(town.hosts.values_list("host", flat=True)) == [
        "neustadt.test",
        "service.neustadt.test",
    ]
    admin = User.objects.get(email="chefin@neustadt.test")
    assert not admin.has_usable_password()
    assert StaffRole.objects.filter(user=admin, municipality=town, role=Role.ADMINISTRATOR)
    assert AuditEntry.objects.filter(municipality=town, action="core.town_onboarded").exists()
    [message] = mail.outbox
    assert message.to == ["chefin@neustadt.test"]
    assert message.from_email == "Neustadt an der Elbe <rathaus@neustadt.test>"
    assert "https://service.neustadt.test/antraege/konto/passwort-neu/" in message.body

    # The invited administrator sets a password with the link and works on the town's host.
    path = message.body.split("https://service.neustadt.test", 1)[1].split()[0]
    town_client = Client(HTTP_HOST="service.neustadt.test")
    page = town_client.get(path, follow=True)
    form_path = page.redirect_chain[-1][0] if page.redirect_chain else path
    done = town_client.post(
        form_path, {"new_password1": "Neu-Start-2026!", "new_password2": "Neu-Start-2026!"}
    )
    assert done.status_code == 302
    assert town_client.login(username="chefin@neustadt.test", password="Neu-Start-2026!")
    assert town_client.get("/verwaltung/").status_code == 200


def test_town_form_refuses_bad_values(land_client):
    Municipality.objects.create(slug="x", name="X", ags="15003000", ars="150030000000", land="ST")
    MunicipalityHost.objects.create(municipality=Municipality.objects.get(slug="x"), host="x.test")
    cases = [
        ({"ags": "1500300"}, "genau 8 Ziffern"),
        ({"ags": "99003000"}, "nennen kein Land"),
        ({"ags": "15003000"}, "schon eingerichtet"),
        ({"ags": "15\x0003000"}, ""),
        ({"hosts": "x.test"}, "gehört schon einer Kommune"),
        ({"hosts": "nicht gültig!"}, "kein gültiger Hostname"),
        ({"hosts": LAND}, "Adresse des Betriebs"),
        ({"name": "🏛" * 10_000}, ""),
        ({"admin_email": "keine-adresse"}, ""),
    ]
    for change, message in cases:
        data = {**TOWN, "ags": "15003001", **change}
        response = land_client.post("/land/kommunen/neu/", data)
        assert response.status_code == 200, change
        assert message in response.content.decode(), change
    assert Municipality.objects.count() == 1


def test_logo_must_be_an_image(land_client):
    fake = io.BytesIO(b"<html><script>alert(1)</script></html>")
    fake.name = "logo.png"
    response = land_client.post("/land/kommunen/neu/", {**TOWN, "logo": fake})
    assert response.status_code == 200
    assert not Municipality.objects.filter(ags=TOWN["ags"]).exists()


def _location(**change):
    data = {
        "office_name": "Bürgerbüro",
        "name": "Bürgerbüro Markt",
        "street": "Markt 1",
        "postcode": "39104",
        "city": "Neustadt",
        "latitude": "52,131620",
        "longitude": "11.639280",
        "open_from_0": "08:00",
        "open_until_0": "12:00",
        "walk_from_1": "14:00",
        "walk_until_1": "18:00",
    }
    data.update(change)
    return data


def test_location_with_weekday_hours(land_client):
    town = onboarding.onboard_town(
        name="Neustadt", ags="15003000", hosts="neustadt.test", admin_email="a@neustadt.test"
    ).town
    response = land_client.post(f"/land/kommunen/{town.slug}/", _location())
    assert response.status_code == 302, response.content.decode()[:3000]
    location = Location.objects.get(municipality=town)
    assert str(location.latitude) == "52.131620"
    assert location.office.municipality == town
    hours = sorted(
        (h.weekday, h.kind, h.opens.strftime("%H:%M"), h.closes.strftime("%H:%M"))
        for h in OpeningHours.objects.filter(location=location)
    )
    assert hours == [(0, "open", "08:00", "12:00"), (1, "walk_in", "14:00", "18:00")]
    # A second location of the same office joins it.
    land_client.post(f"/land/kommunen/{town.slug}/", _location(name="Außenstelle"))
    assert Location.objects.filter(office=location.office).count() == 2
    page = land_client.get(f"/land/kommunen/{town.slug}/").content.decode()
    assert "Außenstelle" in page and "Montag 08:00–12:00" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"latitude": "152.1"}, "nicht in Deutschland"),
        ({"latitude": "40.0"}, "nicht in Deutschland"),
        ({"longitude": ""}, "Breiten- und Längengrad"),
        ({"latitude": "1e40"}, "Dezimalzahl"),
        ({"open_until_0": "07:00"}, "nach „von“"),
        ({"open_until_0": ""}, "„von“ und „bis“"),
        ({"open_from_0": "25:99"}, ""),
        ({"postcode": "3910x"}, "5 Ziffern"),
        ({"street": "Markt\x00 1"}, ""),
    ],
)
def test_location_form_refuses_bad_values(land_client, change, message):
    town = onboarding.onboard_town(
        name="Neustadt", ags="15003000", hosts="neustadt.test", admin_email="a@neustadt.test"
    ).town
    response = land_client.post(f"/land/kommunen/{town.slug}/", _location(**change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Location.objects.filter(municipality=town).exists()


def test_overview_lists_every_town_with_hosts_health_and_activity(land_client, town_a, town_b):
    make_staff(town_a, "admin@a.test", Role.ADMINISTRATOR)
    page = land_client.get("/land/").content.decode()
    assert "a.test" in page and "b.test" in page
    assert "keine Administration" in page  # town B has none
    assert "2 Kommunen" in page


def test_overview_queries_do_not_grow_with_towns(land_client, django_assert_max_num_queries):
    for number in range(12):
        onboarding.onboard_town(
            name=f"Ort {number}",
            ags=f"150030{number:02d}",
            hosts=f"ort{number}.test",
            admin_email=f"a{number}@ort.test",
        )
    with django_assert_max_num_queries(14):
        assert land_client.get("/land/").status_code == 200


def test_onboard_town_command(tmp_path, capsys):
    call_command(
        "onboard_town",
        "--name=Kleinstadt",
        "--ags=12054000",
        "--host=kleinstadt.test",
        "--host=www.kleinstadt.test",
        "--url=https://kleinstadt.test",
        "--sender=post@kleinstadt.test",
        "--admin=admin@kleinstadt.test",
    )
    town = Municipality.objects.get(ags="12054000")
    assert town.land == "BB" and town.hosts.count() == 2
    assert "Einladung" in mail.outbox[0].subject
    with pytest.raises(Exception, match="schon eingerichtet"):
        call_command(
            "onboard_town",
            "--name=Doppelt",
            "--ags=12054000",
            "--host=d.test",
            "--admin=x@d.test",
        )


def test_service_refuses_wrong_land():
    with pytest.raises(ParseError, match="gehört zu Sachsen-Anhalt"):
        onboarding.onboard_town(
            name="X", ags="15003000", land="BY", hosts="x.test", admin_email="a@x.test"
        )


def test_onboard_town_command_with_locations(tmp_path):
    import json

    path = tmp_path / "standorte.json"
    path.write_text(
        json.dumps(
            [
                {
                    "office": "Bürgerbüro",
                    "name": "Rathaus",
                    "street": "Markt 1",
                    "postcode": "14467",
                    "city": "Kleinstadt",
                    "latitude": 52.4,
                    "longitude": 13.06,
                    "hours": {"Mo": {"open": "08:00-12:00"}, "Di": {"walk_in": "14:00-18:00"}},
                }
            ]
        )
    )
    call_command(
        "onboard_town",
        "--name=Kleinstadt",
        "--ags=12054000",
        "--host=kleinstadt.test",
        "--admin=admin@kleinstadt.test",
        f"--locations={path}",
    )
    location = Location.objects.get(municipality__ags="12054000")
    assert location.opening_hours.count() == 2
    path.write_text(json.dumps([{"office": "X", "hours": {"Funday": {}}}]))
    with pytest.raises(Exception, match="locations"):
        call_command(
            "onboard_town",
            "--name=Zweite",
            "--ags=12054001",
            "--host=zweite.test",
            "--admin=admin@zweite.test",
            f"--locations={path}",
        )
    assert not Municipality.objects.filter(ags="12054001").exists()  # all or nothing
