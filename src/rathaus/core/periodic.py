"""Periodic jobs: each app may define ``periodic.py`` with ``JOBS = [Job(...), ...]``.

`rathaus scheduler` runs them (one process per installation; the jobs themselves
must be safe to run twice, e.g. guarded by row locks or idempotent updates).
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.apps import apps


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
