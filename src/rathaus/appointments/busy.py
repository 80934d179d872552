"""Never a 500 for a crowded database (ADR 0023).

Transient PostgreSQL errors (deadlock, serialisation failure, lock timeout,
too many connections) that escape the bounded retries of the write path are
answered with a German "busy, please try again": HTTP 503 with Retry-After,
JSON under /api/, a friendly page otherwise.
"""

from django.db import DatabaseError, OperationalError
from django.http import JsonResponse
from django.shortcuts import render

from rathaus.core import ratelimit

from .services.booking import BUSY_MESSAGE, is_transient

RETRY_AFTER_SECONDS = 5


def busy_response(request):
    ratelimit.refund(request)  # nothing was saved: the attempt does not count
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": BUSY_MESSAGE, "field": None, "reason": "busy"}, status=503
        )
    else:
        response = render(request, "appointments/busy.html", {"message": BUSY_MESSAGE}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class BusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | DatabaseError) and is_transient(exception):
            return busy_response(request)
        return None
