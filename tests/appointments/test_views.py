"""Citizen pages and staff pages through the Django test client."""

import re
from datetime import time, timedelta
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.utils import timezone

from rathaus.appointments import services
from rathaus.appointments.models import Booking, BookingStatus
from rathaus.core.models import Location, Office, Role

from ..conftest import make_staff
from .conftest import at, make_offer, make_service

pytestmark = pytest.mark.django_db


def link_from(message, marker):
    url = re.search(r"https?://\S+" + re.escape(marker) + r"\S+", message.body).group(0)
    return urlparse(url).path


def reserve(client, offer, start, oc, email="erika@example.org"):
    url = f"/termine/leistung/{offer.service.slug}/{offer.resource.slug}/buchen/"
    data = {
        "start": start.isoformat(),
        "personen": 1,
        "name": "Erika Mustermann",
        "email": email,
        "phone": "",
    }
    check = client.post(url, {**data, "action": "check"})
    assert check.status_code == 200 and "Bitte prüfen Sie Ihre Angaben" in check.content.decode()
    key = re.search(r'name="idempotency_key" value="(\w+)"', check.content.decode()).group(1)
    with oc.capture(execute=True):
        response = client.post(url, {**data, "action": "reserve", "idempotency_key": key})
    return response, key, url, data


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    class Capture:
        capture = staticmethod(django_capture_on_commit_callbacks)

    return Capture


def test_citizen_flow_book_confirm_cancel(client_a, offer_a, day, capture):
    index = client_a.get("/termine/").content.decode()
    assert "Termin buchen" in index and offer_a.service.name in index
    page = client_a.get(f"/termine/leistung/{offer_a.service.slug}/")
    assert page.status_code == 200 and "Frühester Termin" in page.content.decode()
    calendar = client_a.get(f"/termine/leistung/{offer_a.service.slug}/schalter/?tag={day}")
    assert "09:00" in calendar.content.decode()
    details = client_a.get(
        f"/termine/leistung/{offer_a.service.slug}/schalter/buchen/",
        {"start": at(day, 9).isoformat(), "personen": 1},
    )
    assert details.status_code == 200 and "Ihre Angaben" in details.content.decode()
    response, key, url, data = reserve(client_a, offer_a, at(day, 9), capture)
    assert response.status_code == 302 and response.url == "/termine/reserviert/"
    pending = client_a.get("/termine/reserviert/").content.decode()
    assert "bestätigen" in pending and "/termine/bestaetigen/" not in pending  # double opt-in
    # A double submit with the same key books once.
    client_a.post(url, {**data, "action": "reserve", "idempotency_key": key})
    assert Booking.objects.count() == 1
    confirm_path = link_from(mail.outbox[0], "/termine/bestaetigen/")
    assert client_a.get(confirm_path).status_code == 200
    with capture.capture(execute=True):
        confirmed = client_a.post(confirm_path)
    manage_path = confirmed.url
    page = client_a.get(manage_path).content.decode()
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.CONFIRMED and booking.code in page
    assert "data:image/svg+xml" in page
    ics = client_a.get(manage_path + "termin.ics")
    assert ics["Content-Type"].startswith("text/calendar")
    body = ics.content.decode()
    for token in (
        "BEGIN:VTIMEZONE",
        "DTSTART;TZID=Europe/Berlin:",
        "DTEND;TZID=Europe/Berlin:",
        "UID:",
        "DTSTAMP:",
        "LOCATION:",
        "SUMMARY:",
    ):
        assert token in body
    from icalendar import Calendar

    event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == at(day, 9)
    assert client_a.post(manage_path + "absagen/").status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_tampered_links_reveal_nothing(client_a, offer_a, day):
    booking = services.hold(offer_a, at(day, 9), name="Geheimname", email="e@example.org")
    from rathaus.appointments import tokens

    token = tokens.manage_token(booking)
    for path in (
        f"/termine/t/{token[:-2]}xx/",
        f"/termine/bestaetigen/{token}/",
        "/termine/t/abc/",
    ):
        response = client_a.get(path)
        assert response.status_code == 404
        assert booking.name not in response.content.decode()
    assert (
        client_a.get(f"/termine/t/{token}/termin.ics".replace(token, token + "x")).status_code
        == 404
    )


def test_other_municipality_cannot_use_link(client_b, town_a, offer_a, day):
    from rathaus.appointments import tokens

    booking = services.hold(offer_a, at(day, 9), name="E", email="e@example.org")
    assert client_b.get(f"/termine/t/{tokens.manage_token(booking)}/").status_code == 404
    assert client_b.get(f"/termine/leistung/{offer_a.service.slug}/").status_code == 404


def test_taken_time_shows_alternatives(client_a, offer_a, day):
    for email in ("a@example.org", "b@example.org"):
        services.hold(offer_a, at(day, 10), name="X", email=email)
    url = f"/termine/leistung/{offer_a.service.slug}/schalter/buchen/"
    response = client_a.get(url, {"start": at(day, 10).isoformat(), "personen": 1})
    assert response.status_code == 409
    text = response.content.decode()
    assert "nicht mehr frei" in text and "10:20" in text


