"""Bad input from outside answers 400 with a German message, never a 500.

Views parse their parameters with :mod:`rathaus.core.parsing` and let a
:class:`~rathaus.core.parsing.ParseError` rise; this middleware turns it into the
interface's own error: JSON ``{detail, field, reason}`` under ``/api/`` and a German
HTML page everywhere else. Protocol endpoints with a prescribed error shape (Open311,
OParl) catch it themselves first; for what reaches them before their view (control
characters, an unknown path) their app registers the shape here (``register_protocol``).
"""

import re
from collections.abc import Callable

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from .parsing import ParseError, has_control_characters

CONTROL_REASON = "Der Wert enthält Steuerzeichen."


# respond(match of the path, status, German text, field or None) -> the protocol's error
ProtocolResponder = Callable[[re.Match, int, str, str | None], HttpResponse]
_protocols: list[tuple[re.Pattern, ProtocolResponder]] = []


def register_protocol(path_pattern: str, respond: ProtocolResponder) -> None:
    """A machine interface under ``path_pattern`` answers errors in its own shape: its
    clients parse every answer as that protocol. Core cannot import those apps
    (dependencies point one way), so they register when they start (``AppConfig.ready``)."""
    pattern = re.compile(path_pattern)
    if all(existing.pattern != pattern.pattern for existing, _ in _protocols):
        _protocols.append((pattern, respond))


def protocol_error_response(request, status: int, detail: str, field: str | None = None):
    """The registered protocol's error answer for this path, or None for other paths."""
    for pattern, respond in _protocols:
        match = pattern.match(request.path)
        if match:
            return respond(match, status, detail, field)
    return None


def describe(error: ParseError) -> str:
    return f"Ungültiger Wert für „{error.field}“: {error.reason}"


def api_error_response(status: int, reason: str, detail: str, field: str | None = None):
    """The JSON API's error answer (``rathaus.api``), for the layers that answer before
    or outside django-ninja: a client parses every answer under /api/ as JSON."""
    return JsonResponse({"detail": detail, "field": field, "reason": reason}, status=status)


def api_method_not_allowed(response):
    """django-ninja answers a wrong method with a bare English text/html 405; a client of
    the JSON API gets the API's German error in JSON, with the same Allow header."""
    if response.get("Content-Type", "").startswith("application/json"):
        return response
    allowed = response.get("Allow", "")
    text = f"Diese Adresse erlaubt nur {allowed}." if allowed else "Methode nicht erlaubt."
    answer = api_error_response(405, "method_not_allowed", text)
    if allowed:
        answer["Allow"] = allowed
    return answer


def bad_input_response(request, error: ParseError):
    protocol = protocol_error_response(request, 400, describe(error), error.field)
    if protocol is not None:
        return protocol
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
        response = self.get_response(request)
        if response.status_code == 405 and request.path.startswith("/api/"):
            return api_method_not_allowed(response)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, ParseError):
            return bad_input_response(request, exception)
        return None
