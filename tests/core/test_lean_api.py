"""The JSON API's lean middleware stack keeps every security property (ADR 0094, issue 24).

Each test asks one property on ``/api/v1/`` through the real chain; the first ones show
that the page-only middleware really does not run there (and still runs on pages).
"""

import pytest
from django.conf import settings as live_settings
from django.db import OperationalError
from django.utils import translation

from rathaus.applications import api as applications_api
from rathaus.core import leanapi, tenancy
from rathaus.core.ops import modes, replica

API = "/api/v1/catalog/services"


def test_the_lean_chain_is_the_full_one_minus_the_page_only_middleware():
    lean = leanapi.lean_middleware()
    for page_only in live_settings.RATHAUS_PAGE_ONLY_MIDDLEWARE:
        assert page_only not in lean
    full = live_settings.MIDDLEWARE
    kept = [path for path in full[full.index(leanapi.SELF) + 1 :] if path in lean]
    assert kept == lean  # same order as in MIDDLEWARE
    # Before the dispatcher (so for every request): request id, metrics, health probes.
    before = full[: full.index(leanapi.SELF)]
    assert before[0] == "rathaus.core.ops.requestid.RequestIdMiddleware"
    assert "rathaus.core.ops.health.HealthCheckMiddleware" in before


def test_no_session_csrf_locale_or_messages_on_an_api_answer(client_a, admin_a):
    client_a.force_login(admin_a)  # a session cookie is sent along and must not be read
    response = client_a.get(API, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert not response.cookies  # no session, CSRF or language cookie
    vary = response.get("Vary", "")
    assert "Cookie" not in vary and "Accept-Language" not in vary
    assert not response.has_header("Content-Language")
    assert response["Content-Length"] == str(len(response.content))
    # A page still runs the whole chain.
    page = client_a.get("/aemter/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Accept-Language" in page["Vary"] and page.has_header("Content-Language")


def test_the_api_answers_in_german_whatever_the_previous_request_activated(client_a, monkeypatch):
    seen = []
    real = tenancy.municipality_for_host

    def recording(host):
        seen.append(translation.get_language())
        return real(host)

    monkeypatch.setattr(tenancy, "municipality_for_host", recording)
    translation.activate("en")  # what a page in English leaves behind in the thread
    try:
        assert client_a.get(API, HTTP_ACCEPT_LANGUAGE="en").status_code == 200
    finally:
        translation.deactivate()
    assert seen == ["de"]


def test_request_id(client_a):
    offered = client_a.get(API, HTTP_X_REQUEST_ID="abc-12345")
    assert offered["X-Request-ID"] == "abc-12345"
    generated = client_a.get(API)
    assert len(generated["X-Request-ID"]) >= 16


def test_security_headers(client_a, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client_a.get(API, secure=True)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["Referrer-Policy"]


def test_unknown_host_is_refused(client, town_a):
    response = client.get(API, HTTP_HOST="unbekannt.test")
    assert response.status_code == 400


def test_each_host_sees_its_own_town(client, town_a, town_b):
    a = client.get("/api/v1/catalog/offices", HTTP_HOST="a.test").json()
    b = client.get("/api/v1/catalog/offices", HTTP_HOST="b.test").json()
    assert a and b and a != b
    assert "Bürgerbüro A" in str(a) and "Bürgerbüro A" not in str(b)


def test_control_characters_are_refused_with_json(client_a):
    response = client_a.get(API + "?q=a%00b")
    assert response.status_code == 400
    assert response.json()["field"] == "q"
    assert response.json()["reason"] == "invalid"


def test_bad_input_is_a_json_error_with_field_and_reason(client_a):
    response = client_a.get("/api/v1/appointments/availability?date_from=2026-02-30")
    assert response.status_code in (400, 422)
    body = response.json()
    assert body["field"] and body["reason"] and body["detail"]


def test_rate_limits(client_a, settings):
    settings.RATHAUS_ASSISTANT_RATE_LIMIT = 2
    statuses = [
        client_a.post(
            "/api/v1/assistant/ask", {"question": " "}, content_type="application/json"
        ).status_code
        for _ in range(3)
    ]
    assert statuses == [422, 422, 429]


@pytest.mark.parametrize("mode", ["incident", "maintenance"])
def test_incident_and_maintenance_mode_pause_api_writes(client_a, town_a, admin_a, mode):
    modes.set_mode(town_a, mode, notice="Störung", alternatives="Telefon 0331", actor=admin_a)
    client_a.force_login(admin_a)  # the API knows no session: staff are not exempt there
    response = client_a.post("/api/v1/appointments/holds", {}, content_type="application/json")
    assert response.status_code == 503
    assert response.json()["reason"] == mode
    assert response["Retry-After"]
    assert client_a.get(API).status_code == 200  # reading works
    # The memo outlives the test's rolled-back transaction: switch back for later tests.
    modes.set_mode(town_a, "normal", notice="", alternatives="", actor=admin_a)


def test_database_down_in_middleware_is_a_json_503(client_a, monkeypatch):
    def down(host):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(tenancy, "municipality_for_host", down)
    client_a.raise_request_exception = False
    response = client_a.get(API)
    assert response.status_code == 503
    assert response.json()["reason"] == "unavailable"


def test_database_down_in_the_view_is_a_json_503(client_a, monkeypatch):
    from rathaus.catalog import api as catalog_api

    def down(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(catalog_api, "_published", down)
    client_a.raise_request_exception = False
    response = client_a.get(API)
    assert response.status_code == 503
    assert response.json()["reason"] == "unavailable"
    assert response["Retry-After"]


def test_the_replica_pin_is_still_set_by_an_api_write(client_a, settings, monkeypatch):
    monkeypatch.setattr(replica, "enabled", lambda: True)
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(
        middleware.index("rathaus.core.ops.health.HealthCheckMiddleware") + 1,
        "rathaus.core.ops.replica.ReplicaReadsMiddleware",
    )
    settings.MIDDLEWARE = middleware
    response = client_a.post("/api/v1/appointments/holds", {}, content_type="application/json")
    assert response.status_code == 422, response.content
    assert replica.PIN_COOKIE in response.cookies


def test_bearer_keys_still_authenticate(client_a, town_a):
    _, secret = applications_api.create_api_client(town_a, "Fachverfahren")
    url = "/api/v1/applications/submissions"
    assert client_a.get(url).status_code == 401
    assert client_a.get(url, HTTP_AUTHORIZATION="Bearer rk_falsch_falsch").status_code == 401
    response = client_a.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200 and response.json() == []


def test_the_api_docs_page_renders_without_a_session(client_a):
    response = client_a.get("/api/v1/docs")
    assert response.status_code == 200
    assert not response.cookies


def test_remembered_url_matches_are_per_path_and_urlconf_and_never_shared(rf):
    from django.urls import Resolver404, resolve, set_urlconf

    handler = leanapi._LeanHandler([])
    path = "/api/v1/appointments/lotteries/7/entries"
    first = handler.resolve_request(rf.post(path))
    assert first.func == resolve(path).func and first.kwargs == resolve(path).kwargs
    again = handler.resolve_request(rf.post(path))  # remembered
    assert again.kwargs == first.kwargs and again is not first
    again.kwargs["lottery_id"] = 99  # what one request's middleware does to its match
    assert handler.resolve_request(rf.post(path)).kwargs == resolve(path).kwargs
    other = "/api/v1/appointments/lotteries/8/entries"
    assert handler.resolve_request(rf.post(other)).kwargs == resolve(other).kwargs
    elsewhere = rf.post(path)
    elsewhere.urlconf = "rathaus.appointments.urls"  # another URLconf resolves anew
    try:
        with pytest.raises(Resolver404):
            handler.resolve_request(elsewhere)
    finally:
        set_urlconf(None)  # resolve_request set it for this thread, as Django's does