def test_past_or_invalid_start_is_refused(client_a, offer_a, day):
    url = f"/termine/leistung/{offer_a.service.slug}/schalter/buchen/"
    past = timezone.now() - timedelta(days=1)
    assert client_a.get(url, {"start": past.isoformat()}).status_code == 409
    assert client_a.get(url, {"start": "gestern"}).status_code == 400  # not a date-time
    assert client_a.get(url, {"start": "2026-02-30T10:00:00+01:00"}).status_code == 400
    data = {
        "start": past.isoformat(),
        "personen": 1,
        "name": "E",
        "email": "e@example.org",
        "action": "reserve",
        "idempotency_key": "x",
    }
    assert client_a.post(url, data).status_code == 409
    assert not Booking.objects.exists()


def test_form_errors_are_german(client_a, offer_a, day):
    url = f"/termine/leistung/{offer_a.service.slug}/schalter/buchen/"
    text = client_a.post(
        url, {"start": at(day, 9).isoformat(), "personen": 1, "email": "x"}
    ).content.decode()
    assert "Bitte geben Sie Ihren Namen an." in text and "name@beispiel.de" in text


def test_rebook_via_manage_link(client_a, offer_a, day):
    from rathaus.appointments import tokens

    booking = services.hold(offer_a, at(day, 9), name="E", email="e@example.org")
    services.confirm(booking)
    path = f"/termine/t/{tokens.manage_token(booking)}/verschieben/"
    assert "11:00" in client_a.get(path, {"tag": day.isoformat()}).content.decode()
    assert client_a.post(path, {"start": at(day, 11).isoformat()}).status_code == 302
    booking.refresh_from_db()
    assert booking.starts_at == at(day, 11)


# --- Staff ------------------------------------------------------------------------


@pytest.fixture
def other_office(town_a):
    office = Office.objects.create(municipality=town_a, slug="standesamt", name="Standesamt")
    location = Location.objects.create(
        municipality=town_a,
        office=office,
        slug="standesamt",
        name="Standesamt",
        street="Markt 2",
        postcode="14999",
        city="A",
    )
    return office, location


def test_staff_pages_need_role(client_a, offer_a, editor_a):
    assert client_a.get("/termine/verwaltung/").status_code == 302  # login
    client_a.force_login(editor_a)
    assert client_a.get("/termine/verwaltung/").status_code == 403


def test_clerk_sees_only_own_office(client_a, town_a, offer_a, other_office, day):
    office, location = other_office
    wedding = make_offer(
        town_a,
        make_service(town_a, "trautermin-reservieren", "Trautermin"),
        location=location,
        slug="trausaal",
        counters=1,
    )
    mine = services.hold(offer_a, at(day, 9), name="Bürgerbüro-Kunde", email="a@example.org")
    theirs = services.hold(wedding, at(day, 9), name="Brautpaar", email="b@example.org")
    clerk = make_staff(town_a, "clerk@a.test", Role.CLERK, office=offer_a.resource.location.office)
    client_a.force_login(clerk)
    assert client_a.get(f"/termine/verwaltung/schalter/tag/?datum={day}").status_code == 200
    assert client_a.get(f"/termine/verwaltung/trausaal/tag/?datum={day}").status_code == 404
    assert client_a.get(f"/termine/verwaltung/termin/{theirs.code}/").status_code == 404
    assert client_a.get(f"/termine/verwaltung/termin/{mine.code}/").status_code == 200
    found = client_a.post("/termine/verwaltung/suche/", {"q": "Brautpaar"}).content.decode()
    assert theirs.code not in found
    found = client_a.post("/termine/verwaltung/suche/", {"q": "Bürgerbüro-Kunde"}).content.decode()
    assert mine.code in found
    csv_text = client_a.get(
        "/termine/verwaltung/export.csv", {"von": day, "bis": day}
    ).content.decode()
    assert mine.code in csv_text and theirs.code not in csv_text


def test_manager_day_view_by_counter_and_status(client_a, town_a, offer_a, day):
    manager = make_staff(town_a, "termine@a.test", Role.APPOINTMENT_MANAGER)
    client_a.force_login(manager)
    a = services.hold(offer_a, at(day, 9), name="Anna", email="a@example.org")
    b = services.hold(offer_a, at(day, 9), name="Bert", email="b@example.org")
    services.confirm(a)
    services.confirm(b)
    text = client_a.get(f"/termine/verwaltung/schalter/tag/?datum={day}").content.decode()
    assert "Platz 1" in text and "Platz 2" in text and "Anna" in text and "Bert" in text
    assert client_a.get(f"/termine/verwaltung/schalter/woche/?datum={day}").status_code == 200
    day_url = f"/termine/verwaltung/schalter/tag/?datum={day}"
    back = client_a.post(
        f"/termine/verwaltung/termin/{a.code}/status/", {"action": "arrived", "next": day_url}
    )
    assert back.url == day_url
    assert "erledigt" in client_a.get(day_url).content.decode()  # the next quick action
    evil = client_a.post(
        f"/termine/verwaltung/termin/{a.code}/status/",
        {"action": "done", "next": "https://evil.example/"},
    )
    assert evil.url == f"/termine/verwaltung/termin/{a.code}/"  # no open redirect
    client_a.post(f"/termine/verwaltung/termin/{b.code}/status/", {"action": "no_show"})
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (BookingStatus.DONE, BookingStatus.NO_SHOW)


