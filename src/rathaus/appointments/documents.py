"""What a booking comes with: the iCalendar file (RFC 5545), the QR code, public links."""

import io
from datetime import datetime

import segno
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

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


def ics(booking, *, now: datetime | None = None) -> bytes:
    """An RFC 5545 calendar with one VEVENT in Europe/Berlin and its VTIMEZONE."""
    location = booking.resource.location
    calendar = Calendar()
    calendar.add("prodid", "-//Rathaus//Terminvergabe//DE")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if booking.status == "cancelled" else "PUBLISH")
    event = Event()
    host = booking.municipality.hosts.values_list("host", flat=True).first() or "rathaus.example"
    event.add("uid", f"termin-{booking.pk}-{booking.code}@{host}")
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
    event.add("status", "CANCELLED" if booking.status == "cancelled" else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
