"""OParl 1.1 read API (plain Django JSON views, in the exact shape of the spec).

Entry point: ``/rat/oparl/v1/system``. Every id is the URL of the object; external
lists are paged (``data``, ``pagination``, ``links``) with a keyset cursor in
``links.next`` (``after=<last id>``, so a deep page costs what the first one does),
accept ``created_since/created_until/modified_since/modified_until`` (compared at the
whole seconds the objects show), ``limit`` and ``omit_internal``, and keep their
filters in every link.

Deleted objects, and objects that were public once and are not any more (OParl
§2-08 "Depublizierung"), appear as ``{"id", "type", "created", "modified",
"deleted": true}``: in lists only when ``modified_since`` is given, under their own
URL always. Objects that were never public are never served, not even as
tombstones. Errors are OParl error objects (§2-09); every response, also for unknown
paths under the API, is JSON with ``Access-Control-Allow-Origin: *``, an ``ETag`` and
conditional GET, gzip when the client accepts it (``core.compression``).
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.db.models import Prefetch, Q
from django.http import HttpResponse
from django.urls import path
from django.utils.cache import get_conditional_response

from rathaus.core.parsing import (
    MAX_ID,
    ParseError,
    parse_bool,
    parse_datetime,
    parse_optional_int,
    try_id,
)

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
KEEP_PARAMS = (*FILTERS, "limit", "omit_internal")
ERROR_TYPE = "https://schema.oparl.org/1.1/Error"


def json_response(data, status=200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def error(status: int, message: str, *, field: str | None = None, debug: str = "") -> HttpResponse:
    """An OParl error object (§2-09), plus the field/reason every Rathaus API gives."""
    body = {"type": ERROR_TYPE, "message": message, "debug": debug or f"HTTP {status}"}
    body.update(field=field, reason=message)
    return json_response(body, status)


# The town's interface and the Land's list of bodies (``oparl_land``).
PATH_PATTERN = r"^/(rat|land)/oparl/"


def protocol_error(match, status: int, detail: str, field: str | None) -> HttpResponse:
    """An OParl error for what core refuses before the view (``badinput.register_protocol``)."""
    return error(status, detail, field=field)


# --- What the API may show -----------------------------------------------------------


@dataclass
class Kind:
    """One object type: all its rows, which are visible, which may show as tombstones."""

    queryset: object  # scoped, with select/prefetch, incl. deleted and hidden rows
    visible: Q  # shown as live objects (when not deleted)
    was_visible: Q  # may show as a tombstone: never true for never-public rows
    method: str
    prepare: object = None


def _visible_files():
    return File.objects.visible()


def _files_prefetch(to_attr=None):
    return Prefetch("files", queryset=_visible_files(), to_attr=to_attr)


def kinds(municipality) -> dict[str, Kind]:
    def scoped(model):
        return model.objects.for_municipality(municipality)

    everything = Q()
    visible_files = Q(pk__in=public_files(municipality).values("pk"))
    return {
        "organization": Kind(
            scoped(Organization).select_related("place").prefetch_related("memberships"),
            everything,
            everything,
            "organization",
        ),
        "person": Kind(
            scoped(Person).select_related("user").prefetch_related("memberships"),
            everything,
            everything,
            "person",
        ),
        "meeting": Kind(
            scoped(Meeting)
            .select_related("place")
            .prefetch_related(
                Prefetch(
                    "agenda_items",
                    queryset=AgendaItem.objects.order_by("order")
                    .select_related("consultation__paper", "meeting")
                    .prefetch_related(_files_prefetch()),
                ),
                _files_prefetch(to_attr="public_files"),
                "attendances",
            ),
            everything,
            everything,
            "meeting",
        ),
        "paper": Kind(
            # No select_related("superordinated"): the self-join turns the paged index
            # scan into a hash join and sort on PostgreSQL (see docs/performance.md).
            scoped(Paper).prefetch_related(
                _files_prefetch(),
                Prefetch(
                    "consultations",
                    queryset=Consultation.objects.select_related("agenda_item__meeting").order_by(
                        "order"
                    ),
                ),
            ),
            Q(public=True),
            Q(was_public=True),
            "paper",
            prepare_papers,
        ),
        "agendaItem": Kind(
            scoped(AgendaItem)
            .select_related("consultation__paper", "meeting")
            .prefetch_related(_files_prefetch()),
            Q(public=True, meeting__deleted=False) & agenda_published(prefix="meeting__"),
            Q(was_public=True),
            "agenda_item",
        ),
        "consultation": Kind(
            scoped(Consultation).select_related("agenda_item__meeting"),
            Q(paper__public=True, paper__deleted=False),
            Q(paper__was_public=True),
            "consultation",
        ),
        "file": Kind(
            scoped(File),
            visible_files,
            Q(was_public=True) & ~Q(paper__was_public=False) & ~Q(agenda_item__was_public=False),
            "file",
        ),
        "locationList": Kind(scoped(Place), everything, everything, "location"),
        "legislativeTermList": Kind(
            scoped(LegislativeTerm), everything, everything, "legislative_term"
        ),
        "membership": Kind(scoped(Membership), everything, everything, "membership"),
    }


OBJECT_KINDS = {
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


def mark_gone(kind: Kind, objects: list) -> None:
    """Flag rows that are not visible (any more): the serializer renders tombstones."""
    ids = [o.pk for o in objects if not o.deleted]
    visible = set(kind.queryset.filter(kind.visible, pk__in=ids).values_list("pk", flat=True))
    for obj in objects:
        obj.oparl_gone = not obj.deleted and obj.pk not in visible


# --- Lists ---------------------------------------------------------------------------

SECOND = timedelta(seconds=1)


def _parse_filters(request) -> dict:
    parsed = {}
    for name in FILTERS:
        raw = request.GET.get(name)
        if raw is not None:
            # A "+" of an offset arrives as a space when the client did not encode it.
            parsed[name] = parse_datetime(raw.replace(" ", "+"), name, date_only_ok=False)
    return parsed


def _apply_filters(queryset, filters: dict):
    """Compare at the whole seconds the objects show (``created``/``modified``).

    Shown value = stored value cut to the second, so ``shown >= X`` is
    ``stored >= ceil(X)`` and ``shown <= X`` is ``stored < floor(X) + 1 s``: a window
    ending at an object's shown ``modified`` includes it, and consecutive windows
    neither lose nor double an object.
    """
    for name, value in filters.items():
        field = name.split("_")[0]
        floor = value.replace(microsecond=0)
        if name.endswith("_since"):
            bound = floor if floor == value else floor + SECOND
            queryset = queryset.filter(**{f"{field}__gte": bound})
        else:
            queryset = queryset.filter(**{f"{field}__lt": floor + SECOND})
    return queryset


def _list_rows(kind: Kind, filters: dict):
    queryset = _apply_filters(kind.queryset, filters)
    if "modified_since" in filters:
        return queryset.filter(kind.visible | kind.was_visible)
    return queryset.filter(kind.visible, deleted=False)


@dataclass
class PageRequest:
    size: int
    after: int
    page: int | None
    filters: dict
    omit_internal: bool


def _page_request(request) -> PageRequest:
    params = request.GET
    return PageRequest(
        size=parse_optional_int(
            params.get("limit"), "limit", default=PAGE_SIZE, minimum=1, maximum=MAX_PAGE_SIZE
        ),
        after=parse_optional_int(
            params.get("after"), "after", default=0, minimum=0, maximum=MAX_ID
        ),
        page=parse_optional_int(
            params.get("page"), "page", default=None, minimum=1, maximum=MAX_ID
        ),
        filters=_parse_filters(request),
        omit_internal=parse_bool(params.get("omit_internal"), "omit_internal"),
    )


def paged(request, kind: Kind, page_request: PageRequest, serializer) -> HttpResponse:
    rows = _list_rows(kind, page_request.filters).order_by("id")
    size, total = page_request.size, rows.count()
    if page_request.page is not None:
        # Page numbers still work (clients that build them); ``next`` is a cursor anyway.
        start = (page_request.page - 1) * size
        if start and start >= total:
            return error(404, "Diese Seite gibt es nicht.", field="page")
        objects = list(rows[start : start + size + 1])
    else:
        objects = list(rows.filter(id__gt=page_request.after)[: size + 1])
    has_next = len(objects) > size
    objects = objects[:size]
    mark_gone(kind, objects)
    if kind.prepare is not None:
        kind.prepare([o for o in objects if not serializer.gone(o)])
    keep = {k: request.GET[k] for k in KEEP_PARAMS if k in request.GET}
    base = request.build_absolute_uri(request.path)

    def link(**extra):
        query = urlencode({**keep, **extra})
        return f"{base}?{query}" if query else base

    total_pages = max(1, -(-total // size))
    self_params = {k: request.GET[k] for k in ("page", "after") if k in request.GET}
    links = {"first": link(), "self": link(**self_params)}
    pagination = {"totalElements": total, "elementsPerPage": size}
    if page_request.page is not None or not page_request.after:
        number = page_request.page or 1
        pagination.update(currentPage=number, totalPages=total_pages)
        links["last"] = link(page=total_pages)
        if number > 1:
            links["prev"] = link(page=number - 1)
    if has_next:
        links["next"] = link(after=objects[-1].pk)
    method = getattr(serializer, kind.method)
    return json_response(
        {
            "data": [method(obj) for obj in objects],
            "pagination": pagination,
            "links": links,
        }
    )


# --- Views ----------------------------------------------------------------------------


def _etag(response) -> str:
    return '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'


def oparl_view(view):
    """CORS, methods, 4xx as OParl errors, ETag with conditional GET.

    gzip comes from ``core.compression`` (all JSON answers), after the ETag is set.
    """

    def wrapped(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Accept, If-None-Match, If-Modified-Since"
            return response
        if request.method not in ("GET", "HEAD"):
            response = error(405, "Nur GET ist erlaubt.")
            response["Allow"] = "GET, HEAD, OPTIONS"
            return response
        try:
            response = view(request, *args, **kwargs)
        except ParseError as exc:
            return error(400, f"{exc.field}: {exc.reason}", field=exc.field)
        if response.status_code != 200:
            return response
        response["ETag"] = _etag(response)
        response["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
        response["Cache-Control"] = "no-cache"  # revalidate: data change at any time
        conditional = get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=getattr(response, "oparl_modified", None),
            response=response,
        )
        if conditional is not response:
            conditional["Access-Control-Allow-Origin"] = "*"
        return conditional

    wrapped.__name__ = view.__name__
    return wrapped


def _serializer(request) -> Serializer:
    omit = parse_bool(request.GET.get("omit_internal"), "omit_internal")
    return Serializer(request, omit_internal=omit)


def _with_last_modified(response, modified):
    from django.utils.http import http_date

    response.oparl_modified = int(modified.timestamp())
    response["Last-Modified"] = http_date(response.oparl_modified)
    return response


@oparl_view
def system(request):
    return json_response(Serializer(request).system())


@oparl_view
def body_list(request):
    services.body_of(request.municipality)
    bodies = Body.objects.for_municipality(request.municipality).select_related("municipality")
    kind = Kind(bodies, Q(), Q(), "body")
    return paged(request, kind, _page_request(request), _serializer(request))


def _body_or_none(request, pk):
    return Body.objects.for_municipality(request.municipality).filter(pk=try_id(pk)).first()


@oparl_view
def body_sublist(request, pk, kind):
    if _body_or_none(request, pk) is None:
        return error(404, "Körperschaft nicht gefunden.")
    available = kinds(request.municipality)
    if kind not in available:
        return error(404, "Unbekannte Liste.")
    return paged(request, available[kind], _page_request(request), _serializer(request))


@oparl_view
def organization_meetings(request, pk):
    org = Organization.objects.for_municipality(request.municipality).filter(pk=try_id(pk)).first()
    if org is None:
        return error(404, "Gremium nicht gefunden.")
    meetings = kinds(request.municipality)["meeting"]
    meetings.queryset = meetings.queryset.filter(organization=org)
    return paged(request, meetings, _page_request(request), _serializer(request))


@oparl_view
def object_detail(request, kind, pk):
    serializer = _serializer(request)
    if kind == "body":
        body = _body_or_none(request, pk)
        if body is None:
            return error(404, "Körperschaft nicht gefunden.")
        return _with_last_modified(json_response(serializer.body(body)), body.modified)
    if kind not in OBJECT_KINDS:
        return error(404, "Unbekannter Objekttyp.")
    spec = kinds(request.municipality)[OBJECT_KINDS[kind]]
    obj = spec.queryset.filter(spec.visible | spec.was_visible, pk=try_id(pk)).first()
    if obj is None:
        return error(404, "Objekt nicht gefunden.")
    mark_gone(spec, [obj])
    data = getattr(serializer, spec.method)(obj)
    return _with_last_modified(json_response(data), obj.modified)


@oparl_view
def unknown_path(request, rest=""):
    return error(404, "Diese Adresse gibt es in der OParl-Schnittstelle nicht.")


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
    path("oparl/v1/<path:rest>", unknown_path),
]
