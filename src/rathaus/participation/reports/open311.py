"""Open311 GeoReport v2 server (http://wiki.open311.org/GeoReport_v2), JSON and XML.

Shapes and element names follow the spec exactly: JSON bodies are arrays (except a
service definition and discovery, which are objects), XML roots are ``services``,
``service_definition``, ``service_requests``, ``errors`` and ``discovery``. Errors
are a list of ``{code, description}``. Reports are moderated before publication,
so POST answers with a ``token`` (the spec's non-realtime path); ``GET tokens``
gives the ``service_request_id`` once the report is public. Contact data is never
part of any answer.
"""

import hashlib
import secrets
from datetime import timedelta
from xml.etree import ElementTree as ET

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from rathaus.core import audit
from rathaus.core.parsing import (
    ParseError,
    clean_text,
    parse_datetime,
    parse_decimal,
    parse_id,
    parse_latitude,
    parse_longitude,
    parse_url,
    strip_control_characters,
    try_id,
)
from rathaus.core.ratelimit import client_ip, hit

from . import services
from .models import Open311Client, Report, ReportCategory

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# XML element name of the items of each list.
LIST_ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
DEFAULT_DAYS = 90
MAX_RESULTS = 1000
POST_LIMIT_PER_MINUTE = 30


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code = code
        self.description = description


# --- serialisation -----------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _append(parent, name: str, value) -> None:
    element = ET.SubElement(parent, name)
    if isinstance(value, dict):
        for key, child in value.items():
            _append(element, key, child)
    elif isinstance(value, list):
        item_name = LIST_ITEMS.get(name, "item")
        for item in value:
            _append(element, item_name, item)
    else:
        # Older stored text may hold characters XML 1.0 cannot carry; the output must parse.
        element.text = strip_control_characters(_text(value))


