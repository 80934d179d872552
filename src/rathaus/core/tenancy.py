"""Resolve the municipality (tenant) from the request's host name.

Every request needs the host → municipality mapping, and it almost never changes,
so each process remembers it (``core.memo``: a query per request was a fifth of a
cached API read). A change to a municipality or a host name is seen by every
process on its next request. Every request gets its own copy of the
municipality, so a view that changes ``request.municipality`` never touches
another request's object.
"""

import copy

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponseNotFound
from django.template.loader import render_to_string

from .memo import Memo
from .models import Municipality, MunicipalityHost

_hosts = Memo("hosts", seconds=10, depends_on=(Municipality, MunicipalityHost))


def _lookup(hostname: str) -> Municipality | None:
    found = MunicipalityHost.objects.select_related("municipality").filter(host=hostname).first()
    if found:
        return found.municipality
    fallback = settings.RATHAUS_DEFAULT_MUNICIPALITY
    if fallback:
        return Municipality.objects.filter(slug=fallback).first()
    return None


def municipality_for_host(host: str) -> Municipality | None:
    hostname = host.split(":", 1)[0].lower().strip(".")
    municipality = _hosts.get(hostname, lambda: _lookup(hostname))
    return copy.copy(municipality) if municipality is not None else None


def forget_hosts() -> None:
    """Look every host name up again (tests: rows of earlier tests are rolled back)."""
    _hosts.clear()


@receiver(setting_changed)
def _fallback_changed(setting, **kwargs) -> None:
    if setting == "RATHAUS_DEFAULT_MUNICIPALITY":
        _hosts.clear()


class MunicipalityMiddleware:
    """Sets ``request.municipality``; unknown hosts get a German 404."""

    # Paths that work without a municipality (static files, the admin login itself).
    EXEMPT_PREFIXES = ("/static/", "/media/", "/healthz", "/readyz", "/metrics")

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
