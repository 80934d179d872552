"""Walk-in hours: one source for status, the week page and its PDF/text/iCal/RSS editions.

The fixture's location (tests/conftest.py) is open Mon–Fri 8–16 with walk-in hours 8–9.
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone
from icalendar import Calendar

from rathaus.core import walkin
from rathaus.core.models import Location, OpeningException, OpeningHours

pytestmark = pytest.mark.django_db

MONDAY = date(2030, 6, 17)  # no holiday in the following week (Brandenburg)


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def location(town_a):
    return Location.objects.get(slug="a-mitte")


def test_open_now_and_when_next(location):
    status = walkin.status(location, at(MONDAY, 8, 30))
    assert status.open_now and status.current.closes == time(9)
    assert status.label == "Jetzt ohne Termin geöffnet bis 09:00 Uhr"
    later = walkin.status(location, at(MONDAY, 9, 0))
    assert not later.open_now
    assert later.next_day == MONDAY + timedelta(days=1) and later.next_window.opens == time(8)
    assert later.label.startswith("Jetzt geschlossen – ohne Termin wieder Di, 18.06.")


def test_saturday_opening_hours_are_not_walk_in_hours(location):
    """The kiosk offered the Saturday (appointment) hours as walk-in hours; pages did not."""
    from rathaus.onsite.services import next_walk_in_hours

    OpeningHours.objects.create(location=location, weekday=5, opens=time(9), closes=time(12))
    friday = MONDAY + timedelta(days=4)
    status = walkin.status(location, at(friday, 10))
    assert status.next_day == MONDAY + timedelta(days=7)  # Monday, not Saturday
    day, window = next_walk_in_hours(location, at(friday, 10))
    assert (day, window.opens) == (status.next_day, status.next_window.opens)


def test_closure_is_shown_with_its_reason_and_skipped(location):
    OpeningException.objects.create(location=location, date=MONDAY, reason="Personalversammlung")
    week = walkin.week(location.municipality, MONDAY)
    entry = next(e for e in week if e.location == location)
    first_day, windows = entry.walk_in_days[0]
    assert first_day.closed_reason == "Personalversammlung" and windows == ()
    assert walkin.status(location, at(MONDAY, 7)).next_day == MONDAY + timedelta(days=1)


def test_week_page_lists_walk_in_hours_and_links_the_editions(client_a, town_b):
    page = client_a.get("/sprechzeiten/").content.decode()
    assert "Sprechzeiten ohne Termin" in page and "Bürgerbüro A Mitte" in page
    assert "Bürgerbüro B Mitte" not in page  # another town's office
    for href in ("sprechzeiten.pdf", "sprechzeiten.txt", "sprechzeiten.ics", "feed.rss"):
        assert href in page


def test_start_page_and_location_page_link_the_week(client_a, location, monkeypatch):
    assert "/sprechzeiten/" in client_a.get("/").content.decode()
    monkeypatch.setattr(timezone, "now", lambda: at(MONDAY, 8, 30))
    page = client_a.get("/standorte/a-mitte/").content.decode()
    assert "/sprechzeiten/" in page and "Jetzt ohne Termin geöffnet bis 09:00 Uhr" in page


def test_text_edition_for_the_gazette(client_a):
    monday = timezone.localdate() + timedelta(days=(7 - timezone.localdate().weekday()) % 7 or 7)
    response = client_a.get(f"/sprechzeiten/sprechzeiten.txt?ab={monday.isoformat()}")
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Sprechzeiten ohne Termin – Musterstadt-A" in text
    assert f"Mo {monday:%d.%m.}  08:00–09:00 Uhr" in text
    assert "<" not in text


def test_ical_has_one_event_per_walk_in_window(client_a, town_a):
    response = client_a.get("/sprechzeiten/sprechzeiten.ics")
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    week = walkin.week(town_a, timezone.localdate())
    expected = sum(len(w) for entry in week for _, w in entry.walk_in_days)
    assert len(events) == expected
    assert all(str(e["summary"]).startswith("Ohne Termin: ") for e in events)
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_rss_and_pdf(client_a):
    rss = client_a.get("/sprechzeiten/feed.rss")
    assert rss.status_code == 200 and b"<rss" in rss.content
    assert "Bürgerbüro A Mitte" in rss.content.decode()
    pdf = client_a.get("/sprechzeiten/sprechzeiten.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("value", ["gestern", "2026-02-30", "1999-01-01", "9999-01-01"])
@pytest.mark.parametrize(
    "path", ["/sprechzeiten/", "/sprechzeiten/sprechzeiten.txt", "/sprechzeiten/feed.rss"]
)
def test_bad_start_date_is_a_clear_400(client_a, path, value):
    response = client_a.get(f"{path}?ab={value}")
    assert response.status_code == 400
    assert "„ab“" in response.content.decode()
    if path == "/sprechzeiten/":  # a page: the site's German error page, with its menu
        assert response["Content-Type"].startswith("text/html")
        assert "<main" in response.content.decode()
    else:
        assert response["Content-Type"].startswith("text/plain")


def test_gesundheitsamt_has_walk_in_hours_in_the_demo():
    from rathaus.core.demo import LOCATIONS

    assert LOCATIONS["gesundheitsamt-campus"][-1], "the Gesundheitsamt works without appointment"


def test_ical_is_strict_rfc_5545_and_the_same_under_every_host_name(client_a, town_a):
    """Local times name TZID=Europe/Berlin, so the file must carry that VTIMEZONE (strict
    readers refuse it otherwise); the UIDs must not follow the host name, or a calendar
    subscribed under a second host name holds every window twice."""
    town_a.hosts.create(host="zweite.test")
    first = client_a.get("/sprechzeiten/sprechzeiten.ics").content
    second = client_a.get("/sprechzeiten/sprechzeiten.ics", HTTP_HOST="zweite.test").content
    text = first.decode()
    assert "DTSTART;TZID=Europe/Berlin:" in text
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n" in text
    assert all(len(line) <= 75 for line in first.split(b"\r\n"))

    def uids(content):
        return sorted(str(e["uid"]) for e in Calendar.from_ical(content).walk("VEVENT"))

    assert uids(first) and uids(first) == uids(second)
