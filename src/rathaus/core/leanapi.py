"""A lean middleware stack for the public JSON API (ADR 0094, issue 24).

``LeanApiMiddleware`` sits in ``MIDDLEWARE`` right after the layers every request needs
first (request id, metrics, health probes, the replica's read decision). Requests under
``API_PREFIX`` leave the full chain there and run through a second chain, built once when
the handler loads its middleware: the rest of ``MIDDLEWARE`` **minus** the entries in
``RATHAUS_PAGE_ONLY_MIDDLEWARE``. Everything else takes the full chain unchanged.

The list is subtractive on purpose: a middleware added later runs on the API too unless
someone names it page-only, so a new security layer cannot be forgotten on the API.
What is page-only, and why the API does not need it:

- sessions, authentication, messages, the second factor, axes: the API knows no cookie
  session; its callers are anonymous or present a bearer key (``applications.api.ApiKey``,
  checked by django-ninja in the view). ``request.user`` is set to ``AnonymousUser`` so
  code that asks (incident mode's "staff may write", context processors of the API docs
  page) gets the honest answer for a session-less request.
- CSRF: django-ninja marks its views ``csrf_exempt`` and checks CSRF itself for
  cookie-based auth, which the API does not use; the middleware only ever set cookies.
- locale negotiation: the API answers in German (``LANGUAGE_CODE``), activated here, so a
  worker's previous page request in English cannot leak its language into the answer.
- ``CommonMiddleware``: slash redirects and ``Content-Length``; the API has no slash
  variants and ``Content-Length`` is set here.
- whitenoise (``/static/``) and embedding (``/einbetten/``) never match an API path.

Kept for the API (they are not on the page-only list): the security headers
(``SecurityMiddleware``: nosniff, HSTS where configured; CSP; ``X-Frame-Options``), the
compression of JSON, the town lookup with the host check, the refusal of control
characters and the 400 for bad input, the database-down 503, the busy 503 and incident /
maintenance mode.
"""

from typing import cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpResponse
from django.urls import ResolverMatch, get_resolver, set_urlconf
from django.utils import translation
from django.utils.module_loading import import_string

API_PREFIX = "/api/v1/"
_MAX_RESOLVED = 1000  # remembered URL matches of the API chain
SELF = "rathaus.core.leanapi.LeanApiMiddleware"


def lean_middleware(middleware: list[str] | tuple[str, ...] | None = None) -> list[str]:
    """The API's chain: what follows this middleware in ``MIDDLEWARE``, minus page-only."""
    middleware = list(settings.MIDDLEWARE if middleware is None else middleware)
    page_only = set(settings.RATHAUS_PAGE_ONLY_MIDDLEWARE)
    tail = middleware[middleware.index(SELF) + 1 :]
    return [path for path in tail if path not in page_only]


class _LeanHandler(BaseHandler):
    """Django's own request handling (URL resolution, view and exception middleware,
    template responses) with a given middleware list instead of ``MIDDLEWARE``."""

    def __init__(self, paths: list[str]):
        self._view_middleware: list = []
        self._template_response_middleware: list = []
        self._exception_middleware: list = []
        # URL resolution, view and exception middleware, template responses: Django's own.
        handler = convert_exception_to_response(self._get_response)  # type: ignore[attr-defined]
        for path in reversed(paths):
            middleware = import_string(path)
            if not getattr(middleware, "sync_capable", True):
                raise ImproperlyConfigured(f"{path}: the lean API chain is synchronous.")
            try:
                instance = middleware(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler
        self.paths = paths
        self._resolved: dict = {}

    def resolve_request(self, request):
        """Django's, with the match of a path remembered: resolving walks the whole
        URLconf to reach the API (~30 µs of a ~1 ms cached availability read). Keyed by
        the resolver object, so another URLconf (a test's override) resolves anew; only
        successful matches are kept, each request gets its own copy (its kwargs are
        handed to middleware), and any client can choose paths, so it is bounded."""
        urlconf = None
        if hasattr(request, "urlconf"):  # as Django's
            urlconf = request.urlconf
            set_urlconf(urlconf)
        resolver = get_resolver(urlconf)
        key = (resolver, request.path_info)
        found = self._resolved.get(key)
        if found is None:
            found = resolver.resolve(request.path_info)
            if len(self._resolved) >= _MAX_RESOLVED:
                self._resolved.clear()
            self._resolved[key] = found
        match = object.__new__(ResolverMatch)  # a shallow copy (it refuses copy.copy)
        match.__dict__.update(found.__dict__, kwargs=dict(found.kwargs))
        request.resolver_match = match
        return match


class LeanApiMiddleware:
    """Sends ``/api/v1/`` through the lean chain, everything else on through the full one."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.lean = _LeanHandler(lean_middleware())

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        request.user = AnonymousUser()
        translation.activate(settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        response = cast(HttpResponse, self.lean._middleware_chain(request))
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))
        return response
