"""Fixed-window rate limits kept in the shared cache (Redis in production).

Used by every public write endpoint. With REDIS_URL set, all app processes
count together; without it each process counts alone (documented).
"""

import functools
import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
from django.shortcuts import render

from . import counters
from .ops import metrics

log = logging.getLogger("rathaus.ratelimit")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int


def hit(scope: str, key: str, limit: int, window_seconds: int, *, request=None) -> Verdict:
    """Count one attempt for ``key``; refuse when more than ``limit`` fall in the window.

    With ``request``, the attempt is remembered on it, so that ``refund`` can take it back
    when the request fails on our side (database down: "Ihre Eingabe wurde nicht
    gespeichert"); a citizen retrying through a restart is not locked out by the retries."""
    return hit_in_order([(scope, key, limit, window_seconds)], request=request)[0]


def hit_in_order(limits: list[tuple[str, str, int, int]], *, request=None) -> list[Verdict]:
    """``hit`` for each ``(scope, key, limit, window_seconds)`` in order, stopping at the
    first refusal (the limits after it are not counted): the verdicts of those counted.
    One round trip with Redis for all of them."""
    now = time.time()
    windows = [int(now // seconds) for _scope, _key, _limit, seconds in limits]
    keys = [
        f"rl:{scope}:{key}:{window}"
        for (scope, key, _limit, _seconds), window in zip(limits, windows, strict=True)
    ]
    # Atomic in Redis and locmem; expires a second after its window.
    counts = counters.incr_in_order(
        [(k, seconds + 1, limit) for k, (_s, _k, limit, seconds) in zip(keys, limits, strict=True)]
    )
    if request is not None:
        counted = keys[: len(counts)]
        request.rate_limit_counted = [*getattr(request, "rate_limit_counted", ()), *counted]
    verdicts = []
    for count, (_scope, _key, limit, seconds), window in zip(counts, limits, windows, strict=False):
        verdicts.append(Verdict(count <= limit, max(1, math.ceil((window + 1) * seconds - now))))
    return verdicts


def refund(request) -> None:
    """Take back the attempts ``hit`` counted for ``request`` (it was not carried out)."""
    for counter in getattr(request, "rate_limit_counted", ()):
        try:
            cache.decr(counter)
        except Exception:  # best effort: the counter expired, or the cache is gone too
            log.warning("rate limit refund failed for %s", counter.split(":")[1])
    request.rate_limit_counted = []


def reset(scope: str, key: str, window_seconds: int) -> None:
    window = int(time.time() // window_seconds)
    cache.delete(f"rl:{scope}:{key}:{window}")


@functools.cache
def _trusted_networks(entries: tuple[str, ...]) -> tuple:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"RATHAUS_TRUSTED_PROXIES: {exc} (IP-Adressen oder Netze, z. B. 10.0.0.0/8)"
        ) from exc


def trusted_networks() -> tuple:
    return _trusted_networks(tuple(getattr(settings, "RATHAUS_TRUSTED_PROXIES", ())))


def _parse_ip(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or, when that is a trusted proxy, the last
    X-Forwarded-For hop that is not a trusted proxy. Hops further left were written by
    the client itself and are never believed (else anyone could pick their counter)."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    networks = trusted_networks()
    if not networks or not _is_trusted(_parse_ip(remote), networks):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        address = _parse_ip(hop)
        if address is None:
            return remote  # garbage in a header our proxy passed on: count the proxy
        if not _is_trusted(address, networks):
            return str(address)
    return str(_parse_ip(hops[0])) if hops else remote


def too_many(request, verdict: Verdict):
    """A German answer with Retry-After: JSON for the API, a page otherwise."""
    message = (
        "Zu viele Anfragen in kurzer Zeit. Bitte versuchen Sie es in "
        f"{verdict.retry_after} Sekunden erneut."
    )
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": message, "field": None, "reason": "rate_limited"}, status=429
        )
    else:
        response = render(request, "core/rate_limited.html", {"message": message}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    metrics.RATE_LIMITED.labels(metrics.route_of(request)).inc()
    return response


def ratelimit(scope: str, limit: int, window_seconds: int = 60, methods=("POST",)):
    """View decorator limiting requests per client IP."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                verdict = hit(scope, client_ip(request), limit, window_seconds)
                if not verdict.allowed:
                    return too_many(request, verdict)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
