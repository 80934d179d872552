"""Resolve the municipality (tenant) from the request's host name.

Every request needs the host → municipality mapping, and it almost never changes,
so each process keeps it for ``HOST_CACHE_SECONDS`` instead of asking the database
each time (a query per request was a fifth of a cached API read). Saving or
deleting a municipality or a host name forgets the mapping in this process at
once; other processes follow within those seconds. Every request gets its own
copy of the municipality, so a view that changes ``request.municipality`` never
touches another request's object.
"""

import copy

from django.conf import settings
from django.core.signals import setting_changed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponseNotFound
from django.template.loader import render_to_string

from .memo import Memo
from .models import Municipality, MunicipalityHost

HOST_CACHE_SECONDS = 5

_hosts = Memo(HOST_CACHE_SECONDS)


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


@receiver(post_save, sender=Municipality)
@receiver(post_delete, sender=Municipality)
@receiver(post_save, sender=MunicipalityHost)
@receiver(post_delete, sender=MunicipalityHost)
def forget_hosts(**kwargs) -> None:
    """A municipality or host name changed: look the mapping up again."""
    _hosts.clear()


@receiver(setting_changed)
def _fallback_changed(setting, **kwargs) -> None:
    if setting == "RATHAUS_DEFAULT_MUNICIPALITY":
        _hosts.clear()


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