def to_xml(root_name: str, payload) -> bytes:
    root = ET.Element(root_name)
    if isinstance(payload, list):
        item_name = LIST_ITEMS[root_name]
        for item in payload:
            _append(root, item_name, item)
    else:
        for key, value in payload.items():
            _append(root, key, value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def respond(fmt: str, root_name: str, payload, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        return HttpResponse(
            to_xml(root_name, payload), status=status, content_type=CONTENT_TYPES["xml"]
        )
    return JsonResponse(
        payload, status=status, safe=False, json_dumps_params={"ensure_ascii": False}
    )


def error_response(fmt: str, code: int, description: str) -> HttpResponse:
    return respond(fmt, "errors", [{"code": code, "description": description}], status=code)


# Every GeoReport v2 address ends in its format (``requests.json``, ``services.xml``).
PATH_PATTERN = r"^/beteiligung/open311/.*\.(?P<fmt>json|xml)$"


def protocol_error(match, status: int, detail: str, field: str | None) -> HttpResponse:
    """The error list for what core refuses before the view (``badinput.register_protocol``)."""
    return error_response(match["fmt"], status, detail)


def open311_view(*methods):
    """Turn Open311Error into the spec's error list, in the requested format.

    Wrong methods get 405 in that format too (not Django's bare 405 or the CSRF 403
    page): clients parse every answer as GeoReport. No endpoint uses cookies, so CSRF
    does not apply; POST is authenticated by its api_key.
    """
    allowed = ("HEAD", *methods)

    def decorate(view):
        @csrf_exempt
        def wrapped(request, *args, fmt, **kwargs):
            if request.method not in allowed:
                response = error_response(
                    fmt,
                    405,
                    _("Diese Adresse erlaubt nur %(methods)s.") % {"methods": ", ".join(methods)},
                )
                response["Allow"] = ", ".join(allowed)
                return response
            try:
                _check_jurisdiction(request)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return error_response(fmt, exc.code, exc.description)
            except ParseError as exc:
                # One language per answer: the parser's reasons are German, so English
                # requests get the English text for the same kind of error.
                reason = exc.in_language(get_language() or "de")
                return error_response(fmt, 400, f"{exc.field}: {reason}")

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


def _check_jurisdiction(request) -> None:
    jurisdiction = (
        request.GET.get("jurisdiction_id") or request.POST.get("jurisdiction_id") or ""
    ).strip()
    municipality = request.municipality
    if jurisdiction and jurisdiction not in {municipality.slug, municipality.ags, municipality.ars}:
        raise Open311Error(
            404, _("jurisdiction_id „%(value)s“ gibt es hier nicht.") % {"value": jurisdiction}
        )


def iso(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- API keys ---------------------------------------------------------------


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_client(
    municipality, name: str, contact: str = "", actor=None
) -> tuple[Open311Client, str]:
    """Create a posting client; the clear key is returned once and never stored."""
    key = secrets.token_urlsafe(32)
    client = Open311Client.objects.create(
        municipality=municipality,
        name=name,
        contact=contact,
        key_hash=hash_key(key),
        key_prefix=key[:6],
    )
    audit.record("participation.open311.client_created", client, actor=actor)
    return client, key


def client_for_key(municipality, key: str) -> Open311Client | None:
    if not key:
        return None
    return (
        Open311Client.objects.for_municipality(municipality)
        .filter(key_hash=hash_key(key), is_active=True)
        .first()
    )


# --- resources --------------------------------------------------------------


def _categories(request):
    return ReportCategory.objects.for_municipality(request.municipality).filter(is_active=True)


def service_payload(category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": category.attributes.exists(),
        "type": "batch",
        "keywords": category.keywords,
        "group": category.group,
    }


def attribute_payload(attribute) -> dict:
    return {
        "variable": True,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": attribute.datatype_description,
        "order": attribute.order,
        "description": attribute.description,
        "values": [{"key": v.get("key"), "name": v.get("name")} for v in attribute.values],
    }


def request_payload(request, report) -> dict:
    photos = list(report.photos.all())  # prefetched: no query per report
    photo = photos[0] if photos else None
    media_url = request.build_absolute_uri(photo.image.url) if photo else report.media_url
    return {
        "service_request_id": str(report.pk),
        "status": report.open311_status,
        "status_notes": report.status_notes,
        "service_name": report.category.name,
        "service_code": report.category.code,
        "description": report.description,
        "agency_responsible": report.office.name,
        "service_notice": "",
        "requested_datetime": iso(report.created_at),
        "updated_datetime": iso(report.updated_at),
        "expected_datetime": None,
        "address": report.address,
        "address_id": None,
        "zipcode": None,
        "lat": float(report.latitude) if report.latitude is not None else None,
        "long": float(report.longitude) if report.longitude is not None else None,
        "media_url": media_url or None,
    }


@open311_view("GET")
def discovery(request, fmt):
    municipality = request.municipality
    base = request.build_absolute_uri(reverse("participation:open311_root"))
    changeset = iso(timezone.now().replace(hour=0, minute=0, second=0, microsecond=0))
    payload = {
        "changeset": changeset,
        "contact": f"{municipality.name}, {municipality.email}".strip(", "),
        "key_service": f"API-Schlüssel für meldende Apps vergibt die Kommune: {municipality.email}"
        if municipality.email
        else "API-Schlüssel vergibt die Kommune.",
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": base.rstrip("/"),
                "changeset": changeset,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", payload)


@open311_view("GET")
def service_list(request, fmt):
    return respond(fmt, "services", [service_payload(c) for c in _categories(request)])


@open311_view("GET")
def service_definition(request, code, fmt):
    category = _categories(request).filter(code=code).first()
    if category is None:
        raise Open311Error(404, _("service_code „%(value)s“ gibt es nicht.") % {"value": code})
    payload = {
        "service_code": category.code,
        "attributes": [attribute_payload(a) for a in category.attributes.all()],
    }
    return respond(fmt, "service_definition", payload)


@open311_view("GET", "POST")
def requests_collection(request, fmt):
    if request.method == "POST":
        return _post_request(request, fmt)
    reports = _filtered_requests(request)
    return respond(fmt, "service_requests", [request_payload(request, r) for r in reports])


@open311_view("GET")
def request_detail(request, request_id, fmt):
    report_id = try_id(request_id)
    report = _public_reports(request).filter(pk=report_id).first() if report_id else None
    if report is None:
        raise Open311Error(
            404, _("service_request_id „%(value)s“ gibt es nicht.") % {"value": request_id}
        )
    return respond(fmt, "service_requests", [request_payload(request, report)])


@open311_view("GET")
def token_detail(request, token, fmt):
    report = (
        Report.objects.for_municipality(request.municipality)
        .exclude(moderation=Report.Moderation.REJECTED)
        .filter(token=token)
        .first()
    )
    if report is None:
        raise Open311Error(404, _("token „%(value)s“ gibt es nicht.") % {"value": token})
    # Accepted means it has its id: FixMyStreet treats a missing id as a failed send and
    # posts again. Publishing decides what GET requests shows, not whether the id exists.
    request_id = str(report.pk)
    return respond(fmt, "service_requests", [{"service_request_id": request_id, "token": token}])


def _public_reports(request):
    return (
        Report.objects.for_municipality(request.municipality)
        .filter(moderation=Report.Moderation.PUBLISHED)
        .select_related("category", "office")
        .prefetch_related("photos")
    )


def _split(value: str, field: str) -> list[str]:
    text = clean_text(value, field, max_length=2000)
    return [part.strip() for part in text.split(",") if part.strip()]


def _parse_when(name: str, value: str):
    return parse_datetime(value, name)


def _filtered_requests(request):
    reports = _public_reports(request)
    params = request.GET
    ids = _split(params.get("service_request_id", ""), "service_request_id")
    if ids:
        # The spec: when service_request_id is given, all other parameters are ignored.
        ids = [parse_id(i, "service_request_id") for i in ids[:MAX_RESULTS]]
        return list(reports.filter(pk__in=ids).order_by("-created_at")[:MAX_RESULTS])
    codes = _split(params.get("service_code", ""), "service_code")
    if codes:
        reports = reports.filter(category__code__in=codes)
    statuses = _split(params.get("status", ""), "status")
    if statuses:
        unknown = set(statuses) - {"open", "closed"}
        if unknown:
            raise Open311Error(400, _("status muss „open“ oder „closed“ sein."))
        if statuses == ["open"]:
            reports = reports.filter(status__in=Report.OPEN_STATUSES)
        elif statuses == ["closed"]:
            reports = reports.filter(status__in=Report.FINAL_STATUSES)
    start = _parse_when("start_date", params["start_date"]) if params.get("start_date") else None
    end = _parse_when("end_date", params["end_date"]) if params.get("end_date") else None
    if start and end and start > end:
        raise Open311Error(400, _("start_date darf nicht nach end_date liegen."))
    if start is None and end is None:
        start = timezone.now() - timedelta(days=DEFAULT_DAYS)
    elif start is None:
        start = end - timedelta(days=DEFAULT_DAYS)
    elif end is None:
        end = start + timedelta(days=DEFAULT_DAYS)
    reports = reports.filter(created_at__gte=start)
    if end is not None:
        reports = reports.filter(created_at__lte=end)
    return list(reports.order_by("-created_at")[:MAX_RESULTS])


def _attributes(category, post) -> dict:
    """Read ``attribute[code]`` (and ``attribute[code][]`` for lists) and check them."""
    values = {}
    for attribute in category.attributes.all():
        key = f"attribute[{attribute.code}]"
        if attribute.datatype == attribute.Datatype.MULTI:
            given = post.getlist(key + "[]") or post.getlist(key)
        else:
            given = [post.get(key, "").strip()] if post.get(key, "").strip() else []
        if not given:
            if attribute.required:
                raise Open311Error(400, _("%(name)s ist erforderlich.") % {"name": key})
            continue
        is_list = attribute.datatype in (attribute.Datatype.SINGLE, attribute.Datatype.MULTI)
        if is_list and not set(given) <= attribute.value_keys():
            raise Open311Error(
                400,
                _("%(name)s hat einen Wert, den die Dienstbeschreibung nicht kennt.")
                % {"name": key},
            )
        given = [clean_text(value, key, max_length=1000) for value in given]
        if attribute.datatype == attribute.Datatype.NUMBER:
            parse_decimal(given[0], key, places=6)  # finite: "nan" and "inf" are refused
        if attribute.datatype == attribute.Datatype.DATETIME:
            parse_datetime(given[0], key)
        values[attribute.code] = (
            given if attribute.datatype == attribute.Datatype.MULTI else given[0]
        )
    return values


def _api_key(request) -> str:
    """From the form body or, as several clients send it, from the query string."""
    return (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()


def _post_request(request, fmt):
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise Open311Error(
            415,
            _(
                "GeoReport v2 erwartet den Inhalt als Formular "
                "(application/x-www-form-urlencoded oder multipart/form-data), "
                "nicht als %(type)s."
            )
            % {"type": request.content_type or "leeren Typ"},
        )
    post = request.POST
    client = client_for_key(request.municipality, _api_key(request))
    if client is None:
        raise Open311Error(403, _("api_key fehlt oder ist ungültig."))
    verdict = hit("open311-post", str(client.pk), POST_LIMIT_PER_MINUTE, 60)
    if (
        not verdict.allowed
        or not hit("open311-post-ip", client_ip(request), POST_LIMIT_PER_MINUTE, 60).allowed
    ):
        response = error_response(fmt, 429, _("Zu viele Anfragen, bitte später erneut versuchen."))
        response["Retry-After"] = str(verdict.retry_after)
        return response
    code = clean_text(post.get("service_code"), "service_code", max_length=100)
    if not code:
        raise Open311Error(400, _("service_code ist erforderlich."))
    category = _categories(request).filter(code=code).first()
    if category is None:
        raise Open311Error(404, _("service_code „%(value)s“ gibt es nicht.") % {"value": code})
    lat, lon = post.get("lat", "").strip(), post.get("long", "").strip()
    address = clean_text(post.get("address_string"), "address_string", max_length=200)
    if bool(lat) != bool(lon):
        raise Open311Error(400, _("lat und long müssen zusammen angegeben werden."))
    if not (lat or address):
        if post.get("address_id", "").strip():
            raise Open311Error(
                400,
                _("address_id wird hier nicht unterstützt; bitte lat/long oder address_string."),
            )
        raise Open311Error(
            400, _("Ein Ort ist erforderlich (location): lat und long oder address_string.")
        )
    latitude = parse_latitude(lat, "lat") if lat else None
    longitude = parse_longitude(lon, "long") if lon else None
    # Optional in the spec; over-long or control characters are refused, never cut.
    description = clean_text(
        post.get("description"), "description", max_length=4000, multiline=True
    )
    name = " ".join(
        p
        for p in (
            clean_text(post.get("first_name"), "first_name", max_length=60),
            clean_text(post.get("last_name"), "last_name", max_length=59),
        )
        if p
    )
    phone = clean_text(post.get("phone"), "phone", max_length=40)
    media_url = post.get("media_url", "").strip()
    if media_url:
        media_url = parse_url(media_url, "media_url", max_length=500)
    try:
        report = services.submit_report(
            request.municipality,
            category=category,
            description=description,
            latitude=latitude,
            longitude=longitude,
            address=address,
            attributes=_attributes(category, post),
            contact_name=name,
            contact_email=_email(post.get("email", "")),
            contact_phone=phone,
            source=f"open311:{client.pk}",
        )
    except ValidationError as exc:
        raise Open311Error(400, " ".join(exc.messages)) from None
    if media_url:
        services.set_media_url(report, media_url)
    payload = [
        {
            "token": report.token,
            "service_notice": _("Die Meldung wird vor der Veröffentlichung geprüft."),
            "account_id": None,
        }
    ]
    return respond(fmt, "service_requests", payload)


def _email(value: str) -> str:
    from django.core.validators import validate_email

    value = clean_text(value, "email", max_length=254)
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise Open311Error(400, _("email ist keine gültige E-Mail-Adresse.")) from None
    return value
