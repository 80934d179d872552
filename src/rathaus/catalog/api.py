"""JSON API of the catalog (mounted at /api/v1/catalog/): services, taxonomy, offices, locations.

Everything is scoped to the municipality of the request's host name.
"""

from datetime import date, time
from decimal import Decimal
from typing import Annotated

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import WithJsonSchema

from rathaus.core.models import Location, Office, OpeningHours
from rathaus.core.parsing import try_id

from . import search
from .models import LifeSituation, Service, Topic

router = Router(tags=["Leistungskatalog"])


class Error(Schema):
    detail: str
    field: str | None
    reason: str


class TopicOut(Schema):
    slug: str
    name: str
    name_en: str
    description: str


class LifeSituationOut(TopicOut):
    pass


class FeeOut(Schema):
    label: str
    amount: Decimal
    amount_max: Decimal | None
    note: str


class MaturityChangeOut(Schema):
    level: int
    changed_on: date


class OfficeRef(Schema):
    slug: str
    name: str


class ServiceSummary(Schema):
    id: int
    slug: str
    leika_key: str
    name: str
    name_en: str
    summary: str
    topic: str = Field(..., alias="topic.slug")
    office: str = Field(..., alias="office.slug")
    maturity_level: int
    online_url: str
    url: str = Field(..., alias="get_absolute_url")


class ServiceDetail(ServiceSummary):
    summary_en: str
    description: str
    requirements: str
    documents: list[str]
    procedure: str
    legal_basis: str
    deadlines: str
    processing_time: str
    synonyms: str
    keywords_en: str
    hints: str
    life_situations: list[str]
    locations: list[str]
    trust_level: str
    planned_level: int | None
    planned_date: date | None
    appointment_required: bool
    fees: list[FeeOut]
    maturity_history: list[MaturityChangeOut]
    responsible_office: OfficeRef = Field(..., alias="office")

    @staticmethod
    def resolve_life_situations(obj):
        return [s.slug for s in obj.life_situations.all()]

    @staticmethod
    def resolve_locations(obj):
        return [loc.slug for loc in obj.locations.all()]


class ServicePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ServiceSummary]


class ServiceFilters(Schema):
    q: str | None = Field(None, max_length=200, description="Suchtext (wie die Suche)")
    topic: str | None = Field(None, description="Slug des OZG-Themenfelds")
    life_situation: str | None = Field(None, description="Slug der Lebenslage")
    maturity: int | None = Field(None, ge=0, le=4, description="Reifegrad 0–4")
    office: str | None = Field(None, description="Slug der zuständigen Stelle")
    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(20, ge=1, le=100)


# A local wall-clock time "08:00:00": JSON Schema's "time" format (RFC 3339) would
# demand a UTC offset, which opening hours do not have.
ClockTime = Annotated[
    time,
    WithJsonSchema({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?$"}),
]


class HoursOut(Schema):
    weekday: int
    kind: str
    opens: ClockTime
    closes: ClockTime
    note: str


class LocationOut(Schema):
    slug: str
    name: str
    office: str = Field(..., alias="office.slug")
    street: str
    postcode: str
    city: str
    latitude: Decimal | None
    longitude: Decimal | None
    phone: str
    email: str
    room: str
    step_free: bool
    hearing_loop: bool
    accessible_toilet: bool
    opening_hours: list[HoursOut]

    @staticmethod
    def resolve_opening_hours(obj):
        return list(obj.opening_hours.all())


class OfficeOut(Schema):
    slug: str
    name: str
    short_name: str
    description: str
    phone: str
    email: str
    locations: list[str]

    @staticmethod
    def resolve_locations(obj):
        return [loc.slug for loc in obj.locations.all()]


def _published(request):
    return Service.objects.for_municipality(request.municipality).filter(is_published=True)


def _unprocessable(field: str, detail: str):
    return Status(422, {"detail": detail, "field": field, "reason": "unknown_value"})


@router.get(
    "/services",
    response={200: ServicePage, 422: Error},
    summary="Leistungen (gefiltert, seitenweise)",
)
def list_services(request, filters: Query[ServiceFilters]):
    services = _published(request).select_related("topic", "office")
    if filters.topic:
        if not Topic.objects.filter(slug=filters.topic).exists():
            return _unprocessable("topic", "Unbekanntes Themenfeld.")
        services = services.filter(topic__slug=filters.topic)
    if filters.life_situation:
        if not LifeSituation.objects.filter(slug=filters.life_situation).exists():
            return _unprocessable("life_situation", "Unbekannte Lebenslage.")
        services = services.filter(life_situations__slug=filters.life_situation)
    if filters.office:
        offices = Office.objects.for_municipality(request.municipality)
        if not offices.filter(slug=filters.office).exists():
            return _unprocessable("office", "Unbekannte Organisationseinheit.")
        services = services.filter(office__slug=filters.office)
    if filters.maturity is not None:
        services = services.filter(maturity_level=filters.maturity)
    if filters.q and filters.q.strip():
        ranked = [h.service_id for h in search.search(request.municipality, filters.q, 200)]
        by_id = services.in_bulk(ranked)
        rows = [by_id[i] for i in ranked if i in by_id]
    else:
        rows = list(services.order_by("name"))
    start = (filters.page - 1) * filters.page_size
    return {
        "count": len(rows),
        "page": filters.page,
        "page_size": filters.page_size,
        "results": rows[start : start + filters.page_size],
    }


@router.get(
    "/services/{key}",
    response={200: ServiceDetail, 404: Error},
    summary="Eine Leistung (nach Kennung/Slug oder numerischer ID)",
)
def get_service(request, key: str):
    services = (
        _published(request)
        .select_related("topic", "office")
        .prefetch_related("fees", "maturity_history", "life_situations", "locations")
    )
    service_id = try_id(key)  # ASCII digits in the id range; "²" or 40 digits are a slug
    lookup = {"pk": service_id} if service_id is not None else {"slug": key}
    return get_object_or_404(services, **lookup)


@router.get("/topics", response=list[TopicOut], summary="Die 14 OZG-Themenfelder")
def list_topics(request):
    return Topic.objects.all()


@router.get("/life-situations", response=list[LifeSituationOut], summary="Lebenslagen")
def list_life_situations(request):
    return LifeSituation.objects.all()


@router.get("/offices", response=list[OfficeOut], summary="Organisationseinheiten")
def list_offices(request):
    return (
        Office.objects.for_municipality(request.municipality)
        .prefetch_related("locations")
        .order_by("name")
    )


@router.get("/offices/{slug}", response={200: OfficeOut, 404: Error}, summary="Eine Stelle")
def get_office(request, slug: str):
    return get_object_or_404(Office.objects.for_municipality(request.municipality), slug=slug)


def _locations(request):
    return (
        Location.objects.for_municipality(request.municipality)
        .select_related("office")
        .prefetch_related(
            Prefetch("opening_hours", queryset=OpeningHours.objects.order_by("weekday", "opens"))
        )
        .order_by("name")
    )


@router.get("/locations", response=list[LocationOut], summary="Standorte mit Öffnungszeiten")
def list_locations(request):
    return _locations(request)


@router.get("/locations/{slug}", response={200: LocationOut, 404: Error}, summary="Ein Standort")
def get_location(request, slug: str):
    location = _locations(request).filter(slug=slug).first()
    if location is None:
        raise Http404
    return location
