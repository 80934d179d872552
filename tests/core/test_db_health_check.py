"""The connection health check without a round trip (core/backends/postgresql, issue 24).

Between two requests a worker keeps its database connection; before the next request's
first query the connection is checked. A healthy idle connection is taken as it is (no
``SELECT 1``); one the server ended in between is replaced, so the request is served
instead of failing with a database error."""

import select
import time

import pytest
from django.core import signals
from django.db import connections
from django.db.backends.postgresql import base as django_postgresql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _next_request():
    """What Django does between two requests (close_old_connections on both signals)."""
    signals.request_finished.send(sender=None)
    signals.request_started.send(sender=None)


def _backend_pid(connection) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.fixture
def round_trip_checks(monkeypatch):
    """Counts the checks that ask the server (Django's ``SELECT 1``)."""
    calls = []
    asks_server = django_postgresql.DatabaseWrapper.is_usable

    def counted(self):
        calls.append(self.alias)
        return asks_server(self)

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", counted)
    return calls


def test_the_project_uses_the_backend_with_its_health_check_on():
    connection = connections["default"]
    assert type(connection).__module__ == "rathaus.core.backends.postgresql.base"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_healthy_idle_connection_is_kept_without_asking_the_server(round_trip_checks):
    connection = connections["default"]
    pid = _backend_pid(connection)
    for _ in range(3):
        _next_request()
        assert _backend_pid(connection) == pid
    assert connection.health_check_done
    assert round_trip_checks == []


def test_a_connection_the_server_ended_between_requests_is_replaced(round_trip_checks):
    connection = connections["default"]
    pid = _backend_pid(connection)
    _next_request()
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        other.autocommit = True
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    # The server's goodbye arrives at the idle connection's socket.
    deadline = time.monotonic() + 5
    while not select.select([connection.connection.fileno()], [], [], 0.05)[0]:
        assert time.monotonic() < deadline, "the terminated connection never became readable"
    # The request's first query: the check sees the ended session and connects anew.
    assert _backend_pid(connection) != pid
    assert round_trip_checks == ["default"]  # the socket had something: the server decided
