"""OParl 1.1 read API (plain Django JSON views, in the exact shape of the spec).

Entry point: ``/rat/oparl/v1/system``. Every id is the URL of the object; external
lists are paged (``data``, ``pagination``, ``links``), accept
``created_since/created_until/modified_since/modified_until`` (and ``limit``),
keep their filters in the ``next`` link and list soft-deleted objects as
``{"id", "type", "created", "modified", "deleted": true}`` only when
``modified_since`` is given. Non-public papers, agenda items and files are
never served; every response carries ``Access-Control-Allow-Origin: *``.
"""

import json
from datetime import datetime
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path

from rathaus.core.parsing import ParseError, parse_datetime, parse_optional_int

from . import services
from .models import (
    AgendaItem,
    Body,
    Consultation,
    File,
    LegislativeTerm,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
    Place,
    agenda_published,
)
from .oparl_serializers import Serializer, prepare_papers
from .search import public_files

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
FILTERS = ("created_since", "created_until", "modified_since", "modified_until")


def json_response(data, status=200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error(status: int, message: str, field: str | None = None) -> HttpResponse:
    return json_response({"detail": message, "field": field, "reason": "oparl_error"}, status)


def parse_error(exc: ParseError) -> HttpResponse:
    return error(400, f"Ungültiger Wert für {exc.field}: {exc.reason}", exc.field)


# --- Querysets of what the API may show ---------------------------------------------


def _public_file_prefetch():
    return Prefetch("files", queryset=File.objects.filter(public=True, deleted=False))


def querysets(municipality) -> dict:
    """kind -> (queryset incl. deleted, serializer method). Never any non-public row."""
    scoped = {
        model: model.objects.for_municipality(municipality)
        for model in (
            Organization,
            Person,
            Meeting,
            Paper,
            AgendaItem,
            Consultation,
            LegislativeTerm,
            Place,
            Membership,
        )
    }
    return {
        "organization": (
            scoped[Organization].select_related("place").prefetch_related("memberships"),
            "organization",
        ),
        "person": (scoped[Person].prefetch_related("memberships"), "person"),
        "meeting": (
            scoped[Meeting]
            .select_related("place")
            .prefetch_related(
                Prefetch(
                    "agenda_items",
                    queryset=AgendaItem.objects.order_by("order")
                    .select_related("consultation__paper", "meeting")
                    .prefetch_related(_public_file_prefetch()),
                ),
                Prefetch(
                    "files",
                    queryset=File.objects.filter(public=True, deleted=False),
                    to_attr="public_files",
                ),
                "attendances",
            ),
            "meeting",
        ),
        "paper": (
            # No select_related("superordinated"): the self-join turns the paged index
            # scan into a hash join and sort on PostgreSQL (see docs/performance.md).
            scoped[Paper]
            .filter(public=True)
            .prefetch_related(
                _public_file_prefetch(),
                Prefetch(
                    "consultations",
                    queryset=Consultation.objects.select_related("agenda_item__meeting").order_by(
                        "order"
                    ),
                ),
            ),
            "paper",
        ),
        "agendaItem": (
            scoped[AgendaItem]
            .filter(public=True)
            .filter(agenda_published(prefix="meeting__"))
            .select_related("consultation__paper", "meeting")
            .prefetch_related(_public_file_prefetch()),
            "agenda_item",
        ),
        "consultation": (
            scoped[Consultation].filter(paper__public=True).select_related("agenda_item__meeting"),
            "consultation",
        ),
        "file": (public_files_with_deleted(municipality), "file"),
        "locationList": (scoped[Place], "location"),
        "legislativeTermList": (scoped[LegislativeTerm], "legislative_term"),
        "membership": (scoped[Membership], "membership"),
    }


def public_files_with_deleted(municipality):
    """Public files, plus deleted ones that were public (for tombstones)."""
    alive = public_files(municipality)
    gone = File.objects.for_municipality(municipality).filter(deleted=True, public=True)
    return File.objects.filter(pk__in=alive.values("pk")) | File.objects.filter(
        pk__in=gone.values("pk")
    )


PREPARE = {"paper": prepare_papers}


OBJECT_KINDS = {
    "body": "body",
    "organization": "organization",
    "person": "person",
    "meeting": "meeting",
    "paper": "paper",
    "agendaitem": "agendaItem",
    "consultation": "consultation",
    "file": "file",
    "location": "locationList",
    "legislativeterm": "legislativeTermList",
    "membership": "membership",
}


# --- Lists ---------------------------------------------------------------------------


def _parse_filters(request) -> dict:
    parsed = {}
    for name in FILTERS:
        raw = request.GET.get(name)
        if raw is None:
            continue
        # A "+" of the offset arrives as a space when a client does not encode it.
        parsed[name] = parse_datetime(raw.replace(" ", "+"), name)
    return parsed


def _apply_filters(queryset, filters: dict):
    lookups = {
        "created_since": "created__gte",
        "created_until": "created__lte",
        "modified_since": "modified__gte",
        "modified_until": "modified__lte",
    }
    for name, value in filters.items():
        queryset = queryset.filter(**{lookups[name]: value})
    if "modified_since" not in filters:
        queryset = queryset.filter(deleted=False)
    return queryset


def _page_size(request) -> int:
    return parse_optional_int(
        request.GET.get("limit"), "limit", default=PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE
    )


def paged(request, queryset, render_one, prepare=None) -> HttpResponse:
    try:
        filters = _parse_filters(request)
        size = _page_size(request)
        number = parse_optional_int(request.GET.get("page"), "page", default=1, minimum=1)
    except ParseError as exc:
        return parse_error(exc)
    queryset = _apply_filters(queryset, filters).order_by("id")
    paginator = Paginator(queryset, size, allow_empty_first_page=True)
    try:
        page = paginator.page(number)
    except EmptyPage:
        return error(404, "Diese Seite gibt es nicht.")
    objects = list(page.object_list)
    if prepare is not None:
        prepare([o for o in objects if not o.deleted])
    keep = {k: request.GET[k] for k in (*FILTERS, "limit") if k in request.GET}
    base = request.build_absolute_uri(request.path)

    def link(number):
        return f"{base}?{urlencode({**keep, 'page': number})}"

    links = {"first": link(1), "self": link(page.number), "last": link(paginator.num_pages)}
    if page.has_previous():
        links["prev"] = link(page.previous_page_number())
    if page.has_next():
        links["next"] = link(page.next_page_number())
    return json_response(
        {
            "data": [render_one(obj) for obj in objects],
            "pagination": {
                "totalElements": paginator.count,
                "elementsPerPage": size,
                "currentPage": page.number,
                "totalPages": paginator.num_pages,
            },
            "links": links,
        }
    )


# --- Views ----------------------------------------------------------------------------


def cors(view):
    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Accept"
            return response
        if request.method not in ("GET", "HEAD"):
            return error(405, "Nur GET ist erlaubt.")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    return wrapped


@cors
def system(request):
    return json_response(Serializer(request).system())


@cors
def body_list(request):
    serializer = Serializer(request)
    services.body_of(request.municipality)
    bodies = Body.objects.for_municipality(request.municipality).select_related("municipality")
    return paged(request, bodies, serializer.body)


@cors
def body_sublist(request, pk, kind):
    get_object_or_404(Body.objects.for_municipality(request.municipality), pk=pk)
    available = querysets(request.municipality)
    if kind not in available:
        return error(404, "Unbekannte Liste.")
    queryset, method = available[kind]
    serializer = Serializer(request)
    return paged(request, queryset, getattr(serializer, method), PREPARE.get(kind))


@cors
def organization_meetings(request, pk):
    org = get_object_or_404(Organization.objects.for_municipality(request.municipality), pk=pk)
    queryset, _ = querysets(request.municipality)["meeting"]
    return paged(request, queryset.filter(organization=org), Serializer(request).meeting)


@cors
def object_detail(request, kind, pk):
    serializer = Serializer(request)
    if kind == "body":
        body = get_object_or_404(Body.objects.for_municipality(request.municipality), pk=pk)
        return json_response(serializer.body(body))
    if kind not in OBJECT_KINDS:
        return error(404, "Unbekannter Objekttyp.")
    queryset, method = querysets(request.municipality)[OBJECT_KINDS[kind]]
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        return error(404, "Objekt nicht gefunden.")
    return json_response(getattr(serializer, method)(obj))


urlpatterns = [
    path("oparl/v1/", system, name="oparl_root"),
    path("oparl/v1/system", system, name="oparl_system"),
    path("oparl/v1/body", body_list, name="oparl_bodies"),
    path("oparl/v1/body/<int:pk>/<str:kind>", body_sublist, name="oparl_list"),
    path(
        "oparl/v1/organization/<int:pk>/meeting",
        organization_meetings,
        name="oparl_org_meetings",
    ),
    path("oparl/v1/<str:kind>/<int:pk>", object_detail, name="oparl_object"),
]

__all__ = ["datetime"]
