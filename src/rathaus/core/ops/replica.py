"""Reads of public pages from a streaming replica, with read-your-writes (ADR 0091).

Only with ``DATABASE_REPLICA_URL`` set (the ``replica`` database alias and this router
are added by the settings); without it nothing changes.

A read goes to the replica only when all of these hold:

- the request is a GET or HEAD of a public read page: the catalog, the council's
  public pages and OParl (``REPLICA_VIEWS``, by URL name; staff, citizen-account,
  booking and application pages are never on the list);
- the client has not written within the last ``DATABASE_REPLICA_PIN_SECONDS``: every
  request that writes, and every POST/PUT/PATCH/DELETE, sets a cookie that pins that
  client to the primary for that long, so a citizen or staff member always sees what
  they just changed, however far the replica lags;
- nothing has been written in this request, and no transaction is open on the
  primary (a read inside ``atomic`` must see the transaction's own rows);
- the model is not one that decides who the user is (sessions, users, login
  throttling): those are always read from the primary.

Writes always go to the primary.
"""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "rathaus_primary"
SAFE_METHODS = ("GET", "HEAD")

# Public read pages, as "namespace:url_name".
REPLICA_VIEWS = frozenset(
    [
        # catalog
        "catalog:home",
        "catalog:services",
        "catalog:service",
        "catalog:topic",
        "catalog:life_situation",
        "catalog:search",
        "core:offices",
        "core:office",
        "core:location",
        # council (public pages; not the alert subscription, not the staff area)
        "council:index",
        "council:calendar",
        "council:ical",
        "council:meeting",
        "council:minutes",
        "council:papers",
        "council:paper_feed",
        "council:paper",
        "council:search",
        "council:organizations",
        "council:organization",
        "council:persons",
        "council:person",
        "council:tasks",
        "council:inquiries",
        # OParl
        "council:oparl_root",
        "council:oparl_system",
        "council:oparl_bodies",
        "council:oparl_list",
        "council:oparl_org_meetings",
        "council:oparl_object",
    ]
)
# Who the user is, whether they may log in, the task queue: always from the primary.
PRIMARY_APPS = frozenset(["sessions", "auth", "axes", "admin", "django_tasks_db"])


@dataclass
class _State:
    replica_allowed: bool = False
    wrote: bool = False
    replica_reads: int = 0
    counting: bool = False


_WRITES = ("insert", "update", "delete", "merge", "copy")


def _watch_writes(state):
    """An execute wrapper on the primary's connection: an INSERT, UPDATE or DELETE marks
    the request as writing (its later reads and the client's next requests: primary)."""

    def wrapper(execute, sql, params, many, context):
        if not state.counting and sql.lstrip(" (").lower().startswith(_WRITES):
            state.wrote = True
        return execute(sql, params, many, context)

    return wrapper


@contextmanager
def counter_update():
    """Around a write nobody needs to read back at once (a page-view counter): it neither
    pins the client to the primary nor moves the request's later reads there."""
    state = _state.get()
    if state is None:
        yield
        return
    previous, state.counting = state.counting, True
    try:
        yield
    finally:
        state.counting = previous


_state: ContextVar[_State | None] = ContextVar("rathaus_db_state", default=None)


def enabled() -> bool:
    return REPLICA in settings.DATABASES


def pin_seconds() -> int:
    return int(getattr(settings, "RATHAUS_REPLICA_PIN_SECONDS", 10))


def is_pinned(request, now: float | None = None) -> bool:
    """True while the client's last write is younger than the pin time."""
    try:
        until = int(request.COOKIES.get(PIN_COOKIE, "0"))
    except ValueError:
        return False
    return until > (time.time() if now is None else now)


def view_name(match) -> str:
    return f"{match.namespace}:{match.url_name}" if match and match.url_name else ""


def _always_primary(model) -> bool:
    if model is None:
        return True
    meta = model._meta
    return meta.app_label in PRIMARY_APPS or (
        f"{meta.app_label}.{meta.object_name}" == settings.AUTH_USER_MODEL
    )


def _in_transaction() -> bool:
    """A transaction is open on the primary (the test case's own outer one not counted,
    as Django's ``durable`` check does)."""
    connection = connections[DEFAULT_DB_ALIAS]
    return connection.in_atomic_block and any(
        not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry: reads to the replica only when the request allows it."""

    def db_for_read(self, model, **hints):
        state = _state.get()
        if state is None or not state.replica_allowed or state.wrote:
            return DEFAULT_DB_ALIAS
        if _always_primary(model) or _in_transaction():
            return DEFAULT_DB_ALIAS
        state.replica_reads += 1
        return REPLICA

    def db_for_write(self, model, **hints):
        # Also asked for reads that must see the primary (get_or_create, select_for_update);
        # whether the request really wrote is seen on the connection (_watch_writes).
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: same rows, same ids

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaReadsMiddleware:
    """Decides per request whether reads may use the replica; pins writers to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled():
            return self.get_response(request)
        state = _State()
        token = _state.set(state)
        try:
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(_watch_writes(state)):
                response = self.get_response(request)
        finally:
            _state.reset(token)
        if state.wrote or request.method not in SAFE_METHODS:
            seconds = pin_seconds()
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        if getattr(settings, "RATHAUS_REPLICA_HEADER", False):
            # For the scale-out check and operators' debugging (off by default).
            response["X-Rathaus-Database"] = REPLICA if state.replica_reads else "primary"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = _state.get()
        if state is None:
            return None
        state.replica_allowed = (
            request.method in SAFE_METHODS
            and view_name(request.resolver_match) in REPLICA_VIEWS
            and not is_pinned(request)
            and replica_reachable()
        )
        return None


_replica_down_until = 0.0
DOWN_SECONDS = 30


def replica_reachable() -> bool:
    """False while the replica cannot be reached: its pages are then read from the primary
    (one request per process and ``DOWN_SECONDS`` pays the connection attempt)."""
    global _replica_down_until
    if time.monotonic() < _replica_down_until:
        return False
    try:
        connection = connections[REPLICA]
        connection.close_if_health_check_failed()  # a kept connection to a replica gone
        connection.ensure_connection()
    except DatabaseError:
        _replica_down_until = time.monotonic() + DOWN_SECONDS
        logger.warning("replica unreachable: reading from the primary for %s s", DOWN_SECONDS)
        return False
    return True
