"""The JSON API: availability, hold, confirm, cancel, rebook; errors in the standard shape."""

import json
import re
from urllib.parse import urlparse

import pytest
from django.core import mail

from rathaus.appointments import services, tokens
from rathaus.appointments.models import Booking, BookingStatus

from .conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/appointments"


def post(client, path, data):
    return client.post(API + path, json.dumps(data), content_type="application/json")


def test_availability(client_a, offer_a, day):
    response = client_a.get(
        f"{API}/availability",
        {"service": offer_a.service.slug, "location": "a-mitte", "date_from": day, "date_to": day},
    )
    assert response.status_code == 200
    (entry,) = response.json()
    assert entry["resource"] == "schalter" and len(entry["free"]) == 17


def test_availability_errors(client_a, offer_a):
    response = client_a.get(f"{API}/availability", {"service": "unbekannt"})
    assert response.status_code == 404 and response.json()["reason"] == "not_offered"
    response = client_a.get(
        f"{API}/availability",
        {"service": offer_a.service.slug, "date_from": "2030-01-01", "date_to": "2030-03-01"},
    )
    assert response.status_code == 422 and response.json()["field"] == "date_to"


def test_hold_confirm_rebook_cancel(client_a, offer_a, day, django_capture_on_commit_callbacks):
    data = {
        "service": offer_a.service.slug,
        "resource": "schalter",
        "start": at(day, 9).isoformat(),
        "name": "Erika",
        "email": "erika@example.org",
        "idempotency_key": "api-1",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client_a, "/holds", data)
    assert response.status_code == 201 and response.json()["status"] == "reserved"
    assert post(client_a, "/holds", data).json()["code"] == response.json()["code"]  # idempotent
    path = urlparse(re.search(r"http\S+/bestaetigen/\S+", mail.outbox[0].body).group(0)).path
    confirm_token = path.rstrip("/").rsplit("/", 1)[1]
    confirmed = post(client_a, "/bookings/confirm", {"token": confirm_token})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    booking = Booking.objects.get()
    manage = tokens.manage_token(booking)
    moved = post(client_a, "/bookings/rebook", {"token": manage, "start": at(day, 11).isoformat()})
    assert moved.status_code == 200 and moved.json()["starts_at"].startswith(f"{day}T11:00")
    cancelled = post(client_a, "/bookings/cancel", {"token": manage})
    assert cancelled.json()["status"] == BookingStatus.CANCELLED
    again = post(client_a, "/bookings/cancel", {"token": manage})
    assert again.status_code == 409 and set(again.json()) >= {"detail", "field", "reason"}


def test_taken_gives_alternatives(client_a, offer_a, day):
    for email in ("a@example.org", "b@example.org"):
        services.hold(offer_a, at(day, 10), name="X", email=email)
    data = {
        "service": offer_a.service.slug,
        "resource": "schalter",
        "start": at(day, 10).isoformat(),
        "name": "C",
        "email": "c@example.org",
    }
    response = post(client_a, "/holds", data)
    assert response.status_code == 409
    body = response.json()
    assert body["reason"] == "taken" and body["field"] == "start" and body["alternatives"]


def test_tampered_token_and_other_town(client_a, client_b, offer_a, day):
    booking = services.hold(offer_a, at(day, 9), name="X", email="x@example.org")
    token = tokens.confirm_token(booking)
    response = post(client_a, "/bookings/confirm", {"token": token + "x"})
    assert response.status_code == 404 and response.json()["reason"] == "error"
    assert post(client_b, "/bookings/confirm", {"token": token}).status_code == 404


def test_openapi_lists_endpoints(client_a):
    paths = client_a.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/availability",
        "/holds",
        "/bookings/confirm",
        "/bookings/cancel",
        "/bookings/rebook",
    ):
        assert f"{API}{path}" in paths


def test_holds_are_rate_limited_per_ip(client_a, offer_a, day):
    data = {
        "service": offer_a.service.slug,
        "resource": "schalter",
        "name": "X",
        "email": "x@example.org",
        "start": at(day, 9).isoformat(),
    }
    statuses = [
        # Different addresses: the per-contact limit (issue 4) is tested separately.
        post(
            client_a,
            "/holds",
            {**data, "email": f"x{i}@example.org", "idempotency_key": f"r{i}"},
        ).status_code
        for i in range(21)
    ]
    assert statuses[-1] == 429 and 429 not in statuses[:20]


def test_pages_in_english(client_a, offer_a):
    from django.utils import translation

    client_a.cookies["django_language"] = "en"
    try:
        text = client_a.get(f"/termine/leistung/{offer_a.service.slug}/").content.decode()
    finally:
        translation.activate("de")  # the middleware leaves English active in this thread
    assert "Choose a location" in text


def test_availability_stops_showing_a_deactivated_offer_at_once(client_a, offer_a, day):
    """The read remembers offers per process; a staff change is seen immediately."""
    query = {"service": offer_a.service.slug, "date_from": day, "date_to": day}
    assert client_a.get(f"{API}/availability", query).status_code == 200
    offer_a.is_active = False
    offer_a.save()
    assert client_a.get(f"{API}/availability", query).status_code == 404
