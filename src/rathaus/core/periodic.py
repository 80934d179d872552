"""Periodic jobs: each app may define ``periodic.py`` with ``JOBS = [Job(...), ...]``.

`rathaus scheduler` runs them (one process per installation; the jobs themselves
must be safe to run twice, e.g. guarded by row locks or idempotent updates).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps
from django.utils import timezone

from .ops import requestid

log = logging.getLogger("rathaus.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    function: Callable[[], object]
    every_seconds: int


def discover() -> list[Job]:
    jobs: list[Job] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("rathaus."):
            continue
        try:
            module = import_module(f"{config.name}.periodic")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.periodic":
                raise
            continue
        jobs.extend(getattr(module, "JOBS", []))
    return jobs + retention_jobs()


def retention_jobs() -> list[Job]:
    """One job per row of the retention registry (``core.retention``)."""
    from .retention import rules

    return [Job(rule.key, rule.run, rule.every_seconds) for rule in rules()]


def run_recorded(job: Job) -> bool:
    """Run one job, log it with its own id, and record the run for the Betrieb page and
    /metrics. A failing job (or a database that is down) never stops the scheduler."""
    from .ops.models import PeriodicJobRun

    token = requestid.bind(f"job-{job.name}-{requestid.new_id()[:8]}")
    started, ok, error = timezone.now(), True, ""
    try:
        job.function()
    except Exception as exc:  # one failing job must not stop the others
        ok, error = False, f"{type(exc).__name__}: {exc}"[:2000]
        log.exception("periodic job %s failed", job.name)
    try:
        run, _ = PeriodicJobRun.objects.get_or_create(name=job.name)
        run.last_started_at, run.last_finished_at = started, timezone.now()
        run.last_ok, run.last_error = ok, error
        run.runs += 1
        run.failures += 0 if ok else 1
        run.save()
    except Exception:
        log.exception("could not record the run of %s", job.name)
    finally:
        requestid.unbind(token)
    return ok


def _release_expired_leases():
    from .ops.queue import release_expired_leases

    release_expired_leases()


JOBS = [
    Job("core.release_expired_task_leases", _release_expired_leases, 60),
]
