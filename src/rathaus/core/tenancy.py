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
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpResponseBadRequest, HttpResponseNotFound, HttpResponseRedirect
from django.template.loader import render_to_string

from . import hosts as allowed_hosts
from .badinput import api_error_response, protocol_error_response
from .memo import Memo
from .models import Municipality, MunicipalityHost

_hosts = Memo("hosts", seconds=10, depends_on=(Municipality, MunicipalityHost))


def _lookup(hostname: str) -> Municipality | None:
    found = MunicipalityHost.objects.select_related("municipality").filter(host=hostname).first()
    if found:
        return found.municipality
    # Only demo mode serves unknown host names as the default town: in production that
    # would let any Host header (e.g. evil.example) stand in for a real town.
    fallback = settings.RATHAUS_DEFAULT_MUNICIPALITY if settings.DEMO_MODE else ""
    if fallback:
        return Municipality.objects.filter(slug=fallback).first()
    return None


def municipality_for_host(host: str) -> Municipality | None:
    hostname = host.split(":", 1)[0].lower().strip(".")
    municipality = _hosts.get(hostname, lambda: _lookup(hostname))
    return copy.copy(municipality) if municipality is not None else None


def public_base_url(municipality: Municipality) -> str:
    """The town's configured address for links in e-mails, never the request's host.

    ``Municipality.base_url`` if set, else its first host name (https with
    RATHAUS_HTTPS), else RATHAUS_PUBLIC_BASE_URL.
    """
    if municipality.base_url:
        return municipality.base_url.rstrip("/")
    host = municipality.hosts.order_by("pk").values_list("host", flat=True).first()
    if host and municipality.slug != settings.RATHAUS_DEFAULT_MUNICIPALITY:
        scheme = "https" if settings.RATHAUS_HTTPS else "http"
        return f"{scheme}://{host}"
    return settings.RATHAUS_PUBLIC_BASE_URL.rstrip("/")


def public_url(municipality: Municipality | None, path: str) -> str:
    """Absolute link to ``path`` for e-mails (see ``public_base_url``)."""
    if municipality is None:
        return settings.RATHAUS_PUBLIC_BASE_URL.rstrip("/") + path
    return public_base_url(municipality) + path


def mail_sender(municipality: Municipality | None) -> str:
    """The From of the town's e-mails: its own sender address, else the installation's."""
    if municipality is not None and municipality.mail_sender:
        from email.utils import formataddr

        return formataddr((municipality.name, municipality.mail_sender))
    return settings.DEFAULT_FROM_EMAIL


def is_operator_host(host: str) -> bool:
    """The Land operator's host (settings.RATHAUS_OPERATOR_HOSTS): no town is served there."""
    hostname = host.split(":", 1)[0].lower().strip(".")
    return hostname in settings.RATHAUS_OPERATOR_HOSTS


def forget_hosts() -> None:
    """Look every host name up again (tests: rows of earlier tests are rolled back)."""
    _hosts.clear()
    allowed_hosts.forget()


def _host_names_changed(**kwargs) -> None:
    # The allowed host names (core.hosts): at once in this process and again after the
    # commit; other processes see the memo's version move (bumped after the commit).
    allowed_hosts.forget()
    transaction.on_commit(allowed_hosts.forget)


for _model in (Municipality, MunicipalityHost):
    post_save.connect(_host_names_changed, sender=_model, weak=False)
    post_delete.connect(_host_names_changed, sender=_model, weak=False)


@receiver(setting_changed)
def _fallback_changed(setting, **kwargs) -> None:
    if setting == "RATHAUS_DEFAULT_MUNICIPALITY":
        _hosts.clear()


class MunicipalityMiddleware:
    """Sets ``request.municipality``; unknown hosts get a German 400 (Bad Request)."""

    # Paths that work without a municipality (static files, the admin login itself).
    EXEMPT_PREFIXES = ("/static/", "/media/", "/healthz", "/readyz", "/metrics")

    # What the Land operator's host serves besides the exempt paths: its own area, the
    # login (with the second factor) and the language switch. Everything else belongs
    # to a town and answers 404 there.
    OPERATOR_PREFIXES = (
        "/land/",
        "/anmelden/",
        "/abmelden/",
        "/i18n/",
        "/antraege/konto/zweiter-faktor/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.municipality = None
        request.operator_host = is_operator_host(request.get_host())
        if request.operator_host:
            if request.path == "/":
                return HttpResponseRedirect("/land/")
            if not request.path.startswith(self.EXEMPT_PREFIXES + self.OPERATOR_PREFIXES):
                if request.path.startswith("/api/"):
                    text = "Die Schnittstelle gehört zu einer Kommune, nicht zum Land."
                    return api_error_response(404, "not_found", text)
                body = render_to_string("core/land/not_here.html", {"path": request.path})
                return HttpResponseNotFound(body)
            return self.get_response(request)
        if not request.path.startswith(self.EXEMPT_PREFIXES):
            request.municipality = municipality_for_host(request.get_host())
            if request.municipality is None:
                return _unknown_host(request)
        return self.get_response(request)


def _unknown_host(request):
    host = request.get_host()
    text = f"Unter der Adresse {host} ist keine Kommune eingerichtet."
    protocol = protocol_error_response(request, 400, text, "host")
    if protocol is not None:
        return protocol
    if request.path.startswith("/api/"):
        return api_error_response(400, "unknown_host", text, field="host")
    body = render_to_string("core/unknown_host.html", {"host": host})
    return HttpResponseBadRequest(body)
