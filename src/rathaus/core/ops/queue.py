"""The database task queue made robust (issue 20, ADR 0090).

- **Lease:** a task left RUNNING longer than ``RATHAUS_TASK_LEASE_SECONDS`` (its
  worker was killed, its machine lost) goes back to READY; the scheduler checks
  every minute. Every outbound connection has a timeout, so no healthy task runs
  that long.
- **Retry with backoff:** a task that failed on a transient error (mail server
  down or refusing for now, network, database restart) is queued again after
  30 s, 1 min, 2 min … up to one hour, at most ``RATHAUS_TASK_MAX_ATTEMPTS``
  times; after that it stays FAILED and staff can retry it on the Betrieb page.
- **Task context:** while a task runs, its id is the current request id (log
  lines and audit entries carry it) and e-mails are numbered for ``ops.mail``.
"""

import logging
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from . import requestid

log = logging.getLogger("rathaus.ops")

#: Exceptions after which trying again later can succeed.
TRANSIENT_PREFIXES = (
    "smtplib.",
    "socket.",
    "ssl.",
    "builtins.ConnectionError",
    "builtins.ConnectionRefusedError",
    "builtins.ConnectionResetError",
    "builtins.ConnectionAbortedError",
    "builtins.BrokenPipeError",
    "builtins.TimeoutError",
    "builtins.OSError",
    "django.db.utils.OperationalError",
    "django.db.utils.InterfaceError",
    "urllib.error.URLError",
)

_task_id: ContextVar[str] = ContextVar("rathaus_task_id", default="")
_mail_number: ContextVar[int] = ContextVar("rathaus_task_mail_number", default=0)


def backoff_seconds(attempt: int) -> int:
    """30 s after the first failed attempt, doubling, at most one hour."""
    base = settings.RATHAUS_TASK_RETRY_BASE_SECONDS
    return min(base * 2 ** max(attempt - 1, 0), 3600)


def is_transient(exception_class_path: str) -> bool:
    return exception_class_path.startswith(TRANSIENT_PREFIXES)


# --- task context -------------------------------------------------------------


def task_started(task_result) -> None:
    _task_id.set(str(task_result.id))
    _mail_number.set(0)
    requestid.bind(f"task-{task_result.id}")


def task_finished(task_result) -> None:
    _task_id.set("")
    requestid.bind("")
    if task_result.status == "FAILED":
        retry_later(task_result)


def next_mail_key() -> str | None:
    """``<task id>:<n>`` for the n-th e-mail of the running task; None outside a task."""
    task_id = _task_id.get()
    if not task_id:
        return None
    number = _mail_number.get()
    _mail_number.set(number + 1)
    return f"{task_id}:{number}"


# --- retries and leases -------------------------------------------------------------


def _rows():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects


def retry_later(task_result) -> bool:
    """Queue a task that failed transiently again, after its backoff."""
    from django_tasks_db.backend import DatabaseBackend

    if not isinstance(task_result.task.get_backend(), DatabaseBackend):
        return False
    errors = task_result.errors
    if not errors or not is_transient(errors[-1].exception_class_path):
        return False
    attempts = len(task_result.worker_ids)
    if attempts >= settings.RATHAUS_TASK_MAX_ATTEMPTS:
        log.error("task %s failed %d times, giving up", task_result.id, attempts)
        return False
    delay = backoff_seconds(attempts)
    updated = (
        _rows()
        .filter(pk=task_result.id, status="FAILED")
        .update(status="READY", run_after=timezone.now() + timedelta(seconds=delay))
    )
    log.warning(
        "task %s failed on %s (attempt %d), retrying in %d s",
        task_result.id,
        errors[-1].exception_class_path,
        attempts,
        delay,
        extra={"task_path": task_result.task.module_path},
    )
    return bool(updated)


def release_expired_leases() -> int:
    """RUNNING tasks whose worker vanished go back to READY; returns how many."""
    cutoff = timezone.now() - timedelta(seconds=settings.RATHAUS_TASK_LEASE_SECONDS)
    count = (
        _rows()
        .filter(status="RUNNING", started_at__lt=cutoff)
        .update(status="READY", run_after=timezone.now())
    )
    if count:
        log.warning("%d task(s) lost their worker and were queued again", count)
    return count


def retry_failed(task_id) -> bool:
    """Staff action: queue a FAILED task once more, now."""
    return bool(
        _rows().filter(pk=task_id, status="FAILED").update(status="READY", run_after=timezone.now())
    )


# --- figures (Betrieb page, /readyz, metrics) ----------------------------------


def due():
    return _rows().filter(status="READY", run_after__lte=timezone.now())


def oldest_ready_age_seconds() -> float | None:
    # run_after is the enqueue time for "now" tasks (django-tasks-db stores a far-future
    # sentinel for "no time given"; such rows count by enqueued_at).
    from django_tasks_db.models import get_date_max

    now = timezone.now()
    ready = _rows().filter(status="READY")
    timed = ready.exclude(run_after=get_date_max()).filter(run_after__lte=now)
    untimed = ready.filter(run_after=get_date_max())
    oldest = [
        timed.aggregate(t=Min("run_after"))["t"],
        untimed.aggregate(t=Min("enqueued_at"))["t"],
    ]
    oldest = [t for t in oldest if t is not None]
    return (now - min(oldest)).total_seconds() if oldest else None


def counts() -> dict:
    from django.db.models import Count

    by_status = dict(_rows().values_list("status").annotate(n=Count("id")).order_by())
    return {status: by_status.get(status, 0) for status in ("READY", "RUNNING", "FAILED")}


def prune() -> int:
    """Delete finished tasks and their sent-mail records (the retention row
    ``core.finished_tasks``, ``RATHAUS_TASK_RETENTION_DAYS``)."""
    from ..privacy import prune_finished_tasks

    return prune_finished_tasks(timezone.now())


def failed_tasks():
    return _rows().filter(status="FAILED").order_by("-finished_at")


def _mail_tasks():
    # Every e-mail task of the modules is called send_*; their failures are mail failures.
    return _rows().filter(task_path__contains=".send_").exclude(task_path__contains="webhook")


def mail_retrying():
    """E-mails whose last attempt failed and that wait for their next attempt."""
    return _mail_tasks().filter(status="READY").exclude(exception_class_path="")


def mail_failed():
    return _mail_tasks().filter(status="FAILED")
