"""Embedding the booking, forms and the assistant in the town's own website (ADR 0008).

Framing is denied everywhere (``X-Frame-Options: DENY``, CSP ``frame-ancestors
'none'``). Pages under ``/einbetten/`` are the same views with a lean layout: the
middleware serves them from ``rathaus.embed_urls``, where the embeddable sections
live under the prefix, so every link a view builds with ``reverse`` stays
embedded. Only those pages, and only for the origins on the town's allow-list,
get ``frame-ancestors <origins>`` and no ``X-Frame-Options``; everything else,
staff areas and account pages under the prefix included, stays denied.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from .parsing import ParseError

PREFIX = "/einbetten/"
EMBED_URLCONF = "rathaus.embed_urls"

# Embeddable paths under the prefix; staff, account and file pages never are.
_ALLOWED = re.compile(
    r"^/einbetten/(?:"
    r"termine/(?!verwaltung/)"
    r"|antraege/(?!verwaltung/|konto/|postfach/|datei/|zahlung/)"
    r"|assistent/(?:$|rueckmeldung/)"
    r")"
)
_HOST = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$"
)


def normalise_origin(raw: str) -> str:
    """``https://www.musterstadt.de`` from what an editor typed; ParseError otherwise.

    Scheme and host (and a port), nothing else: no path, no wildcard, no user.
    Plain http only for localhost (a town's test site on the same machine).
    """
    text = (raw or "").strip().rstrip("/")
    if not text or len(text) > 200 or any(ord(c) < 33 or ord(c) > 126 for c in text):
        raise ParseError("origin", "Bitte eine Adresse wie https://www.musterstadt.de angeben.")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ParseError("origin", "Diese Adresse ist ungültig.") from exc
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host or not _HOST.match(host):
        raise ParseError("origin", "Bitte eine Adresse wie https://www.musterstadt.de angeben.")
    if parts.path or parts.query or parts.fragment or parts.username or parts.password:
        raise ParseError("origin", "Nur Schema und Host angeben, ohne Pfad (z. B. /seite).")
    if parts.scheme == "http" and host != "localhost":
        raise ParseError("origin", "Bitte eine https-Adresse angeben.")
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


def is_embeddable(path: str) -> bool:
    return bool(_ALLOWED.match(path))


def origins_for(municipality) -> list[str]:
    from .models import EmbedOrigin

    if municipality is None:
        return []
    return list(EmbedOrigin.objects.for_municipality(municipality).values_list("origin", flat=True))


class EmbedMiddleware:
    """Serve ``/einbetten/…`` from the embedding URLconf and allow listed origins to frame it.

    Placed after the tenancy middleware (the allow-list is the town's) and before
    ``XFrameOptionsMiddleware``/``CSPMiddleware`` in the response phase (i.e. after
    them in ``MIDDLEWARE``), which read the attributes set here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.embedded = request.path.startswith(PREFIX)
        if request.embedded:
            request.urlconf = EMBED_URLCONF
        response = self.get_response(request)
        if request.embedded and is_embeddable(request.path):
            origins = origins_for(getattr(request, "municipality", None))
            if origins:
                response._csp_replace = {"frame-ancestors": origins}
                response.xframe_options_exempt = True
        return response


# --- What can be embedded: registered by the apps (core knows none of them) -----------

Snippets = Callable[[object], list[tuple[str, str]]]
_providers: list[tuple[str, Snippets]] = []


def register(group: str, provider: Snippets) -> None:
    """``provider(municipality)`` → [(label, path without the prefix)], e.g. a service's
    booking page; the staff page turns each into a copy-and-paste snippet."""
    if all(existing is not provider for _, existing in _providers):
        _providers.append((group, provider))


def choices(municipality) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(group, provider(municipality)) for group, provider in _providers]


def embed_path(path: str) -> str:
    return PREFIX.rstrip("/") + path


# --- Write path and the staff page ------------------------------------------------------


def add_origin(municipality, raw: str, *, actor, note: str = ""):
    """Allow an origin to frame the embeddable pages; idempotent, audited."""
    from django.db import transaction

    from . import audit
    from .models import EmbedOrigin

    origin = normalise_origin(raw)
    with transaction.atomic():
        item, created = EmbedOrigin.objects.get_or_create(
            municipality=municipality,
            origin=origin,
            defaults={"created_by": actor, "note": note[:200]},
        )
        if created:
            audit.record("core.embed_origin_added", item, actor=actor, data={"origin": origin})
    return item


def remove_origin(municipality, pk: int, *, actor) -> bool:
    from django.db import transaction

    from . import audit
    from .models import EmbedOrigin

    with transaction.atomic():
        item = (
            EmbedOrigin.objects.for_municipality(municipality)
            .select_for_update()
            .filter(pk=pk)
            .first()
        )
        if item is None:
            return False
        audit.record("core.embed_origin_removed", item, actor=actor, data={"origin": item.origin})
        item.delete()
    return True
