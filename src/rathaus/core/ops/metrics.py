"""Prometheus metrics at ``/metrics`` (protected: token or allow-listed addresses).

Two kinds:
- **Events** counted where they happen (requests by route and status, e-mails sent and
  failed, rate-limit refusals) with ``prometheus_client``. Under gunicorn every worker
  process writes its counts to ``PROMETHEUS_MULTIPROC_DIR`` and a scrape adds them up
  (``rathaus.gunicorn_conf`` prepares the directory); without it each process counts
  alone (development).
- **State** read from the database at scrape time (queue length and age, bookings and
  holds, lottery draws per municipality): the same answer from every process, so it
  is correct with any number of app servers. Each app may add its own in
  ``<app>/metrics.py`` with ``collect() -> iterable of metric families``.
"""

import hmac
import ipaddress
import os
import time
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

REQUESTS = Counter(
    "rathaus_http_requests_total",
    "HTTP requests by route and status",
    ["route", "method", "status"],
)
LATENCY = Histogram(
    "rathaus_http_request_duration_seconds",
    "Time to answer a request, by route",
    ["route"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
EMAILS = Counter("rathaus_emails_total", "E-mails handed to the mail server", ["outcome"])
RATE_LIMITED = Counter(
    "rathaus_rate_limit_refusals_total", "Requests refused by a rate limit", ["route"]
)


def route_of(request) -> str:
    """The URL pattern, not the path: bounded label values (no ids, no slugs)."""
    if getattr(request, "metrics_route", None):
        return request.metrics_route
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + (match.route or match.view_name or "unknown")


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        route = route_of(request)
        REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        LATENCY.labels(route).observe(time.perf_counter() - started)
        return response


# --- the endpoint -------------------------------------------------------------


def allowed(request) -> bool:
    token = settings.RATHAUS_METRICS_TOKEN
    offered = request.META.get("HTTP_AUTHORIZATION", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    if "HTTP_X_FORWARDED_FOR" in request.META:
        return False  # came through a proxy: its address says nothing, only the token counts
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net) for net in settings.RATHAUS_METRICS_ALLOW)


def metrics_view(request):
    if not allowed(request):
        # Not found rather than forbidden: the endpoint is not advertised to the public.
        return HttpResponseNotFound("not found", content_type="text/plain")
    body = generate_latest(_event_registry()) + generate_latest(_state_registry())
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


def _event_registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def _state_registry():
    registry = CollectorRegistry()
    registry.register(DatabaseState())
    return registry


class DatabaseState:
    """Collector: figures read from the database at scrape time."""

    def collect(self):
        yield from queue_metrics()
        for config in apps.get_app_configs():
            if config.name.startswith("rathaus.") and config.label != "core":
                module = _metrics_module(config.name)
                if module is not None:
                    yield from module.collect()


def _metrics_module(app_name: str):
    try:
        return import_module(f"{app_name}.metrics")
    except ModuleNotFoundError as exc:
        if exc.name != f"{app_name}.metrics":
            raise
        return None


def queue_metrics():
    from . import queue
    from .models import PeriodicJobRun, SentMail

    counts = queue.counts()
    tasks = GaugeMetricFamily("rathaus_tasks", "Background tasks by status", labels=["status"])
    for status, number in counts.items():
        tasks.add_metric([status.lower()], number)
    yield tasks
    due = GaugeMetricFamily("rathaus_tasks_due", "Tasks due to run now (queue length)")
    due.add_metric([], queue.due().count())
    yield due
    age = GaugeMetricFamily(
        "rathaus_tasks_oldest_due_age_seconds", "How long the oldest due task has waited"
    )
    age.add_metric([], queue.oldest_ready_age_seconds() or 0)
    yield age
    sent = CounterMetricFamily(
        "rathaus_task_emails_sent", "E-mails sent by tasks (recorded, not yet pruned)"
    )
    sent.add_metric([], SentMail.objects.count())
    yield sent
    last = GaugeMetricFamily(
        "rathaus_periodic_job_last_finished_timestamp_seconds",
        "When the scheduler last finished each periodic job",
        labels=["job", "ok"],
    )
    for run in PeriodicJobRun.objects.exclude(last_finished_at=None):
        last.add_metric([run.name, str(run.last_ok).lower()], run.last_finished_at.timestamp())
    yield last
