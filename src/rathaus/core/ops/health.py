"""Health for load balancers and supervisors.

``/healthz``: the process answers (no dependency is touched, so a database outage
does not make a supervisor restart healthy app servers). ``/readyz``: this server can
serve citizens: the database answers, every migration is applied, Redis answers (when
configured) and the task queue is moving. 200 when all hold, 503 with the failing
checks otherwise; the body is JSON with one entry per check.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

from . import queue

_migrations_done = False  # once all are applied they stay applied for this process's code


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def readyz(request):
    checks = {
        "database": _check(_database),
        "migrations": _check(_migrations),
        "cache": _check(_cache) if settings.REDIS_URL else {"ok": True, "detail": "not used"},
        "queue": _check(_queue),
    }
    # Redis is optional at run time (core.ops.cache answers per process without it), so
    # an unreachable Redis is reported but does not take the server out of rotation.
    ready = all(c["ok"] for name, c in checks.items() if name != "cache")
    return JsonResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status=200 if ready else 503,
    )


def _check(probe) -> dict:
    started = time.monotonic()
    try:
        ok, detail = probe()
    except Exception as exc:  # the check reports any failure; it must not raise
        ok, detail = False, f"{type(exc).__name__}: {exc}"[:300]
    return {"ok": ok, "detail": detail, "ms": round((time.monotonic() - started) * 1000, 1)}


def _database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, "answers"


def _migrations():
    global _migrations_done
    if not _migrations_done:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            return False, f"{len(pending)} migration(s) not applied"
        _migrations_done = True
    return True, "all applied"


def _cache():
    cache._cache.get_client(None, write=True).ping()  # Redis itself, not the fallback
    return True, "answers"


def _queue():
    age = queue.oldest_ready_age_seconds()
    limit = settings.RATHAUS_READYZ_QUEUE_MAX_AGE_SECONDS
    if age is not None and age > limit:
        return (
            False,
            f"oldest due task waits {int(age)} s (limit {limit} s): is the worker running?",
        )
    return True, "moving" if age is not None else "empty"


class HealthCheckMiddleware:
    """Answers /healthz, /readyz and /metrics before host validation, sessions and
    tenancy: load balancers and Prometheus probe by IP address, which is (rightly) not
    in ALLOWED_HOSTS, and none of the three needs a municipality or a session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = _direct_views().get(request.path_info)
        if view is None:
            return self.get_response(request)
        request.metrics_route = request.path_info
        return view(request)


def _direct_views():
    from . import metrics

    return {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics.metrics_view}
