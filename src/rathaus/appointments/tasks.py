"""E-mails of the Terminvergabe, sent as background tasks after the transaction commits."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from rathaus.catalog import english
from rathaus.core.mail import town_message

from . import documents
from .models import Booking


def bring_list(booking) -> list[str]:
    """What to bring: the offer's own note, else the documents listed in the catalog; for a
    combined appointment the lists of all its services, each item once; in English on
    English pages where staff wrote it (``bring_note_en``, ``documents_en``)."""
    return bring_items(booking)[0]


def bring_items(booking) -> tuple[list[str], bool]:
    """``bring_list`` and whether an English page shows it in German (then lang="de")."""
    offers = [booking.offer]
    if booking.pk is not None:
        offers += [p.offer for p in booking.parts.select_related("offer__service")]
    return bring_items_for(offers)


def bring_items_for(offers) -> tuple[list[str], bool]:
    """The merged list of several offers: in their order, an item named twice only once
    (the ID card needed for the move and for the passport is brought once)."""
    items: list[str] = []
    seen: set[str] = set()
    german = False
    for offer in offers:
        found, in_german = _bring_one(offer)
        german = german or (in_german and bool(found))
        for item in found:
            if item.casefold() not in seen:
                seen.add(item.casefold())
                items.append(item)
    return items, german


def _bring_one(offer) -> tuple[list[str], bool]:
    if offer.bring_note.strip():
        note = english.localized(offer, "bring_note")
        lines = [line.strip() for line in note.splitlines() if line.strip()]
        return lines, english.shows_german(offer, "bring_note")
    items = []
    for entry in english.localized(offer.service, "documents") or []:
        if isinstance(entry, dict):
            entry = entry.get("name") or entry.get("title") or entry.get("label") or ""
        if str(entry).strip():
            items.append(str(entry).strip())
    return items, english.shows_german(offer.service, "documents")


def _load(booking_id: int) -> Booking:
    return Booking.objects.select_related(
        "offer", "service", "resource__location__office", "municipality"
    ).get(pk=booking_id)


def _send(booking: Booking, template: str, subject: str, *, attach=False, extra=None) -> None:
    with translation.override("de"):  # mails are German, whatever the page's language
        context = {
            "booking": booking,
            "location": booking.resource.location,
            "municipality": booking.municipality,
            "manage_url": documents.manage_url(booking),
            "bring": bring_list(booking),
            **(extra or {}),
        }
        body = render_to_string(f"appointments/email/{template}.txt", context)
    message = town_message(
        booking.municipality,
        f"{subject} – {booking.municipality.name}",
        body,
        [booking.email],
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
