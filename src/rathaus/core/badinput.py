"""Bad input from outside answers 400 with a German message, never a 500.

Views parse their parameters with :mod:`rathaus.core.parsing` and let a
:class:`~rathaus.core.parsing.ParseError` rise; this middleware turns it into the
interface's own error: JSON ``{detail, field, reason}`` under ``/api/`` and a German
HTML page everywhere else. Protocol endpoints with a prescribed error shape (Open311,
OParl) catch it themselves first.
"""

from django.http import JsonResponse
from django.shortcuts import render

from .parsing import ParseError, has_control_characters

CONTROL_REASON = "Der Wert enthält Steuerzeichen."


def describe(error: ParseError) -> str:
    return f"Ungültiger Wert für „{error.field}“: {error.reason}"


def api_error_response(status: int, reason: str, detail: str, field: str | None = None):
    """The JSON API's error answer (``rathaus.api``), for the layers that answer before
    or outside django-ninja: a client parses every answer under /api/ as JSON."""
    return JsonResponse({"detail": detail, "field": field, "reason": reason}, status=status)


def bad_input_response(request, error: ParseError):
    if request.path.startswith("/api/"):
        return api_error_response(400, error.code, describe(error), error.field)
    context = {"status": 400, "message": "Die Anfrage enthält einen ungültigen Wert."}
    context["detail"] = describe(error)
    return render(request, "core/error.html", context, status=400)


class ParseErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A control character (NUL above all: PostgreSQL refuses it in any text) has no
        # place in a URL or a query parameter; refuse it before any view queries with it.
        if has_control_characters(request.path, multiline=False):
            return bad_input_response(request, ParseError("path", CONTROL_REASON))
        for name, values in request.GET.lists():
            for value in (name, *values):
                if has_control_characters(value):
                    return bad_input_response(request, ParseError(name[:40], CONTROL_REASON))
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ParseError):
            return bad_input_response(request, exception)
        return None
