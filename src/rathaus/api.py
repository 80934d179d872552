"""The JSON API (django-ninja): one NinjaAPI, one router per module, OpenAPI at /api/v1/docs.

Errors always have the shape {"detail": <German message>, "field": <name or null>,
"reason": <machine code>} so clients can show them next to the right field.
"""

from django.http import Http404
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from rathaus.applications.api import router as applications_router
from rathaus.appointments.api import router as appointments_router
from rathaus.assistant.api import router as assistant_router
from rathaus.catalog.api import router as catalog_router
from rathaus.core.badinput import describe
from rathaus.core.parsing import ParseError, parse_json_body
from rathaus.council.api import router as council_router
from rathaus.participation.api import router as participation_router


class JsonBodyParser(Parser):
    """Bodies are read by the one parsing module: German reasons, no NaN, no infinity."""

    def parse_body(self, request):
        return parse_json_body(request.body)


api = NinjaAPI(
    parser=JsonBodyParser(),
    title="Rathaus API",
    version="1",
    description="Offene Schnittstelle des digitalen Rathauses. Alle Daten gehören zur "
    "Kommune des aufgerufenen Hostnamens.",
    urls_namespace="api",
    docs_url="/docs",
)

api.add_router("/catalog", catalog_router)
api.add_router("/appointments", appointments_router)
api.add_router("/applications", applications_router)
api.add_router("/council", council_router)
api.add_router("/participation", participation_router)
api.add_router("/assistant", assistant_router)


class ApiError(Schema):
    detail: str
    field: str | None
    reason: str


def document_bad_input() -> None:
    """Every operation can answer 400 (a parameter the parsing module refused, or control
    characters in the URL): say so in the OpenAPI document of each of them."""
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                models = operation.response_models
                if 200 in models or len(models) > 1:  # a lone 201 stays the default status
                    models.setdefault(400, operation._create_response_model(ApiError))


document_bad_input()


def error_body(detail: str, field: str | None = None, reason: str = "invalid") -> dict:
    return {"detail": detail, "field": field, "reason": reason}


def body_field(location) -> str | None:
    """The property a client sent, from pydantic's location: ``("body", "payload",
    "service")`` is ``service`` (``payload`` is the view's parameter, not the client's)."""
    parts = [str(part) for part in location]
    if parts[:1] == ["body"]:
        parts = parts[2:]
    parts = [part for part in parts if part not in ("query", "path")]
    return ".".join(parts) or None


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    field = body_field(first.get("loc", []))
    detail = f"Ungültiger Wert für '{field}'." if field else "Ungültige Anfrage."
    body = error_body(detail, field, first.get("type", "invalid"))
    body["errors"] = [
        {"field": body_field(e.get("loc", [])), "reason": e.get("type"), "message": e.get("msg")}
        for e in exc.errors
    ]
    return api.create_response(request, body, status=422)


@api.exception_handler(ParseError)
def parse_error(request, exc: ParseError):
    """A value the shared parsing module refused: 400 with the field and a German reason."""
    return api.create_response(request, error_body(describe(exc), exc.field, exc.code), status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(
        request, error_body("Nicht gefunden.", None, "not_found"), status=404
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request, error_body("Anmeldung erforderlich.", None, "unauthenticated"), status=401
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    # django-ninja wraps any error of the body parser in its own English "Cannot parse
    # request body"; the parsing module's German reason with its field is the one to show.
    if isinstance(exc.__cause__, ParseError):
        return parse_error(request, exc.__cause__)
    return api.create_response(request, error_body(str(exc), None, "error"), status=exc.status_code)
