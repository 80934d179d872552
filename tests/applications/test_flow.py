"""The vertical slice: form → check answers → submit → pay → confirmation → case → notice."""

import json
import time

import pytest
from django.core import mail

from rathaus.applications import payments
from rathaus.applications.models import (
    Application,
    CaseEvent,
    DemoPaymentSession,
    Message,
    Payment,
    PaymentEvent,
)
from rathaus.catalog.models import MaturityChange

from .helpers import fill_parking

pytestmark = pytest.mark.django_db


def test_publishing_raises_catalog_maturity(parking):
    parking.refresh_from_db()
    assert parking.maturity_level == 4
    assert MaturityChange.objects.filter(service=parking, level=4).exists()


def test_full_flow_with_demo_payment_and_notice(client_a, citizen, parking, clerk_a):
    client_a.force_login(citizen)
    app, check_url = fill_parking(client_a)
    page = client_a.get(check_url).content.decode()
    assert "P-AB 123" in page and "Zone B – Bahnhofsviertel" in page and "schein.pdf" in page

    response = client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    assert response["Location"].endswith("/bezahlen/")
    app.refresh_from_db()
    assert app.reference and app.state == "submitted" and app.fee_cents == 3060
    assert mail.outbox[-1].subject.startswith(f"Ihr Antrag {app.reference}")

    # to the provider's hosted page, pay with the success test card, back to the return URL
    response = client_a.post(f"/antraege/antrag/{app.key}/bezahlen/")
    hosted = response["Location"]
    assert hosted.startswith("/antraege/demo-pay/")
    assert client_a.get(hosted).status_code == 200
    response = client_a.post(
        hosted,
        {"number": "4444 3333 2222 1111", "expiry": "12/30", "holder": "Erika M", "cvc": "123"},
    )
    assert response["Location"].endswith(f"/antrag/{app.key}/bezahlen/zurueck/")
    response = client_a.get(response["Location"])
    assert response["Location"].endswith("/bestaetigung/")
    page = client_a.get(response["Location"]).content.decode()
    assert app.reference in page
    payment = Payment.objects.get(application=app)
    assert payment.status == "success"
    assert list(payment.events.values_list("status", flat=True)) == ["created", "success"] or list(
        payment.events.values_list("status", flat=True)
    ) == ["created", "started", "success"]

    # the clerk decides; the citizen gets the PDF notice in the Postfach
    client_a.force_login(clerk_a)
    assert app.reference in client_a.get("/antraege/verwaltung/").content.decode()
    assert client_a.get(f"/antraege/verwaltung/vorgang/{app.reference}/").status_code == 200
    response = client_a.post(
        f"/antraege/verwaltung/vorgang/{app.reference}/decision/",
        {"decision-outcome": "approved", "decision-text": "Der Ausweis gilt für Zone B."},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.outcome == "approved" and app.case_status == "entschieden"
    notice = Message.objects.get(application=app, kind="notice")
    pdf = notice.attachments.get()
    assert pdf.file.read().startswith(b"%PDF")

    client_a.force_login(citizen)
    assert notice.subject in client_a.get("/antraege/postfach/").content.decode()
    download = client_a.get(f"/antraege/datei/{pdf.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    kinds = list(app.case_events.values_list("kind", flat=True))
    assert kinds[0] == "status" and "payment" in kinds and "decision" in kinds


def test_double_submit_creates_one_application(client_a, citizen, parking):
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    first = client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    second = client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    assert first["Location"] == second["Location"]
    app.refresh_from_db()
    assert Application.objects.filter(state="submitted").count() == 1
    assert app.submission_events.filter(state="submitted").count() == 1
    assert app.case_events.filter(kind=CaseEvent.Kind.STATUS).count() == 1


def _submitted_paying(client_a, citizen):
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    client_a.post(f"/antraege/antrag/{app.key}/bezahlen/")
    payment = Payment.objects.get(application=app)
    return app, payment


def _webhook(client, token, status, event_id, secret=None, ts=None):
    body = json.dumps({"event_id": event_id, "payment_id": token, "status": status}).encode()
    header = payments.signature(secret or payments.webhook_secret(), ts or int(time.time()), body)
    return client.post(
        "/antraege/zahlung/webhook/demo/",
        body,
        content_type="application/json",
        HTTP_X_DEMO_PAY_SIGNATURE=header,
    )


def test_webhook_twice_or_late_changes_nothing_twice(client_a, citizen, parking):
    app, payment = _submitted_paying(client_a, citizen)
    assert _webhook(client_a, payment.provider_id, "success", "evt_1").status_code == 200
    assert _webhook(client_a, payment.provider_id, "success", "evt_1").status_code == 200
    assert _webhook(client_a, payment.provider_id, "started", "evt_0").status_code == 200  # late
    assert _webhook(client_a, payment.provider_id, "failed", "evt_2").status_code == 200
    payment.refresh_from_db()
    assert payment.status == "success"
    assert PaymentEvent.objects.filter(payment=payment, status="success").count() == 1
    assert app.case_events.filter(kind="payment").count() == 1
    assert Message.objects.filter(application=app, subject__contains="eingegangen").count() == 1


def test_webhook_with_bad_or_old_signature_is_rejected(client_a, citizen, parking):
    _, payment = _submitted_paying(client_a, citizen)
    assert (
        _webhook(client_a, payment.provider_id, "success", "e", secret="falsch").status_code == 400
    )
    old = int(time.time()) - 3600
    assert _webhook(client_a, payment.provider_id, "success", "e", ts=old).status_code == 400
    response = client_a.post(
        "/antraege/zahlung/webhook/demo/", b"{}", content_type="application/json"
    )
    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.status == "created"


def test_declined_card_and_cancel_allow_retry(client_a, citizen, parking):
    app, payment = _submitted_paying(client_a, citizen)
    hosted = payment.next_url
    response = client_a.post(
        hosted, {"number": "4000000000000002", "expiry": "12/30", "holder": "E", "cvc": "123"}
    )
    page = client_a.get(response["Location"]).content.decode()
    assert "abgelehnt" in page
    payment.refresh_from_db()
    assert payment.status == "failed"
    # a new attempt creates a new payment with a new hosted page
    response = client_a.post(f"/antraege/antrag/{app.key}/bezahlen/")
    assert response["Location"] != hosted
    second = app.payments.order_by("-id").first()
    client_a.post(response["Location"], {"cancel": "1"})
    client_a.get(f"/antraege/antrag/{app.key}/bezahlen/zurueck/")
    second.refresh_from_db()
    assert second.status == "cancelled"
    assert DemoPaymentSession.objects.count() == 2


def test_card_form_validation_in_german(client_a, citizen, parking):
    _, payment = _submitted_paying(client_a, citizen)
    page = client_a.post(
        payment.next_url, {"number": "1234", "expiry": "13/30", "holder": "", "cvc": "x"}
    ).content.decode()
    assert "Bitte prüfen Sie die Kartennummer." in page
    assert "MM/JJ" in page
