"""gunicorn settings for production: ``gunicorn -c python:rathaus.gunicorn_conf rathaus.wsgi``.

- JSON access and error logs on stderr, in the same shape as the app's lines (time,
  level, logger, message, request_id), with route, status, duration and client.
- Prometheus multi-process mode: every worker process writes its counters into
  ``PROMETHEUS_MULTIPROC_DIR`` (emptied at start, a dead worker's live gauges dropped),
  so ``/metrics`` adds up all workers whichever one answers the scrape.
- Each worker warms up before its first connection (``post_worker_init``, core/warmup.py).
Bind address, workers and timeout come from GUNICORN_BIND, GUNICORN_WORKERS,
GUNICORN_TIMEOUT (defaults: 127.0.0.1:8000, 4, 30 s).
"""

import os
import shutil
import tempfile

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
accesslog = "-"
errorlog = "-"
# One JSON object per request; the request id is the one the app sent back.
access_log_format = (
    '{"remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", "status": %(s)s, '
    '"bytes": "%(B)s", "duration_ms": %(M)s, "request_id": "%({x-request-id}o)s", '
    '"user_agent": "%(a)s"}'
)
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "rathaus.core.ops.logs.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}

os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), "rathaus-metrics")
)


def on_starting(server):
    """Counts of an earlier run would be added to this one's: start empty."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    """Before the worker's first request: import, compile and connect what every request
    needs (core/warmup.py), so the first citizen does not pay for it (issue 24)."""
    from rathaus.core import warmup

    warmup.warm()
