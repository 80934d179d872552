"""Work a fresh worker would otherwise do on its first request, done at worker start.

gunicorn calls :func:`warm` from ``post_worker_init`` (``rathaus.gunicorn_conf``), before
the worker accepts its first connection, so no citizen waits for it (issue 24: the
first request of a fresh worker took 300–360 ms). Each step is a real use of the code
the requests use; none writes anything:

- the URLconfs (site and embedding), which imports every view module and the JSON API
  (django-ninja and its pydantic schemas), and the reverse lookup table;
- the templates in ``RATHAUS_WARM_TEMPLATES`` and what they extend and include by a
  constant name (compiled into the cached loader);
- the translation catalogues of every language in ``LANGUAGES``;
- the database connection (kept for ``CONN_MAX_AGE``), the host lookup and the Lands'
  holiday calendars;
- the cache connection.

A failing step is logged and skipped: a worker whose database is still starting must
still start (its first request then pays, and ``/readyz`` tells the load balancer).
"""

import logging
import time
from contextlib import contextmanager
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.template.loader import get_template
from django.template.loader_tags import ExtendsNode, IncludeNode
from django.urls import URLResolver, get_resolver
from django.urls.resolvers import get_ns_resolver
from django.utils import timezone, translation

from . import opening, tenancy
from .models import Municipality, MunicipalityHost

logger = logging.getLogger(__name__)


@contextmanager
def _step(timings: dict, name: str):
    started = time.perf_counter()
    try:
        yield
    except Exception:  # noqa: BLE001 - warming is best effort; the request path reports errors
        logger.warning("warm-up step %s failed", name, exc_info=True)
    finally:
        timings[name] = round((time.perf_counter() - started) * 1000, 1)


def _populate(resolver: URLResolver) -> None:
    resolver.reverse_dict  # noqa: B018 - populating it indexes the views for reverse()
    for pattern in resolver.url_patterns:  # imports the view modules
        if isinstance(pattern, URLResolver):
            _populate(pattern)


def _namespaces(resolver: URLResolver, pattern: str = "", converters=None) -> None:
    """The resolvers ``reverse("ns:name")`` builds (and caches) per namespace path."""
    for extra, inner in resolver.namespace_dict.values():
        joined = {**(converters or {}), **inner.pattern.converters}
        _populate(get_ns_resolver(pattern + extra, inner, tuple(joined.items())))
        _namespaces(inner, pattern + extra, joined)


def _urls() -> None:
    for urlconf in (None, *getattr(settings, "RATHAUS_WARM_URLCONFS", ())):
        for code, _name in settings.LANGUAGES:  # reverse() keeps one table per language
            with translation.override(code):
                _populate(get_resolver(urlconf))
                _namespaces(get_resolver(urlconf))


def _constant_names(template) -> list[str]:
    """Templates a compiled template extends or includes by a constant name."""
    names = []
    for node in template.nodelist.get_nodes_by_type((ExtendsNode, IncludeNode)):
        expression = node.parent_name if isinstance(node, ExtendsNode) else node.template
        literal = getattr(expression, "var", None)
        if isinstance(literal, str):  # a literal name, not a variable
            names.append(literal)
    return names


def _templates() -> None:
    pending, seen = list(settings.RATHAUS_WARM_TEMPLATES), set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        compiled = cast(Any, get_template(name)).template  # the backend's Template's own
        pending.extend(_constant_names(compiled))


def _translations() -> None:
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Termin")


def _database() -> None:
    connections[DEFAULT_DB_ALIAS].ensure_connection()
    # The host lookup every request makes, and the Land's holiday calendar the opening
    # hours ask for (importing ``holidays``' country data alone takes ~0.3 s).
    first = MunicipalityHost.objects.order_by("pk").values_list("host", flat=True).first()
    if first:
        tenancy.municipality_for_host(first)
    year = timezone.localdate().year
    for land in Municipality.objects.values_list("land", flat=True).distinct()[:20]:
        opening.holiday_calendar(land, year)


def _cache() -> None:
    cache.get("warmup:ping")


def warm() -> dict[str, float]:
    """Runs every step; returns milliseconds per step (also logged)."""
    timings: dict[str, float] = {}
    for name, step in (
        ("urls", _urls),
        ("templates", _templates),
        ("translations", _translations),
        ("database", _database),
        ("cache", _cache),
    ):
        with _step(timings, name):
            step()
    logger.info("worker warmed up: %s", timings)
    return timings
