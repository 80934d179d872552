"""Booking files as calendar apps read them: RFC 5545 (iCalendar) and RFC 5546 (iTIP).

RFC 5546 §3.2: PUBLISH, REQUEST and CANCEL each require ORGANIZER, UID, DTSTAMP and
SEQUENCE (REQUEST also an ATTENDEE); an update or cancellation keeps the UID and
carries a higher SEQUENCE, or the calendar adds a second event instead of changing
the first (RFC 5545 §3.8.7.4).
"""

import pytest
from django.core import mail
from icalendar import Calendar

from rathaus.appointments import documents, services

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _commit(oc, monkeypatch):
    """The service calls run their on-commit work (the e-mails), as in production."""
    for name in ("hold", "confirm", "cancel", "rebook"):
        original = getattr(services, name)
        monkeypatch.setattr(services, name, lambda *a, _f=original, **k: oc(_f, *a, **k))


def calendars_sent() -> list[Calendar]:
    found = []
    for message in mail.outbox:
        for name, content, _type in message.attachments:
            if name.endswith(".ics"):
                found.append(Calendar.from_ical(content))
    return found


def only_event(calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def test_invitation_update_and_cancellation_share_uid_with_rising_sequence(offer_a, day):
    booking = services.hold(offer_a, at(day, 9), name="Erika Mustermann", email="e@example.org")
    services.confirm(booking)
    services.rebook(booking, at(day, 10))
    booking.refresh_from_db()
    services.cancel(booking)
    invitation, update, cancellation = calendars_sent()
    assert [str(c["method"]) for c in (invitation, update, cancellation)] == [
        "REQUEST",
        "REQUEST",
        "CANCEL",
    ]
    events = [only_event(c) for c in (invitation, update, cancellation)]
    assert len({str(e["uid"]) for e in events}) == 1
    assert [int(e["sequence"]) for e in events] == [0, 1, 2]
    assert str(events[2]["status"]) == "CANCELLED"
    assert events[1].decoded("dtstart") == at(day, 10)
    for event in events:
        assert str(event["organizer"]) == "mailto:info@a.test"
        assert event["organizer"].params["CN"] == offer_a.municipality.name
        assert str(event["attendee"]) == "mailto:e@example.org"
        assert event["attendee"].params["RSVP"] == "FALSE"
        assert "dtstamp" in event


def test_booking_without_email_is_published_with_an_organizer(offer_a, day, admin_a):
    booking = services.hold(offer_a, at(day, 9), name="Anrufer", email="", actor=admin_a)
    calendar = Calendar.from_ical(documents.ics(booking))
    assert str(calendar["method"]) == "PUBLISH"  # REQUEST would need an ATTENDEE
    event = only_event(calendar)
    assert str(event["organizer"]) == "mailto:info@a.test"
    assert "attendee" not in event
