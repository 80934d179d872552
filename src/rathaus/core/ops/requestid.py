"""One id per request: in the X-Request-ID response header, every log line, error
pages and the audit entries the request writes.

An id that nginx (``proxy_set_header X-Request-ID $request_id``) or a load balancer
sends is kept, so one id follows the request through every layer; anything that does
not look like an id is replaced, so a client cannot inject text into the logs.
"""

import re
import uuid
from contextvars import ContextVar

from django.core.signals import request_finished
from django.dispatch import receiver

HEADER = "HTTP_X_REQUEST_ID"
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_current: ContextVar[str] = ContextVar("rathaus_request_id", default="")


def current() -> str:
    """The id of the request (or task) being handled, "" outside of one."""
    return _current.get()


def bind(value: str):
    """Make ``value`` the current id; returns the token for ``unbind``."""
    return _current.set(value)


def unbind(token) -> None:
    _current.reset(token)


def new_id() -> str:
    return uuid.uuid4().hex


def from_request(request) -> str:
    offered = request.META.get(HEADER, "")
    return offered if _SAFE_ID.match(offered) else new_id()


class RequestIdMiddleware:
    """First middleware: binds the id before anything can log or fail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = from_request(request)
        # Bound until the response is closed (``request_finished``): Django logs a 5xx
        # after the middleware returned, and that line must carry the id too.
        bind(request.request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


@receiver(request_finished)
def _request_finished(sender, **kwargs) -> None:
    bind("")


class RequestIdFilter:
    """Logging filter: every record carries ``request_id`` (empty outside a request)."""

    def filter(self, record) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current()
        return True
