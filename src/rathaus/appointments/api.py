"""JSON API of the Terminvergabe: availability, hold, confirm, cancel, rebook.

Confirm, cancel and rebook take the signed tokens from the e-mails, so the API
keeps the double opt-in: a hold alone never becomes a booking.
"""

import gzip
import json
from datetime import UTC, date, datetime, time, timedelta

from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel

from rathaus.core import gzipjoin, memo
from rathaus.core.parsing import ParseError, has_control_characters
from rathaus.core.ratelimit import client_ip, hit, too_many

from . import antibot, capacity, services, shown_offers, tokens
from .models import Booking, Offer
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


# A plain pydantic model, not ``ninja.Schema``: a JSON body needs no attribute getter,
# and Schema's wrapping validator cost ~30 µs of every hold (issue 24). The published
# schema is the same (tests/appointments/test_api_bytes.py); no docstring, which would
# become its description.
class HoldIn(BaseModel):
    service: str
    resource: str
    start: datetime
    persons: int = 1
    name: str
    email: str
    phone: str = ""
    idempotency_key: str | None = None
    altcha: str | None = None


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


# The booking service's field names where the API's body calls them differently.
API_FIELDS = {"starts_at": "start"}


def _error(error: services.BookingError, request=None):
    status = 409 if error.reason in ("taken", "already_booked", "expired", "not_active") else 422
    if error.reason == "busy" and request is not None:
        from .busy import busy_response

        return busy_response(request)  # 503 with Retry-After
    return Status(
        status,
        {
            "detail": error.message,
            "field": API_FIELDS.get(error.field, error.field),
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
    offers = [
        o
        for o in shown_offers.for_availability(request.municipality, service, location)
        if o.max_persons >= persons
    ]
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
    # The answer is cached gzipped, not as objects, one piece per location: a hit joins
    # the stored pieces (or unpacks them for the rare client without gzip); neither a hit
    # nor a miss goes through the response schema's validation, which cost ~20 ms for 10
    # locations x 14 days (ADR 0093). After a booking only its location's piece is
    # computed again (ADR 0095). The bytes are exactly what the schema's rendering gives
    # (tests/appointments/test_api_bytes.py).
    after: list = []  # work for after the answer is sent
    pieces = capacity.rendered_free_starts(
        offers,
        max(persons, 1),
        capacity.local(first, time.min),
        capacity.local(last + timedelta(days=1), time.min),
        render=_availability_renderer(persons),
        shape=lambda o: _shape(o, persons),
        later=after.append,
    )
    packed = gzipjoin.join(_joined(pieces))
    # META, not request.headers: that builds a dict of every header (~25 µs a read).
    if re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = _ThenResponse(packed, after, content_type="application/json; charset=utf-8")
        response["Content-Encoding"] = "gzip"
    else:
        response = _ThenResponse(
            gzip.decompress(packed), after, content_type="application/json; charset=utf-8"
        )
    response["Vary"] = "Accept-Encoding"
    return response


class _ThenResponse(HttpResponse):
    """A response that runs ``then`` when the server closes it, i.e. after the body is
    sent (WSGI ``close()``): a miss stores its new pieces while the caller already reads
    the answer (one Redis round trip less in the response time, ADR 0095)."""

    def __init__(self, content, then: list, **kwargs):
        super().__init__(content, **kwargs)
        self._then = then

    def close(self) -> None:
        try:
            super().close()
        finally:
            then, self._then = self._then, []
            for fn in then:
                fn()


#: gzip level of a location's piece: 10 locations x 14 days = 19.7 KB on the wire (a piece
#: cannot refer to the one before, so the locations' equal times are no longer shared).
#: On these texts (fixed-width times) level 4 is both smaller and faster than 6 (22.1 KB,
#: ~2x the CPU) and than 1-3 (23.4-23.9 KB) (ADR 0102). Packed on a miss for the changed
#: location only.
GZIP_LEVEL = 4
_OPEN, _COMMA, _CLOSE = (gzipjoin.piece(text, GZIP_LEVEL) for text in (b"[", b", ", b"]"))


def _joined(pieces: list) -> list:
    """``[``, the pieces separated by ``, ``, ``]``: the JSON list ninja writes."""
    joined = [_OPEN]
    for i, piece in enumerate(pieces):
        if i:
            joined.append(_COMMA)
        joined.append(piece)
    joined.append(_CLOSE)
    return joined


def _availability_renderer(persons: int):
    """``render`` for ``capacity.rendered_free_starts``: one ``OfferAvailability`` as a
    ``gzipjoin`` piece, byte for byte as ninja renders it (``json.dumps``, times in UTC
    as ``…Z``), and its layout: where each day's times are in its text, so that a day
    given as None is copied from the previous piece instead of read again (ADR 0102)."""

    def render(o, days: list, previous):
        # json.dumps(head) ends in '"free": []}'; the times go between the brackets.
        head = json.dumps(_head(o, persons))[:-2].encode()
        old = gzipjoin.unpack(previous[0]) if previous else b""
        spans = previous[1] if previous else ()
        parts, layout, at = [head], [], len(head)
        for i, free in enumerate(days):
            text = _day_text(free) if free is not None else old[spans[i][0] : spans[i][1]]
            if text and at > len(head):
                parts.append(b", ")
                at += 2
            parts.append(text)
            layout.append((at, at + len(text)))
            at += len(text)
        parts.append(b"]}")
        return gzipjoin.piece(b"".join(parts), GZIP_LEVEL), tuple(layout)

    return render


def _day_text(free: list[int]) -> bytes:
    return ", ".join([_quoted.get(s) or _quote(s) for s in free]).encode()


#: Start times as quoted JSON text, by epoch second: locations and requests share them
#: (a miss formats one location's times, ~840 for 14 days). Bounded; shared by threads.
_quoted: dict[int, str] = {}


def _quote(epoch: int) -> str:
    if len(_quoted) >= 100_000:
        _quoted.clear()
    found = _quoted[epoch] = f'"{_utc_text(epoch)}"'
    return found


def _head(o, persons: int) -> dict:
    """An ``OfferAvailability`` without its times (``free`` last, empty)."""
    return {
        "service": o.service.slug,
        "resource": o.resource.slug,
        "resource_name": o.resource.name,
        "location": o.resource.location.slug,
        "location_name": o.resource.location.name,
        "address": o.resource.location.address_line,
        "persons": persons,
        "free": [],
    }


def _shape(o, persons: int) -> tuple:
    """What a piece echoes besides its times (``_head`` but "free"), derived once per
    remembered offer (``core.memo.derived``; ~7 µs per location on every read, issue 24)."""
    return memo.derived(o, ("head", persons), lambda: tuple(_head(o, persons).values())[:-1])


def _utc_text(epoch: int) -> str:
    """An epoch second as DjangoJSONEncoder writes an aware UTC datetime (…Z)."""
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat().replace("+00:00", "Z")


@router.post(
    "/holds",
    response={201: BookingOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 503: ErrorOut},
    summary="Termin für 15 Minuten reservieren (Bestätigung per E-Mail)",
)
def create_hold(request, payload: HoldIn):
    """Needs a solved ALTCHA challenge (``GET /altcha-challenge``) in ``altcha``."""
    _refuse_control_characters(payload, HOLD_TEXTS)
    verdict = antibot.limit(request, "hold", payload.email, payload.phone)
    if verdict:
        return too_many(request, verdict)
    proof = antibot.check({"altcha": payload.altcha})
    if not proof.ok:
        return Status(422, {"detail": proof.message, "field": "altcha", "reason": "altcha"})
    offer = _offer_for_hold(request.municipality, payload.service, payload.resource)
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
        return _error(error, request)
    # The offer was loaded with its service and resource: no query each for the answer.
    booking.service, booking.resource = offer.service, offer.resource
    return _rendered(201, _out(booking, HELD))


#: The hold's texts that are stored or looked up. A NUL or a lone surrogate in one of them
#: made PostgreSQL (or the driver's encoding) fail: a 500 instead of a 400 (issue 24).
HOLD_TEXTS = ("service", "resource", "name", "email", "phone", "idempotency_key")


def _refuse_control_characters(payload, fields: tuple[str, ...]) -> None:
    """As ``core.parsing`` refuses them in every text from outside: 400 with the field."""
    for field in fields:
        value = getattr(payload, field)
        texts = value if isinstance(value, list) else (value,)
        if any(text and has_control_characters(text, multiline=False) for text in texts):
            raise ParseError(field, "Der Text enthält Steuerzeichen.", "control_characters")


HELD = "Reserviert. Bitte bestätigen Sie den Termin über den Link in der E-Mail."


def _rendered(status: int, body: dict) -> HttpResponse:
    """``body`` as django-ninja renders it through the declared schema (its encoder, the
    schema's key order), without the validation round trip through pydantic that costs
    ~0.1 ms of a ~2 ms hold (issue 24). ``tests/appointments/test_api_bytes.py`` compares
    the bytes with the schema's rendering and validates them against the OpenAPI schema."""
    return HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def _offer_for_hold(town, service: str, resource: str) -> Offer | None:
    """The active offer of ``service`` at ``resource``, from the offers the availability
    read remembers (``shown_offers``, ``core.memo``): no query on a hold (ADR 0100). A
    change saved to an offer, its service, resource, location or town is seen by the next
    request of every process, as for the availability read; the guarded booking statement
    decides about capacity in the database in any case."""
    for offer in shown_offers.for_availability(town, service, None):
        if offer.resource.slug == resource:
            return offer
    return None


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
        return _error(error, request)
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
        return _error(error, request)
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
        return _error(error, request)
    return Status(200, _out(booking, "Der Termin wurde verschoben."))


# --- Fair release: ALTCHA challenge and lotteries (ADR 0021, 0022) ---------------------


class LotteryOut(Schema):
    id: int
    name: str
    opens_at: datetime
    closes_at: datetime
    first_day: date
    last_day: date
    status: str
    services: list[str]
    resources: list[str]


class LotteryEntryIn(Schema):
    service: str
    resources: list[str] = []
    days: list[date] = []
    time_of_day: str = "any"
    name: str
    email: str
    phone: str = ""
    altcha: str | None = None


#: Stored or looked up, as ``HOLD_TEXTS``.
LOTTERY_TEXTS = ("service", "resources", "time_of_day", "name", "email", "phone")


class LotteryEntryOut(Schema):
    lottery: int
    status: str
    message: str


@router.get("/altcha-challenge", summary="ALTCHA-Aufgabe (Proof of Work) für Reservierungen")
def altcha_challenge(request):
    verdict = hit("appointments-altcha", client_ip(request), 120, 600)
    if not verdict.allowed:
        return too_many(request, verdict)
    return antibot.challenge()


def _lottery_out(draw) -> dict:
    resources = list(draw.schedule.resources.all())
    offers = Offer.objects.filter(resource__in=resources, is_active=True)
    return {
        "id": draw.pk,
        "name": draw.schedule.name,
        "opens_at": draw.opens_at,
        "closes_at": draw.closes_at,
        "first_day": draw.first_day,
        "last_day": draw.last_day,
        "status": draw.status,
        "services": sorted({o.service.slug for o in offers.select_related("service")}),
        "resources": sorted(r.slug for r in resources),
    }


@router.get("/lotteries", response=list[LotteryOut], summary="Offene und kommende Verlosungen")
def lotteries(request):
    from . import releases

    return [_lottery_out(d) for d in releases.upcoming_lotteries(request.municipality)]


@router.post(
    "/lotteries/{lottery_id}/entries",
    response={201: LotteryEntryOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="An einer Verlosung teilnehmen (ein Eintrag je Person)",
)
def enter_lottery(request, lottery_id: int, payload: LotteryEntryIn):
    from . import lottery
    from .models import Lottery, Resource

    _refuse_control_characters(payload, LOTTERY_TEXTS)
    verdict = antibot.limit(request, "lottery", payload.email, payload.phone)
    if verdict:
        return too_many(request, verdict)
    draw = Lottery.objects.for_municipality(request.municipality).filter(pk=lottery_id).first()
    if draw is None:
        return Status(404, {"detail": "Diese Verlosung gibt es nicht.", "reason": "not_found"})
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
    proof = antibot.check({"altcha": payload.altcha})
    if not proof.ok:
        return Status(422, {"detail": proof.message, "field": "altcha", "reason": "altcha"})
    offer = (
        active_offers(request.municipality)
        .filter(service__slug=payload.service, resource__in=draw.schedule.resources.all())
        .first()
    )
    if offer is None:
        return Status(
            422,
            {
                "detail": "Diese Leistung wird hier nicht verlost.",
                "field": "service",
                "reason": "service",
            },
        )
    resource_ids = Resource.objects.filter(
        municipality=request.municipality, slug__in=payload.resources
    ).values_list("pk", flat=True)
    try:
        lottery.enter(
            draw,
            service=offer.service,
            resource_ids=list(resource_ids),
            days=payload.days,
            time_of_day=payload.time_of_day,
            name=payload.name,
            email=payload.email[:254],
            phone=payload.phone,
        )
    except lottery.LotteryError as error:
        status = 409 if error.reason in ("already_entered", "closed") else 422
        return Status(
            status, {"detail": error.message, "field": error.field, "reason": error.reason}
        )
    return Status(
        201,
        {
            "lottery": draw.pk,
            "status": "entered",
            "message": (
                "Teilnahme eingegangen. Das Ergebnis erhalten Sie nach der Verlosung per E-Mail."
            ),
        },
    )
