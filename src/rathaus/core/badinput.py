"""Bad input from outside answers 400 with a German message, never a 500.

Views parse their parameters with :mod:`rathaus.core.parsing` and let a
:class:`~rathaus.core.parsing.ParseError` rise; this middleware turns it into the
interface's own error: JSON ``{detail, field, reason}`` under ``/api/`` and a German
HTML page everywhere else. Protocol endpoints with a prescribed error shape (Open311,
OParl) catch it themselves first.
"""

from django.http import JsonResponse
from django.shortcuts import render

from .parsing import ParseError


def describe(error: ParseError) -> str:
    return f"Ungültiger Wert für „{error.field}“: {error.reason}"


def bad_input_response(request, error: ParseError):
    if request.path.startswith("/api/"):
        body = {"detail": describe(error), "field": error.field, "reason": error.code}
        return JsonResponse(body, status=400)
    context = {"status": 400, "message": "Die Anfrage enthält einen ungültigen Wert."}
    context["detail"] = describe(error)
    return render(request, "core/error.html", context, status=400)


class ParseErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ParseError):
            return bad_input_response(request, exception)
        return None
