"""The database router for a read replica (issue 20, ADR 0091, core/ops/replica.py).

Real requests through the whole middleware stack; the router under test is wrapped so
that it records each decision and then lets the query run on the one test database
(the scale-out check, scripts/scaleout_check.py, runs the same router against a real
streaming replica). A decision is (model label, alias the router chose)."""

import time

import pytest
from django.db import connections, transaction
from django.db.models import F

from rathaus.catalog.models import Service, Topic
from rathaus.core.models import Office
from rathaus.core.ops import replica

decisions: list[tuple[str, str]] = []


class RecordingRouter(replica.ReplicaRouter):
    def db_for_read(self, model, **hints):
        decisions.append((model._meta.label, super().db_for_read(model, **hints)))
        return "default"

    def db_for_write(self, model, **hints):
        assert super().db_for_write(model, **hints) == "default"
        return "default"


@pytest.fixture
def routed(settings, monkeypatch, town_a):
    """The settings that DATABASE_REPLICA_URL gives, with the recording router."""
    monkeypatch.setattr(replica, "enabled", lambda: True)
    monkeypatch.setattr(replica, "replica_reachable", lambda: True)
    settings.DATABASE_ROUTERS = [f"{__name__}.RecordingRouter"]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("rathaus.core.ops.health.HealthCheckMiddleware") + 1,
        "rathaus.core.ops.replica.ReplicaReadsMiddleware",
    )
    settings.MIDDLEWARE = middleware
    settings.RATHAUS_REPLICA_HEADER = True
    topic = Topic.objects.create(slug="ausweise", name="Ausweise")
    Service.objects.create(
        municipality=town_a,
        slug="personalausweis",
        name="Personalausweis",
        summary="Antrag",
        topic=topic,
        office=Office.objects.filter(municipality=town_a).first(),
        is_published=True,
    )
    decisions.clear()
    return town_a


def reads(label=None):
    return [alias for model, alias in decisions if label in (None, model)]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/leistungen/",
        "/leistungen/personalausweis/",
        "/aemter/",
        "/rat/",
        "/rat/gremien/",
        "/rat/vorlagen/",
        "/rat/oparl/v1/body",
    ],
)
def test_public_read_pages_read_their_content_from_the_replica(routed, client_a, path):
    client_a.get(path)  # the first OParl request creates the town's Body (a write)
    client_a.cookies.pop(replica.PIN_COOKIE, None)
    decisions.clear()
    response = client_a.get(path)
    assert response.status_code == 200
    assert response["X-Rathaus-Database"] == "replica", decisions
    assert "replica" in reads()
    assert replica.PIN_COOKIE not in response.cookies  # reading pins nobody


def test_who_the_user_is_always_comes_from_the_primary(routed, client_a, citizen):
    client_a.force_login(citizen)
    decisions.clear()
    response = client_a.get("/leistungen/personalausweis/")
    assert response.status_code == 200
    assert reads("catalog.Service") and set(reads("catalog.Service")) == {"replica"}
    assert reads("sessions.Session") == ["default"]
    assert set(reads("core.User")) == {"default"}


@pytest.mark.parametrize(
    ("path", "who"),
    [
        ("/verwaltung/", "admin"),  # staff
        ("/rat/verwaltung/", "admin"),  # council staff
        ("/antraege/konto/", "citizen"),  # citizen account
        ("/termine/", None),  # booking: never from a copy that may lag
        ("/antraege/", None),
    ],
)
def test_staff_account_and_booking_pages_read_only_the_primary(
    routed, client_a, admin_a, citizen, path, who
):
    if who:
        client_a.force_login(admin_a if who == "admin" else citizen)
    decisions.clear()
    response = client_a.get(path)
    assert response.status_code in (200, 302)
    assert "replica" not in reads()
    assert response["X-Rathaus-Database"] == "primary"


def test_a_write_pins_the_client_to_the_primary_for_the_pin_time(routed, client_a, settings):
    settings.RATHAUS_REPLICA_PIN_SECONDS = 30
    response = client_a.post("/rat/benachrichtigung/", {"email": "x"})  # any POST
    assert "replica" not in reads()
    pin = response.cookies[replica.PIN_COOKIE]
    assert pin["httponly"] and pin["max-age"] == 30
    assert int(pin.value) >= time.time() + 29
    decisions.clear()
    # the same client (it sends the cookie back) now reads the catalog from the primary
    response = client_a.get("/leistungen/personalausweis/")
    assert response.status_code == 200
    assert reads("catalog.Service") and "replica" not in reads()
    assert response["X-Rathaus-Database"] == "primary"
    # another client, without the cookie, still reads from the replica
    client_a.cookies.pop(replica.PIN_COOKIE)
    decisions.clear()
    assert client_a.get("/leistungen/personalausweis/")["X-Rathaus-Database"] == "replica"


