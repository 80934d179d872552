"""The Land-wide OParl system (issue 21): one System on the operator's host whose body
list holds every town's Body, each under the town's own address, so a client that
knows the Land finds every council of the installation.

Served only on the Land operator's host (settings.RATHAUS_OPERATOR_HOSTS): a town's
host answers its own system, never the list of all towns.
"""

from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode

from rathaus.core import tenancy
from rathaus.core.models import Municipality
from rathaus.core.parsing import parse_optional_int

from . import services
from .models import Body
from .oparl import PAGE_SIZE, error, json_response, oparl_view
from .oparl_serializers import OPARL_VERSION, Serializer, dt, prune, schema


def _only_operator_host(request):
    if not getattr(request, "operator_host", False):
        return error(404, "Die landesweite Liste gibt es nur unter der Adresse des Landes.")
    return None


@oparl_view
def system(request):
    refused = _only_operator_host(request)
    if refused:
        return refused
    now = timezone.now()
    return json_response(
        prune(
            {
                "id": request.build_absolute_uri(reverse("land_oparl:system")),
                "type": schema("System"),
                "oparlVersion": OPARL_VERSION,
                "license": "https://creativecommons.org/licenses/by/4.0/",
                "body": request.build_absolute_uri(reverse("land_oparl:bodies")),
                "name": "Ratsinformation aller Kommunen der Installation",
                "vendor": "https://github.com/rathaus",
                "product": "https://github.com/rathaus/rathaus",
                "created": dt(now),
                "modified": dt(now),
            }
        )
    )


@oparl_view
def bodies(request):
    refused = _only_operator_host(request)
    if refused:
        return refused
    size = parse_optional_int(
        request.GET.get("limit"), "limit", default=PAGE_SIZE, minimum=1, maximum=PAGE_SIZE
    )
    page = parse_optional_int(request.GET.get("page"), "page", default=1, minimum=1, maximum=10**6)
    # Every town has its body: a town that never served OParl gets it here (as its own
    # body list would create it on first use).
    for town in Municipality.objects.exclude(pk__in=Body.objects.values("municipality")):
        services.body_of(town)
    rows = Body.objects.select_related("municipality").order_by("pk")
    total = rows.count()
    start = (page - 1) * size
    if start and start >= total:
        return error(404, "Diese Seite gibt es nicht.", field="page")
    objects = list(rows[start : start + size])
    data = [
        Serializer(
            request,
            municipality=body.municipality,
            base_url=tenancy.public_base_url(body.municipality),
        ).body(body)
        for body in objects
    ]
    base = request.build_absolute_uri(request.path)

    def link(**params):
        query = urlencode({**({"limit": size} if "limit" in request.GET else {}), **params})
        return f"{base}?{query}" if query else base

    total_pages = max(1, -(-total // size))
    links = {"first": link(), "self": link(page=page), "last": link(page=total_pages)}
    if page > 1:
        links["prev"] = link(page=page - 1)
    if page < total_pages:
        links["next"] = link(page=page + 1)
    pagination = {
        "totalElements": total,
        "elementsPerPage": size,
        "currentPage": page,
        "totalPages": total_pages,
    }
    return json_response({"data": data, "pagination": pagination, "links": links})


app_name = "land_oparl"
urlpatterns = [
    path("", system, name="root"),
    path("system", system, name="system"),
    path("body", bodies, name="bodies"),
]
