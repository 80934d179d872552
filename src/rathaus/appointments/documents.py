"""What a booking comes with: the iCalendar file (RFC 5545), the QR code, public links."""

import io
from datetime import datetime

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress

from rathaus.core import tenancy

from . import tokens
from .capacity import TZ


def public_url(municipality, path: str) -> str:
    """Absolute link for e-mails: the municipality's configured address (core.tenancy)."""
    return tenancy.public_url(municipality, path)


def manage_url(booking) -> str:
    path = reverse("appointments:manage", args=[tokens.manage_token(booking)])
    return public_url(booking.municipality, path)


def confirm_url(booking) -> str:
    path = reverse("appointments:confirm", args=[tokens.confirm_token(booking)])
    return public_url(booking.municipality, path)


def qr_code(booking):
    """The QR code carries only the booking code (check-in at the kiosk), nothing personal."""
    return segno.make(f"RATHAUS-TERMIN:{booking.code}", error="m")


def qr_png(booking) -> bytes:
    buffer = io.BytesIO()
    qr_code(booking).save(buffer, kind="png", scale=6, border=2)
    return buffer.getvalue()


def qr_svg_data_uri(booking) -> str:
    return qr_code(booking).svg_data_uri(scale=5, border=2, title=f"Buchungscode {booking.code}")


def organizer_address(booking) -> tuple[str, str]:
    """(name, e-mail) of the organizer: the municipality, else the sender of its e-mails."""
    municipality = booking.municipality
    email = municipality.email or settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return municipality.name, email.strip()


def itip_method(booking) -> str:
    """RFC 5546: CANCEL once cancelled; REQUEST needs an ATTENDEE, so without an
    e-mail address the file is a plain PUBLISH."""
    if booking.status == "cancelled":
        return "CANCEL"
    return "REQUEST" if booking.email else "PUBLISH"


def ics(booking, *, now: datetime | None = None) -> bytes:
    """An RFC 5545 calendar with one VEVENT in Europe/Berlin and its VTIMEZONE.

    iTIP (RFC 5546): ORGANIZER is always set (required for PUBLISH, REQUEST and CANCEL);
    UID stays the same for the life of the booking and SEQUENCE (``booking.revision``)
    grows with every rebooking and with the cancellation, so calendar apps update or
    remove the event instead of adding a second one.
    """
    location = booking.resource.location
    method = itip_method(booking)
    calendar = Calendar()
    calendar.add("prodid", "-//Rathaus//Terminvergabe//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    host = booking.municipality.hosts.order_by("pk").values_list("host", flat=True).first()
    event.add("uid", f"termin-{booking.pk}-{booking.code}@{host or 'rathaus.example'}")
    event.add("dtstamp", now or timezone.now())
    event.add("sequence", booking.revision)
    event.add("dtstart", booking.starts_at.astimezone(TZ))
    event.add("dtend", booking.ends_at.astimezone(TZ))
    event.add("summary", f"Termin: {booking.service.name}")
    event.add("location", f"{location.name}, {location.address_line}")
    event.add(
        "description",
        f"Buchungscode: {booking.code}\n{location.office.name}"
        + (f", {location.room}" if location.room else "")
        + f"\nTermin verwalten: {manage_url(booking)}",
    )
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer_name, organizer_email = organizer_address(booking)
    event.add(
        "organizer", vCalAddress(f"mailto:{organizer_email}"), parameters={"cn": organizer_name}
    )
    if booking.email:
        # Already accepted by booking: no reply is expected (RSVP=FALSE).
        event.add(
            "attendee",
            vCalAddress(f"mailto:{booking.email}"),
            parameters={
                "cn": booking.name,
                "role": "REQ-PARTICIPANT",
                "partstat": "ACCEPTED",
                "rsvp": "FALSE",
            },
        )
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
