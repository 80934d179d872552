"""JSON API of the Terminvergabe: availability, hold, confirm, cancel, rebook.

Confirm, cancel and rebook take the signed tokens from the e-mails, so the API
keeps the double opt-in: a hold alone never becomes a booking.
"""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from rathaus.core.ratelimit import client_ip, hit, too_many

from . import capacity, services, tokens
from .models import Booking
from .views import active_offers

router = Router(tags=["Terminvergabe"])

MAX_RANGE_DAYS = 31


class ErrorOut(Schema):
    detail: str
    field: str | None = None
    reason: str
    alternatives: list[datetime] = []


class OfferAvailability(Schema):
    service: str
    resource: str
    resource_name: str
    location: str
    location_name: str
    address: str
    persons: int
    free: list[datetime]


class HoldIn(Schema):
    service: str
    resource: str
    start: datetime
    persons: int = 1
    name: str
    email: str
    phone: str = ""
    idempotency_key: str | None = None


class BookingOut(Schema):
    code: str
    status: str
    service: str
    resource: str
    starts_at: datetime
    ends_at: datetime
    persons: int
    hold_expires_at: datetime | None
    fee: str | None
    message: str


class TokenIn(Schema):
    token: str


class RebookIn(Schema):
    token: str
    start: datetime


def _error(error: services.BookingError):
    status = 409 if error.reason in ("taken", "already_booked", "expired", "not_active") else 422
    if error.reason == "busy":
        status = 503
    return Status(
        status,
        {
            "detail": error.message,
            "field": error.field,
            "reason": error.reason,
            "alternatives": error.alternatives,
        },
    )


def _aware(value: datetime) -> datetime:
    """Times without an offset are read as local time (Europe/Berlin)."""
    return value if timezone.is_aware(value) else value.replace(tzinfo=capacity.TZ)


def _out(booking: Booking, message: str) -> dict:
    return {
        "code": booking.code,
        "status": booking.status,
        "service": booking.service.slug,
        "resource": booking.resource.slug,
        "starts_at": booking.starts_at,
        "ends_at": booking.ends_at,
        "persons": booking.persons,
        "hold_expires_at": booking.hold_expires_at,
        "fee": str(booking.fee) if booking.fee is not None else None,
        "message": message,
    }


@router.get(
    "/availability",
    response={200: list[OfferAvailability], 404: ErrorOut, 422: ErrorOut},
    summary="Freie Startzeiten einer Leistung",
)
def availability(
    request,
    service: str,
    location: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    persons: int = 1,
):
    """Free start times per location (or room) for ``persons``, at most 31 days at once.

    ``location`` is the slug of a location or of a bookable resource (e.g. a room).
    """
    offers = active_offers(request.municipality).filter(service__slug=service)
    if location:
        offers = offers.filter(resource__slug=location) | offers.filter(
            resource__location__slug=location
        )
    offers = [o for o in offers if o.max_persons >= persons]
    if not offers:
        return Status(
            404, {"detail": "Diese Leistung ist hier nicht buchbar.", "reason": "not_offered"}
        )
    first = date_from or timezone.localdate()
    last = date_to or first + timedelta(days=13)
    if last < first or (last - first).days >= MAX_RANGE_DAYS:
        return Status(
            422,
            {
                "detail": f"Der Zeitraum muss zwischen 1 und {MAX_RANGE_DAYS} Tagen liegen.",
                "field": "date_to",
                "reason": "range",
            },
        )
    found = capacity.free_starts_by_resource(
        offers,
        max(persons, 1),
        capacity.local(first, time.min),
        capacity.local(last + timedelta(days=1), time.min),
    )
    return Status(
        200,
        [
            {
                "service": o.service.slug,
                "resource": o.resource.slug,
                "resource_name": o.resource.name,
                "location": o.resource.location.slug,
                "location_name": o.resource.location.name,
                "address": o.resource.location.address_line,
                "persons": persons,
                "free": found[o.pk],
            }
            for o in offers
        ],
    )


@router.post(
    "/holds",
    response={201: BookingOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    summary="Termin für 15 Minuten reservieren (Bestätigung per E-Mail)",
)
def create_hold(request, payload: HoldIn):
    verdict = hit("appointments-hold", client_ip(request), 20, 600)
    if not verdict.allowed:
        return too_many(request, verdict)
    offer = (
        active_offers(request.municipality)
        .filter(service__slug=payload.service, resource__slug=payload.resource)
        .first()
    )
    if offer is None:
        return Status(
            404, {"detail": "Diese Leistung ist hier nicht buchbar.", "reason": "not_offered"}
        )
    if not payload.name.strip() or "@" not in payload.email:
        field = "name" if not payload.name.strip() else "email"
        return Status(
            422,
            {
                "detail": "Bitte Name und E-Mail-Adresse angeben.",
                "field": field,
                "reason": "required",
            },
        )
    try:
        booking = services.hold(
            offer,
            _aware(payload.start),
            name=payload.name[:200],
            email=payload.email[:254],
            phone=payload.phone[:40],
            persons=payload.persons,
            idempotency_key=(payload.idempotency_key or "")[:64] or None,
        )
    except services.BookingError as error:
        return _error(error)
    return Status(
        201,
        _out(booking, "Reserviert. Bitte bestätigen Sie den Termin über den Link in der E-Mail."),
    )


def _by_token(loader, token, request) -> Booking:
    try:
        return loader(token, request.municipality)
    except tokens.InvalidToken as exc:
        raise HttpError(404, "Dieser Link ist ungültig oder abgelaufen.") from exc


@router.post(
    "/bookings/confirm",
    response={200: BookingOut, 404: ErrorOut, 409: ErrorOut},
    summary="Reservierung bestätigen (Token aus der E-Mail)",
)
def confirm_booking(request, payload: TokenIn):
    booking = _by_token(tokens.booking_for_confirm, payload.token, request)
    try:
        services.confirm(booking)
    except services.BookingError as error:
        return _error(error)
    return Status(200, _out(booking, "Der Termin ist bestätigt."))


@router.post(
    "/bookings/cancel",
    response={200: BookingOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Termin absagen (Verwaltungs-Token aus der E-Mail)",
)
def cancel_booking(request, payload: TokenIn):
    booking = _by_token(tokens.booking_for_manage, payload.token, request)
    try:
        done = services.cancel(booking, reason="über die API abgesagt")
    except services.BookingError as error:
        return _error(error)
    if not done:
        return Status(
            409, {"detail": "Dieser Termin ist nicht mehr aktiv.", "reason": "not_active"}
        )
    booking.refresh_from_db()
    return Status(200, _out(booking, "Der Termin ist abgesagt."))


@router.post(
    "/bookings/rebook",
    response={200: BookingOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    summary="Termin verschieben (atomar: der alte bleibt, wenn der neue nicht frei ist)",
)
def rebook_booking(request, payload: RebookIn):
    booking = _by_token(tokens.booking_for_manage, payload.token, request)
    try:
        booking = services.rebook(booking, _aware(payload.start))
    except services.BookingError as error:
        return _error(error)
    return Status(200, _out(booking, "Der Termin wurde verschoben."))
