"""A database that is down or restarting, or a full or read-only disk, gets a German 503
with Retry-After, never a 500.

Covers connection errors (OperationalError: server closed the connection, cannot
connect, admin shutdown) and a connection that went bad (InterfaceError). The
transaction of the request was rolled back, so nothing was half-written and the
citizen may simply send the form again. The page is rendered without the database
(no session, no user, no municipality lookup).
"""

import errno
import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext, gettext_noop

from rathaus.core import ratelimit

log = logging.getLogger("rathaus.ops")
RETRY_AFTER_SECONDS = 10
MESSAGE = gettext_noop(
    "Der Dienst ist gerade kurz nicht erreichbar. Ihre Eingabe wurde nicht gespeichert. "
    "Bitte versuchen Sie es in einigen Sekunden erneut."
)


#: Storage failures while writing uploads: disk or quota full, media mounted read-only.
STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}
STORAGE_MESSAGE = gettext_noop(
    "Ihre Datei konnte gerade nicht gespeichert werden (Speicherproblem bei uns). "
    "Ihre Eingaben wurden nicht übernommen. Bitte versuchen Sie es später erneut."
)


def is_database_down(exception) -> bool:
    return isinstance(exception, OperationalError | InterfaceError)


def is_storage_full(exception) -> bool:
    return isinstance(exception, OSError) and exception.errno in STORAGE_ERRNOS


def handles(exception) -> bool:
    return is_database_down(exception) or is_storage_full(exception)


def response(request, exception=None):
    """The German 503; for a full or read-only disk the message says so. The request's
    transaction was rolled back, so no application refers to a half-written file."""
    storage = exception is not None and is_storage_full(exception)
    message = gettext(STORAGE_MESSAGE if storage else MESSAGE)
    ratelimit.refund(request)  # nothing was saved: the attempt does not count
    if storage:
        log.error("storage full or read-only while handling %s: %s", request.path, exception)
    if request.path.startswith("/api/"):
        answer = JsonResponse(
            {"detail": message, "field": None, "reason": "storage" if storage else "unavailable"},
            status=503,
        )
    else:
        body = render_to_string(
            "core/unavailable.html",
            {"message": message, "request_id": getattr(request, "request_id", "")},
        )
        answer = HttpResponse(body, status=503)
    answer["Retry-After"] = str(300 if storage else RETRY_AFTER_SECONDS)
    answer["Cache-Control"] = "no-store"
    return answer


class DatabaseUnavailableMiddleware:
    """Views' database errors (the 500 handler covers errors raised in middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if handles(exception):
            return response(request, exception)
        return None