def test_staff_books_for_caller_and_blocks_time(client_a, town_a, offer_a, day, capture):
    manager = make_staff(town_a, "termine@a.test", Role.APPOINTMENT_MANAGER)
    client_a.force_login(manager)
    url = f"/termine/verwaltung/buchen/?angebot={offer_a.pk}&tag={day}&personen=1"
    assert "09:00" in client_a.get(url).content.decode()
    response = client_a.post(
        url,
        {
            "start": at(day, 10).isoformat(),
            "persons": 1,
            "name": "Anrufer",
            "email": "anrufer@example.org",
            "phone": "0331 1",
            "note": "",
            "idempotency_key": "s1",
        },
    )
    assert response.status_code == 302
    booking = Booking.objects.get(name="Anrufer")
    assert booking.status == BookingStatus.CONFIRMED and booking.booked_by == manager
    services.hold(offer_a, at(day, 10), name="Zweite", email="z@example.org")
    mail.outbox.clear()
    with capture.capture(execute=True):
        response = client_a.post(
            "/termine/verwaltung/schalter/sperren/",
            {
                "date": day.isoformat(),
                "start_time": "10:00",
                "end_time": "11:00",
                "counters": 1,
                "reason": "Krankheit",
            },
        )
    assert response.status_code == 302
    assert Booking.objects.get(name="Zweite").status == BookingStatus.CANCELLED
    assert any("muss leider ausfallen" in m.subject for m in mail.outbox)


def test_location_page_and_service_cta(client_a, offer_a):
    text = client_a.get("/standorte/a-mitte/").content.decode()
    assert "Nächster freier Online-Termin" in text
    from django.template import Context, Template

    cta = Template('{% include "appointments/_service_cta.html" %}').render(
        Context({"service": offer_a.service})
    )
    assert "Termin buchen" in cta and f"/termine/leistung/{offer_a.service.slug}/" in cta
    offer_a.is_active = False
    offer_a.save()
    assert "Termin buchen" not in Template('{% include "appointments/_service_cta.html" %}').render(
        Context({"service": offer_a.service})
    )


def test_displaced_citizen_picks_new_time_with_data_kept(client_a, offer_a, day, admin_a, capture):
    from rathaus.appointments import tokens

    first = services.hold(offer_a, at(day, 10), name="Anna Alt", email="a@example.org")
    second = services.hold(offer_a, at(day, 10), name="Bert Neu", email="b@example.org")
    services.confirm(first)
    services.confirm(second)
    services.block_time(
        offer_a.resource, day, time(10), time(11), counters=1, reason="Krankheit", actor=admin_a
    )
    second.refresh_from_db()
    assert second.displaced and second.status == BookingStatus.CANCELLED
    path = f"/termine/t/{tokens.manage_token(second)}/"
    assert "Neue Zeit wählen" in client_a.get(path).content.decode()
    with capture.capture(execute=True):
        response = client_a.post(path + "verschieben/", {"start": at(day, 11).isoformat()})
    new = Booking.objects.get(name="Bert Neu", status=BookingStatus.CONFIRMED)
    assert new.starts_at == at(day, 11) and new.email == "b@example.org"
    token = response.url.removeprefix("/termine/t/").removesuffix("/")
    assert tokens.booking_for_manage(token, new.municipality) == new  # the token is time-stamped
    assert any("Terminbestätigung" in m.subject for m in mail.outbox)
    again = client_a.post(path + "verschieben/", {"start": at(day, 11, 30).isoformat()})
    assert again.status_code == 302
    assert Booking.objects.filter(name="Bert Neu", status=BookingStatus.CONFIRMED).count() == 1


def test_staff_releases_extra_slots(client_a, town_a, offer_a, day):
    client_a.force_login(make_staff(town_a, "termine@a.test", Role.APPOINTMENT_MANAGER))
    response = client_a.post(
        "/termine/verwaltung/schalter/zusaetzlich/",
        {
            "date": day.isoformat(),
            "start_time": "14:00",
            "end_time": "15:00",
            "counters": 2,
            "unit_minutes": 10,
            "reason": "Sondereinsatz",
        },
    )
    assert response.status_code == 302
    calendar = client_a.get(f"/termine/leistung/{offer_a.service.slug}/schalter/?tag={day}")
    assert "14:00" in calendar.content.decode()
    bad = client_a.post(
        "/termine/verwaltung/schalter/zusaetzlich/",
        {
            "date": day.isoformat(),
            "start_time": "15:00",
            "end_time": "14:00",
            "counters": 1,
            "unit_minutes": 10,
        },
    )
    assert "„bis“ muss nach „von“ liegen." in bad.content.decode()
