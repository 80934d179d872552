"""A database that is down or restarting gets a German 503 with Retry-After, never a 500.

Covers connection errors (OperationalError: server closed the connection, cannot
connect, admin shutdown) and a connection that went bad (InterfaceError). The
transaction of the request was rolled back, so nothing was half-written and the
citizen may simply send the form again. The page is rendered without the database
(no session, no user, no municipality lookup).
"""

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

RETRY_AFTER_SECONDS = 10
MESSAGE = (
    "Der Dienst ist gerade kurz nicht erreichbar. Ihre Eingabe wurde nicht gespeichert. "
    "Bitte versuchen Sie es in einigen Sekunden erneut."
)


def is_database_down(exception) -> bool:
    return isinstance(exception, OperationalError | InterfaceError)


def response(request):
    if request.path.startswith("/api/"):
        answer = JsonResponse(
            {"detail": MESSAGE, "field": None, "reason": "unavailable"}, status=503
        )
    else:
        body = render_to_string(
            "core/unavailable.html",
            {"message": MESSAGE, "request_id": getattr(request, "request_id", "")},
        )
        answer = HttpResponse(body, status=503)
    answer["Retry-After"] = str(RETRY_AFTER_SECONDS)
    answer["Cache-Control"] = "no-store"
    return answer


class DatabaseUnavailableMiddleware:
    """Views' database errors (the 500 handler covers errors raised in middleware)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_down(exception):
            return response(request)
        return None
