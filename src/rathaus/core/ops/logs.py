"""Structured logs: one JSON object per line (time, level, logger, message, request id).

Used by the app, the task worker and the scheduler (all configured through Django's
LOGGING) and by gunicorn (``rathaus.gunicorn_conf``), so one log pipeline can parse
every line. ``LOG_FORMAT=text`` gives plain lines for development.
"""

import json
import logging
import re
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or "",
            "process": record.process,
        }
        if record.name == "gunicorn.access":
            entry["message"] = redact_tokens(entry["message"])
            entry.update(_access_fields(entry["message"]))
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if _is_plain(value) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# A path segment that is a token: signed values (django.core.signing, with ":") and
# random URL-safe tokens (mixed case with digits); slugs are lowercase words.
_TOKEN = re.compile(
    r"(?<=/)(?:[A-Za-z0-9_.-]*:[A-Za-z0-9_.:-]+"
    r"|(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{20,})(?=/|$|\?|\")"
)


def redact_tokens(text: str) -> str:
    """Citizen links carry tokens in the path (manage a booking, confirm an alert); the
    access log keeps the route, not the token (issue 17: logs hold no capabilities)."""
    return _TOKEN.sub("[token]", text)


def _access_fields(message: str) -> dict:
    """gunicorn's access line is JSON itself (``rathaus.gunicorn_conf``): its fields
    become the entry's, so the request id is a top-level field like everywhere else."""
    try:
        fields = json.loads(message)
    except ValueError:
        return {}
    return fields if isinstance(fields, dict) else {}


def _is_plain(value) -> bool:
    return isinstance(value, str | int | float | bool | type(None))


def logging_config(level: str, fmt: str = "json") -> dict:
    """Django's LOGGING: everything to stderr through one handler."""
    formatter = (
        {"()": "rathaus.core.ops.logs.JsonFormatter"}
        if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "rathaus.core.ops.requestid.RequestIdFilter"}},
        "formatters": {"rathaus": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "rathaus",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # The worker's task lines (started/finished) are the operator's record.
            "django_tasks": {"level": "INFO"},
            "django_tasks_db": {"level": "INFO"},
            "rathaus.ops": {"level": "INFO"},
        },
    }
