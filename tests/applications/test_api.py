"""FIT-Connect-like pull API with API keys and signed outgoing webhooks."""

import base64
import hashlib
import hmac

import pytest

from rathaus.applications import api, cases, payments
from rathaus.applications.models import Payment, WebhookDelivery, WebhookEndpoint
from rathaus.applications.tasks import sign

from .helpers import fill_parking

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_case(client_a, citizen, parking):
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    client_a.post(f"/antraege/antrag/{app.key}/bezahlen/")
    payment = Payment.objects.get(application=app)
    payments.record_status(payment.pk, "success", source="test")
    app.refresh_from_db()
    client_a.logout()
    return app


@pytest.fixture
def key(town_a):
    _, secret = api.create_api_client(town_a, "Fachverfahren Parken")
    return secret


def _get(client, url, key):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_pull_fetch_and_acknowledge(client_a, paid_case, key):
    listing = _get(client_a, "/api/v1/applications/submissions", key).json()
    assert [s["reference"] for s in listing] == [paid_case.reference]
    detail = _get(client_a, f"/api/v1/applications/submissions/{paid_case.reference}", key).json()
    assert detail["answers"]["kennzeichen"] == "P-AB 123"
    assert detail["labels"]["kennzeichen"] == "Amtliches Kennzeichen"
    attachment = detail["attachments"][0]
    content = base64.b64decode(attachment["content_base64"])
    assert hashlib.sha256(content).hexdigest() == attachment["sha256"]
    url = f"/api/v1/applications/submissions/{paid_case.reference}/ack"
    first = client_a.post(url, HTTP_AUTHORIZATION=f"Bearer {key}").json()
    second = client_a.post(url, HTTP_AUTHORIZATION=f"Bearer {key}").json()
    assert first["first_time"] is True and second["first_time"] is False
    assert _get(client_a, "/api/v1/applications/submissions", key).json() == []
    assert len(_get(client_a, "/api/v1/applications/submissions?status=all", key).json()) == 1
    assert paid_case.case_events.filter(kind="ack").count() == 1


def test_unpaid_submissions_are_not_offered(client_a, citizen, parking, key):
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    assert _get(client_a, "/api/v1/applications/submissions", key).json() == []


def test_bad_keys_and_other_municipality(client_a, paid_case, key, town_b):
    for bad in ["", "rk_x_y", key[:-2] + "xx"]:
        response = _get(client_a, "/api/v1/applications/submissions", bad)
        assert response.status_code == 401
        assert response.json()["reason"] == "unauthenticated"
    _, key_b = api.create_api_client(town_b, "Fachverfahren B")
    from django.test import Client

    client_b = Client(HTTP_HOST="b.test")
    assert _get(client_b, "/api/v1/applications/submissions", key_b).json() == []
    url = f"/api/v1/applications/submissions/{paid_case.reference}"
    assert _get(client_b, url, key_b).status_code == 404
    assert _get(client_b, "/api/v1/applications/submissions", key).status_code == 401


def test_office_scoped_key_sees_only_its_office(client_a, paid_case, town_a, other_clerk_a):
    from rathaus.core.models import Office

    office = Office.objects.get(municipality=town_a, slug="a-buergerbuero")
    _, scoped = api.create_api_client(town_a, "Bürgerbüro-Verfahren", office)
    assert _get(client_a, "/api/v1/applications/submissions", scoped).json() == []


def test_outgoing_webhook_is_signed(client_a, citizen, parking, town_a, monkeypatch, clerk_a):
    WebhookEndpoint.objects.create(
        municipality=town_a, url="https://fachverfahren.example/hook", secret="s3cret"
    )
    sent = []

    def fake_post(url, body, headers, timeout=10):
        sent.append((url, body, headers))
        return 204

    monkeypatch.setattr("rathaus.applications.tasks.post_json", fake_post)
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    client_a.post(f"/antraege/antrag/{app.key}/bezahlen/")
    payments.record_status(Payment.objects.get(application=app).pk, "success", source="test")
    cases.change_status(app, "in_bearbeitung", actor=clerk_a)
    events = [h["X-Rathaus-Event"] for _, _, h in sent]
    assert events == ["submission.ready", "case.status_changed"]
    url, body, headers = sent[0]
    timestamp, mac = headers["X-Rathaus-Signature"].split(",")
    expected = hmac.new(b"s3cret", f"{timestamp[2:]}.".encode() + body, hashlib.sha256)
    assert mac == "v1=" + expected.hexdigest()
    assert sign("s3cret", int(timestamp[2:]), body) == headers["X-Rathaus-Signature"]
    assert WebhookDelivery.objects.filter(delivered_at__isnull=False).count() == 2
