"""django-ninja's per-request work cut to what a successful call needs (issue 24, ADR 0116).

``@decorate_view(lean_run)`` (``ninja.decorators``) under an operation's ``@router.…``
replaces the operation's ``run`` for the calls that succeed in reading their parameters:

- the parameters are read from the request as ninja reads them and validated by **the
  same pydantic model ninja built for the operation** (``operation.models``), with the same
  context; only ninja's generic steps around it are left out (the path mapping, the error
  collection, filling the keyword arguments by iterating the model);
- the temporal response ninja builds before every call (an ``HttpResponse``, ~15 µs) is
  built only when the view returns something other than a response (a ``Status``), and
  then the answer is ninja's own ``_result_to_response``;
- an exception of the view goes to ninja's exception handlers, as in ``Operation.run``.

Whatever is unusual goes to ninja's own ``run`` before the view is called: parameters that
do not validate or cannot be read (bad JSON, an empty or too large body), path
parameters, authentication, throttles. Reading and validating has no side effect, so ninja
reading them again gives exactly its own answer (400, 422, …). The differential test
``tests/appointments/test_api_lean.py`` sends a corpus of good and hostile requests
through both ways and compares status, headers and bytes.

The OpenAPI schema does not change: ``decorate_view`` wraps ``run`` only, the operation,
its models and response models stay as ninja made them.
"""

from collections.abc import Callable

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from ninja.operation import Operation
from ninja.params.models import BodyModel, QueryModel

Reader = Callable[[HttpRequest], dict]


def lean_run(run: Callable) -> Callable:
    """For ``decorate_view``: ``run`` is the (cloned) operation's bound ``run``."""
    operation: Operation = run.__self__  # type: ignore[attr-defined]
    read = _reader(operation)
    if read is None:  # a kind of operation this does not know: ninja's run as it is
        return run

    def lean(request: HttpRequest, **path_params):
        if operation.csrf_exempt:  # as ninja's checks: auth callbacks read it
            request._ninja_csrf_exempt = True  # type: ignore[attr-defined]
        if path_params or operation.auth_callbacks or operation.throttle_objects:
            return run(request, **path_params)
        try:
            values = read(request)
        except Exception:  # noqa: BLE001 - ninja reads them again and gives its answer
            return run(request)
        api = operation.api
        try:
            result = operation.view_func(request, **values)
            if isinstance(result, HttpResponseBase):
                return result
            return operation._result_to_response(
                request, result, api.create_temporal_response(request)
            )
        except Exception as error:  # as Operation.run (its hint for a TypeError only
            return api.on_exception(request, error)  # edits the text of a 500's traceback)

    lean.__wrapped__ = run  # type: ignore[attr-defined]
    return lean


def _reader(operation: Operation) -> Reader | None:
    """What reads the operation's one parameter model as ninja does, or None."""
    if operation.signature.response_arg or operation.stream_format:
        return None
    if len(operation.models) != 1:
        return None
    (model,) = operation.models
    if model.model_config.get("extra") == "allow":  # ninja would pass the extras on
        return None
    if _ninja_reads(model, QueryModel):
        return _query_reader(model)
    if _ninja_reads(model, BodyModel):
        return _body_reader(operation, model)
    return None


def _ninja_reads(model, kind) -> bool:
    """``model`` is of ``kind`` and reads the request with ``kind``'s own method (not a
    subclass's, such as the multipart body's)."""
    return issubclass(model, kind) and model.get_request_data.__func__ is (
        kind.get_request_data.__func__  # type: ignore[attr-defined]
    )


def _query_reader(model) -> Reader | None:
    """Query parameters, each by its own name (the last value of a repeated one, as
    ``Parser.parse_querydict``), parameters the model does not name left out (as the
    model's path map does)."""
    paths = getattr(model, "__ninja_flatten_map__", None) or {}
    if getattr(model, "__ninja_collection_fields__", None):
        return None
    if any(path != (name,) for name, path in paths.items()):
        return None  # nested: ninja's path map
    names = frozenset(paths)

    def read(request: HttpRequest) -> dict:
        query = request.GET
        data = {name: query[name] for name in query if name in names}
        return model.model_validate(data, context={"request": request}).__dict__

    return read


def _body_reader(operation: Operation, model) -> Reader | None:
    """A JSON body given to one parameter (``payload: HoldIn``) through the API's parser."""
    name = getattr(model, "__read_from_single_attr__", None)
    if not name or getattr(model, "__ninja_flatten_map__", None):
        return None

    def read(request: HttpRequest) -> dict:
        if not request.body:
            raise ValueError("no body: ninja's answer")
        data = {name: operation.api.parser.parse_body(request)}
        return model.model_validate(data, context={"request": request}).__dict__

    return read
