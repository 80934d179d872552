"""Resolve the municipality (tenant) from the request's host name."""

from django.conf import settings
from django.http import HttpResponseNotFound
from django.template.loader import render_to_string

from .models import Municipality, MunicipalityHost


def municipality_for_host(host: str) -> Municipality | None:
    hostname = host.split(":", 1)[0].lower().strip(".")
    found = MunicipalityHost.objects.select_related("municipality").filter(host=hostname).first()
    if found:
        return found.municipality
    fallback = settings.RATHAUS_DEFAULT_MUNICIPALITY
    if fallback:
        return Municipality.objects.filter(slug=fallback).first()
    return None


class MunicipalityMiddleware:
    """Sets ``request.municipality``; unknown hosts get a German 404."""

    # Paths that work without a municipality (static files, the admin login itself).
    EXEMPT_PREFIXES = ("/static/", "/media/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.municipality = None
        if not request.path.startswith(self.EXEMPT_PREFIXES):
            request.municipality = municipality_for_host(request.get_host())
            if request.municipality is None:
                body = render_to_string("core/unknown_host.html", {"host": request.get_host()})
                return HttpResponseNotFound(body)
        return self.get_response(request)
