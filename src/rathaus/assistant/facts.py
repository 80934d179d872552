"""Everything the municipality's own data says about one service, gathered for an answer."""

from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse
from django.utils import timezone

from rathaus.catalog.models import MaturityLevel
from rathaus.core.opening import Day, day_schedule

from . import live


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    kind: str = "service"  # service | office | location | booking | online


@dataclass(frozen=True)
class FeeLine:
    label: str
    amount: str
    note: str = ""


@dataclass(frozen=True)
class Place:
    name: str
    address: str
    url: str
    today: Day
    phone: str = ""
    # For "when are walk-ins possible next" (core.walkin); not part of the answer's data.
    location: object = field(default=None, compare=False, repr=False)


@dataclass
class ServiceFacts:
    service: object
    name: str
    summary: str
    url: str
    fees: list[FeeLine] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    requirements: str = ""
    deadlines: str = ""
    processing_time: str = ""
    office_name: str = ""
    office_url: str = ""
    office_phone: str = ""
    places: list[Place] = field(default_factory=list)
    online_url: str = ""
    planned_online: str = ""
    appointment_required: bool = False
    next_appointment: live.NextAppointment | None = None
    booking_url: str = ""
    waiting: list[live.WaitingTime] = field(default_factory=list)
    #: The moment the question was asked: "next walk-in hours" count from it.
    now: datetime | None = None
    # For an English answer: the parts only available in German (marked as such).
    german: frozenset[str] = frozenset()


def euro(value, english: bool = False) -> str:
    """46 -> '46 €', 27.6 -> '27,60 €' (German) or '27.60 €' (English, as the service page)."""
    text = f"{value:,.2f}"
    if english:
        return text.removesuffix(".00") + " €"
    text = text.replace(",", "X").replace(".", ",").replace("X", ".")
    return text.removesuffix(",00") + " €"


def fee_lines(service, english: bool = False) -> list[FeeLine]:
    """The service's fee rows as shown; English labels and notes where staff wrote them."""
    lines = []
    for fee in service.fees.all():
        amount = euro(fee.amount, english)
        if fee.reduction_percent:
            amount = f"−{fee.reduction_percent} %"
        elif fee.amount_max is not None and fee.amount_max != fee.amount:
            amount = f"{amount} – {euro(fee.amount_max, english)}"
        label = (english and getattr(fee, "label_en", "")) or fee.label
        note = (english and getattr(fee, "note_en", "")) or fee.note
        lines.append(FeeLine(label, amount, note))
    return lines


def _german_parts(service) -> frozenset[str]:
    """Which parts of an English answer fall back to the German catalog text."""
    parts = set()
    if any(not getattr(fee, "label_en", "") for fee in service.fees.all()):
        parts.add("fees")
    for part in ("documents", "requirements", "deadlines", "processing_time"):
        if getattr(service, part) and not getattr(service, f"{part}_en", None):
            parts.add(part)
    return frozenset(parts)


def english_or_german(service, field: str, english: bool):
    """(value, is_english): the English text where staff wrote one, else the German."""
    if english:
        value = getattr(service, f"{field}_en", None)
        if value:
            return value, True
    return getattr(service, field), False


def places_of(service, today, limit: int = 3) -> list[Place]:
    locations = list(service.locations.all()) or list(service.office.locations.all())
    places = []
    for location in locations[:limit]:
        places.append(
            Place(
                name=location.name,
                address=location.address_line,
                url=reverse("core:location", args=[location.slug]),
                today=day_schedule(location, today),
                phone=location.phone,
                location=location,
            )
        )
    return places


def online_link(service) -> str:
    """The online service: the municipality's own published form first, else the
    catalog's link, but only when the catalog says it can really be done online."""
    own_form = live.online_forms.url(service)
    if own_form:
        return own_form
    if service.online_url and service.maturity_level >= MaturityLevel.ONLINE:
        return service.online_url
    return ""


def planned_online(service) -> str:
    if service.planned_level and service.planned_level >= MaturityLevel.ONLINE:
        return service.planned_date.strftime("%d.%m.%Y") if service.planned_date else "?"
    return ""


PLACE_INTENTS = {"where", "hours", "appointment", "waiting"}


def gather(
    service, *, english: bool = False, now: datetime | None = None, intents=()
) -> ServiceFacts:
    """The facts an answer about ``intents`` needs (places and free times only if asked)."""
    now = now or timezone.localtime()
    office = service.office
    facts = ServiceFacts(
        service=service,
        name=(service.name_en if english and service.name_en else service.name),
        summary=(service.summary_en if english and service.summary_en else service.summary),
        url=service.get_absolute_url(),
        fees=fee_lines(service, english),
        documents=[
            str(d).strip()
            for d in (english_or_german(service, "documents", english)[0] or [])
            if str(d).strip()
        ],
        requirements=english_or_german(service, "requirements", english)[0].strip(),
        deadlines=english_or_german(service, "deadlines", english)[0].strip(),
        processing_time=english_or_german(service, "processing_time", english)[0].strip(),
        office_name=office.name,
        office_url=reverse("core:office", args=[office.slug]),
        office_phone=office.phone,
        places=places_of(service, now.date()) if PLACE_INTENTS & set(intents) else [],
        online_url=online_link(service),
        planned_online=planned_online(service),
        appointment_required=service.appointment_required,
        now=now,
    )
    if english:
        facts.german = _german_parts(service)
    if "appointment" in intents:
        facts.next_appointment = live.appointments.next_free(service, now=now)
    facts.booking_url = (
        facts.next_appointment.booking_url
        if facts.next_appointment
        else (live.appointments.booking_url(service) or "")
    )
    return facts


def waiting_times(service) -> list[live.WaitingTime]:
    """Current waiting times at the service's locations (empty when not available)."""
    locations = list(service.locations.all()) or list(service.office.locations.all())
    found = []
    for location in locations[:3]:
        estimate = live.waiting_times.current(service, location)
        if estimate is not None:
            found.append(estimate)
    return found