def test_an_expired_or_forged_pin_does_not_pin(routed, client_a, rf):
    client_a.cookies[replica.PIN_COOKIE] = str(int(time.time()) - 1)
    assert client_a.get("/leistungen/")["X-Rathaus-Database"] == "replica"
    client_a.cookies[replica.PIN_COOKIE] = "morgen"
    assert client_a.get("/leistungen/")["X-Rathaus-Database"] == "replica"
    request = rf.get("/", HTTP_COOKIE=f"{replica.PIN_COOKIE}={int(time.time()) + 5}")
    assert replica.is_pinned(request)


def test_reads_after_a_write_in_the_same_request_and_in_a_transaction_use_the_primary(routed, rf):
    router = replica.ReplicaRouter()
    state = replica._State(replica_allowed=True)
    token = replica._state.set(state)
    try:
        assert router.db_for_read(Service) == "replica"
        with transaction.atomic():
            assert router.db_for_read(Service) == "default"
        assert router.db_for_read(Service) == "replica"
        assert router.db_for_write(Service) == "default"
        assert router.db_for_read(Service) == "replica"  # asked, but nothing written yet
        with connections["default"].execute_wrapper(replica._watch_writes(state)):
            with replica.counter_update():
                Service.objects.update(popularity=F("popularity") + 1)
            assert router.db_for_read(Service) == "replica"  # a counter pins nobody
            Topic.objects.create(slug="neu", name="Neu")
        assert router.db_for_read(Service) == "default"  # read-your-writes in the request
    finally:
        replica._state.reset(token)
    # outside a request (tasks, shell, the scheduler) everything is the primary
    assert router.db_for_read(Service) == "default"
    assert router.allow_migrate("replica", "catalog") is False
    assert router.allow_migrate("default", "catalog") is True


def test_a_get_that_writes_pins_the_client(routed, rf):
    """A GET whose view writes a row pins like a POST does (and reads the primary after)."""
    seen = []

    def view(request):
        from django.http import HttpResponse

        router = replica.ReplicaRouter()
        seen.append(router.db_for_read(Service))
        Topic.objects.create(slug="neu", name="Neu")  # through the configured router
        seen.append(router.db_for_read(Service))
        return HttpResponse("ok")

    middleware = replica.ReplicaReadsMiddleware(view)
    request = rf.get("/leistungen/")
    from django.urls import resolve

    request.resolver_match = resolve("/leistungen/")
    response = middleware(_ViewCalling(middleware, view, request))
    assert seen == ["replica", "default"]
    assert replica.PIN_COOKIE in response.cookies


class _ViewCalling:
    """Stands in for the request: Django calls process_view before the view."""

    def __new__(cls, middleware, view, request):
        original = middleware.get_response

        def get_response(req):
            middleware.process_view(req, view, (), {})
            return original(req)

        middleware.get_response = get_response
        return request


def test_without_a_replica_url_there_is_no_replica_alias_and_no_router(settings):
    from django.conf import settings as live

    assert "replica" not in live.DATABASES
    assert "rathaus.core.ops.replica.ReplicaReadsMiddleware" not in live.MIDDLEWARE
    assert live.DATABASE_ROUTERS == []


def test_an_unreachable_replica_sends_reads_to_the_primary_for_a_while(monkeypatch):
    from django.db import OperationalError

    attempts = []

    class Down:
        def close_if_health_check_failed(self):
            pass

        def ensure_connection(self):
            attempts.append(1)
            raise OperationalError("connection refused")

    monkeypatch.setattr(replica, "connections", {"replica": Down()})
    monkeypatch.setattr(replica, "_replica_down_until", 0.0)
    assert replica.replica_reachable() is False
    assert replica.replica_reachable() is False  # remembered: no second attempt
    assert len(attempts) == 1
    monkeypatch.setattr(replica, "_replica_down_until", time.monotonic() - 1)

    class Up(Down):
        def ensure_connection(self):
            attempts.append(1)

    monkeypatch.setattr(replica, "connections", {"replica": Up()})
    assert replica.replica_reachable() is True
