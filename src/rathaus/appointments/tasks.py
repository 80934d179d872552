"""E-mails of the Terminvergabe, sent as background tasks after the transaction commits."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from . import documents
from .models import Booking


def bring_list(booking) -> list[str]:
    """What to bring: the offer's own note, else the documents listed in the catalog;
    for a combined appointment the lists of all its services, each item once."""
    offers = [booking.offer]
    if booking.pk is not None:
        offers += [p.offer for p in booking.parts.select_related("offer__service")]
    return bring_list_for(offers)


def bring_list_for(offers) -> list[str]:
    """The merged list of several offers: in their order, an item named twice only once
    (the ID card needed for the move and for the passport is brought once)."""
    items: list[str] = []
    seen: set[str] = set()
    for offer in offers:
        for item in _bring_one(offer):
            if item.casefold() not in seen:
                seen.add(item.casefold())
                items.append(item)
    return items


def _bring_one(offer) -> list[str]:
    if offer.bring_note.strip():
        return [line.strip() for line in offer.bring_note.splitlines() if line.strip()]
    items = []
    for entry in offer.service.documents or []:
        if isinstance(entry, dict):
            entry = entry.get("name") or entry.get("title") or entry.get("label") or ""
        if str(entry).strip():
            items.append(str(entry).strip())
    return items


def _load(booking_id: int) -> Booking:
    return Booking.objects.select_related(
        "offer", "service", "resource__location__office", "municipality"
    ).get(pk=booking_id)


def _send(booking: Booking, template: str, subject: str, *, attach=False, extra=None) -> None:
    context = {
        "booking": booking,
        "location": booking.resource.location,
        "municipality": booking.municipality,
        "manage_url": documents.manage_url(booking),
        "bring": bring_list(booking),
        **(extra or {}),
    }
    with translation.override("de"):
        body = render_to_string(f"appointments/email/{template}.txt", context)
    message = EmailMessage(
        subject=f"{subject} – {booking.municipality.name}",
        body=body,
        to=[booking.email],
        reply_to=[booking.resource.location.office.email]
        if booking.resource.location.office.email
        else None,
    )
    if attach:
        message.attach(f"termin-{booking.code}.ics", documents.ics(booking), "text/calendar")
        message.attach(f"termin-{booking.code}.png", documents.qr_png(booking), "image/png")
    message.send()


@task()
def send_hold_link(booking_id: int) -> None:
    booking = _load(booking_id)
    _send(
        booking,
        "hold",
        "Bitte bestätigen Sie Ihren Termin",
        extra={
            "confirm_url": documents.confirm_url(booking),
            "hold_minutes": settings.RATHAUS_APPOINTMENTS_HOLD_MINUTES,
        },
    )


@task()
def send_confirmation(booking_id: int) -> None:
    booking = _load(booking_id)
    subject = "Terminbestätigung" if booking.revision == 0 else "Ihr Termin wurde verschoben"
    _send(booking, "confirmed", f"{subject} {booking.code}", attach=True)


@task()
def send_cancellation(booking_id: int) -> None:
    booking = _load(booking_id)
    _send(booking, "cancelled", f"Termin {booking.code} abgesagt", attach=True)


@task()
def send_displaced(booking_id: int) -> None:
    """The office had to cancel (a counter fell out): apologise and offer a new time."""
    booking = _load(booking_id)
    _send(booking, "displaced", f"Ihr Termin {booking.code} muss leider ausfallen", attach=True)


@task()
def send_reminder(booking_id: int) -> None:
    booking = _load(booking_id)
    _send(booking, "reminder", f"Erinnerung an Ihren Termin morgen ({booking.code})", attach=True)
