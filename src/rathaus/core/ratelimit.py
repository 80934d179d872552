"""Fixed-window rate limits kept in the shared cache (Redis in production).

Used by every public write endpoint. With REDIS_URL set, all app processes
count together; without it each process counts alone (documented).
"""

import ipaddress
import math
import time
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render

from . import counters
from .ops import metrics


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int


def hit(scope: str, key: str, limit: int, window_seconds: int) -> Verdict:
    """Count one attempt for ``key``; refuse when more than ``limit`` fall in the window."""
    now = time.time()
    window = int(now // window_seconds)
    # Atomic in Redis and locmem; one round trip with Redis.
    count = counters.incr(f"rl:{scope}:{key}:{window}", timeout=window_seconds + 1)
    retry_after = max(1, math.ceil((window + 1) * window_seconds - now))
    return Verdict(count <= limit, retry_after)


def reset(scope: str, key: str, window_seconds: int) -> None:
    window = int(time.time() // window_seconds)
    cache.delete(f"rl:{scope}:{key}:{window}")


def client_ip(request) -> str:
    """The citizen's address. Behind nginx every request comes from the proxy, so all
    citizens would share one limit: when the direct peer is a trusted proxy
    (``TRUSTED_PROXIES``), the address it appended to X-Forwarded-For counts."""
    peer = request.META.get("REMOTE_ADDR", "unknown")
    if peer not in settings.RATHAUS_TRUSTED_PROXIES:
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return peer


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
