"""ALLOWED_HOSTS that knows the towns in the database (ADR 0214).

Django checks the Host header against ``settings.ALLOWED_HOSTS`` on every
``request.get_host()``, before any town is looked up. With a fixed list a town
onboarded at run time answers 400 until the list is edited and every app server
restarted. ``TownHosts`` is the configured list (what production's start-up check in
``core.deployment`` reads: never ``*``, never empty) and, when Django iterates it,
also the host names of the towns in the database and the operator's hosts
(``RATHAUS_OPERATOR_HOSTS``). Unknown hosts still get Django's 400.

The set of host names is kept per process (one frozenset of strings: memory grows
with the host names, nothing else) and reloaded when the tenancy memo's version in
the shared cache moves (bumped after the commit of any change to a town or a host
name, ``core.memo``) -- read at most every ``CHECK_SECONDS`` per process, so a
request costs no database query and usually no cache read -- or after
``MAX_AGE_SECONDS`` (changes made with ``QuerySet.update()`` send no signal).

Django scans the list linearly (``validate_host``); with thousands of towns that
is ~0.5 ms per ``get_host()`` call, several per request. ``TownHostMiddleware``
(after the health checks, before anything that calls ``get_host``) therefore looks
the request's host up in the set once and leaves the answer in a context variable;
during that request the list yields only that host name after the configured ones.
Outside a request (no middleware ran) the whole set is yielded.
"""

import contextvars
import threading
import time

from django.http.request import split_domain_port

CHECK_SECONDS = 1.0  # how often a process reads the shared version
MAX_AGE_SECONDS = 300.0  # reload even without a version change (QuerySet.update)
VERSION_KEY = "memo:hosts:version"  # the tenancy memo's version (core.tenancy._hosts)

_UNSET = object()
# During a request: the request's host name if it is a town's or the operator's, else "".
_request_host: contextvars.ContextVar = contextvars.ContextVar("rathaus_town_host")


class _HostSet:
    def __init__(self):
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        self._hosts: frozenset[str] | None = None
        self._version = None
        self._loaded = self._checked = 0.0

    def get(self) -> frozenset[str]:
        now = time.monotonic()
        hosts = self._hosts
        if hosts is not None and now < self._checked + CHECK_SECONDS:
            return hosts
        from django.core.cache import cache

        version = cache.get(VERSION_KEY, 0)
        if hosts is not None and version == self._version and now < self._loaded + MAX_AGE_SECONDS:
            self._checked = now
            return hosts
        with self._lock:
            hosts = self._load()
            self._hosts, self._version, self._loaded, self._checked = hosts, version, now, now
        return hosts

    @staticmethod
    def _load() -> frozenset[str]:
        from django.conf import settings

        from .models import MunicipalityHost

        towns = MunicipalityHost.objects.values_list("host", flat=True)
        return frozenset(h.lower() for h in [*towns, *settings.RATHAUS_OPERATOR_HOSTS])


_host_set = _HostSet()


def town_hosts() -> frozenset[str]:
    """Every town's host name and the operator's hosts (per process, see above)."""
    return _host_set.get()


def forget() -> None:
    """Load the host names again on the next use (a change in this process)."""
    _host_set.clear()


class TownHosts(list):
    """``settings.ALLOWED_HOSTS``: the configured entries, then the towns' host names.

    As a list it holds only the configured entries (``len``, ``in``, ``configured``):
    start-up checks and ``*`` handling see what the operator wrote. Iterating (what
    Django's host validation does) adds the host names from the database.
    """

    @property
    def configured(self) -> list[str]:
        return list(super().__iter__())

    def __iter__(self):
        yield from super().__iter__()
        if list.__contains__(self, "*"):
            return  # every host is allowed anyway (demo mode)
        checked = _request_host.get(_UNSET)
        if checked is _UNSET:
            yield from town_hosts()
        elif checked:
            yield checked

    def __reduce__(self):
        return (TownHosts, (self.configured,))


class TownHostMiddleware:
    """Before every ``get_host()`` of a request: one set lookup, not Django's linear scan."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        allowed = settings.ALLOWED_HOSTS
        if not isinstance(allowed, TownHosts) or list.__contains__(allowed, "*"):
            return self.get_response(request)
        domain, _port = split_domain_port(request._get_raw_host())
        token = _request_host.set(domain if domain in town_hosts() else "")
        try:
            return self.get_response(request)
        finally:
            _request_host.reset(token)
