"""Area alerts (issue 18): double opt-in, an e-mail for a report inside the area and none
for one outside, street alerts, RSS without subscription, no contact data anywhere."""

from decimal import Decimal

import pytest
from django.core import mail

from rathaus.participation.reports import alerts, services
from rathaus.participation.reports.models import AreaAlert

pytestmark = pytest.mark.django_db

BOX = {"south": "52.390000", "west": "13.050000", "north": "52.410000", "east": "13.070000"}


def published(town, category, **where):
    report = services.submit_report(
        town,
        category=category,
        description="Tiefes Loch",
        attributes={"flaeche": "fahrbahn"},
        contact_email="melder@example.org",
        **where,
    )
    services.moderate(report, publish=True, actor=None)
    mail.outbox.clear()  # the reporter's own confirmation is not what we test here
    return report


def confirmed_alert(client, **area):
    client.post("/beteiligung/maengel/benachrichtigung/", {"email": "anna@example.org", **area})
    alert = AreaAlert.objects.get()
    assert alert.confirmed_at is None and "bestaetigen" in mail.outbox[-1].body
    client.get(f"/beteiligung/maengel/benachrichtigung/bestaetigen/{alert.token}/")
    alert.refresh_from_db()
    assert alert.confirmed_at is None  # GET does not confirm (link scanners)
    client.post(f"/beteiligung/maengel/benachrichtigung/bestaetigen/{alert.token}/")
    alert.refresh_from_db()
    assert alert.confirmed_at is not None
    mail.outbox.clear()
    return alert


def test_alert_for_a_report_inside_the_area_and_not_outside(client_a, town_a, pothole):
    confirmed_alert(client_a, **BOX)
    outside = published(town_a, pothole, latitude=52.45, longitude=13.06)
    assert alerts.send_due() == 0 and not mail.outbox
    inside = published(town_a, pothole, latitude=52.40, longitude=13.06)
    assert alerts.send_due() == 1
    body = mail.outbox[0].body
    assert f"Nr. {inside.pk} " in body and f"Nr. {outside.pk} " not in body
    assert "melder@example.org" not in body and "abbestellen" in body
    assert alerts.send_due() == 0  # nothing new: no second e-mail
    services.change_status(inside, status="fixed", actor=None, note="Repariert")
    mail.outbox.clear()
    assert alerts.send_due() == 1 and "Neuer Stand" in mail.outbox[-1].body


def test_unconfirmed_and_unpublished_send_nothing(client_a, town_a, pothole):
    client_a.post("/beteiligung/maengel/benachrichtigung/", {"email": "b@example.org", **BOX})
    published(town_a, pothole, latitude=52.40, longitude=13.06)
    mail.outbox.clear()
    assert alerts.send_due() == 0
    AreaAlert.objects.update(confirmed_at="2020-01-01T00:00Z", checked_until="2020-01-01T00:00Z")
    services.submit_report(  # waiting for moderation: not public yet
        town_a,
        category=pothole,
        description="x",
        latitude=52.40,
        longitude=13.061,
        attributes={"flaeche": "fahrbahn"},
    )
    assert alerts.send_due() == 1 and mail.outbox[-1].body.count("Nr. ") == 1


def test_street_alert_matches_the_address(client_a, town_a, pothole):
    confirmed_alert(client_a, street="Lindenallee")
    published(town_a, pothole, address="Lindenallee 12")
    published(town_a, pothole, address="Bahnhofstraße 3")
    assert alerts.send_due() == 1
    assert "Lindenallee 12" in mail.outbox[0].body and "Bahnhof" not in mail.outbox[0].body


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Wählen Sie ein Gebiet oder eine Straße."),
        ({**BOX, "north": "52.380000"}, "Süden muss südlich"),
        ({**BOX, "north": "53.5"}, "zu groß"),
        ({**BOX, "west": "abc"}, "Geben Sie eine Zahl ein"),
        ({**BOX, "west": "999"}, "außerhalb der Karte"),
    ],
)
def test_bad_areas_get_clear_messages(client_a, town_a, data, message):
    response = client_a.post(
        "/beteiligung/maengel/benachrichtigung/", {"email": "a@example.org", **data}
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not AreaAlert.objects.exists()


def test_rss_of_an_area_without_subscription(client_a, town_a, pothole):
    inside = published(town_a, pothole, latitude=52.40, longitude=13.06, address="Am See 1")
    published(town_a, pothole, latitude=52.45, longitude=13.06)
    query = "sued=52.39&west=13.05&nord=52.41&ost=13.07"
    body = client_a.get(f"/beteiligung/maengel/gebiet.rss?{query}").content.decode()
    assert f"Nr. {inside.pk} " in body and body.count("<item>") == 1
    assert "melder@example.org" not in body
    for bad in ("sued=x", "sued=52&west=13&nord=60&ost=14", ""):
        assert client_a.get(f"/beteiligung/maengel/gebiet.rss?{bad}").status_code == 404
    # Control characters are refused before any view runs (core.badinput, issue 14).
    assert client_a.get("/beteiligung/maengel/gebiet.rss?strasse=%00").status_code == 400


def test_unsubscribe_deletes_the_address(client_a, town_a):
    alert = alerts.subscribe(town_a, email="a@example.org", street="Lindenallee")
    client_a.post(f"/beteiligung/maengel/benachrichtigung/abbestellen/{alert.token}/")
    assert not AreaAlert.objects.exists()


def test_tokens_are_per_town(client_b, town_a, town_b):
    alert = alerts.subscribe(
        town_a, email="a@example.org", **{k: Decimal(v) for k, v in BOX.items()}
    )
    url = f"/beteiligung/maengel/benachrichtigung/bestaetigen/{alert.token}/"
    assert client_b.post(url).status_code == 404
