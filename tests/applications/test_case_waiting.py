"""A case that waits for the citizen's documents is decided only on purpose (issue 16)."""

import pytest

from rathaus.applications import cases
from rathaus.applications.models import Payment, PaymentEvent
from rathaus.applications.payments import record_status

from .test_case import case  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def pay(app):
    payment = Payment.objects.create(
        municipality=app.municipality,
        application=app,
        provider="demo",
        amount_cents=app.fee_cents,
        description="Test",
    )
    PaymentEvent.objects.create(payment=payment, status="created", source="demo")
    record_status(payment.pk, "success", source="demo")


def test_deciding_a_waiting_case_needs_a_confirmation(client_a, case, clerk_a):  # noqa: F811
    pay(case)
    cases.request_documents(case, "Bitte den Mietvertrag nachreichen.", actor=clerk_a)
    client_a.force_login(clerk_a)
    page = client_a.get(f"/antraege/verwaltung/vorgang/{case.reference}/").content.decode()
    assert "wartet auf die Antragstellerin oder den Antragsteller" in page
    url = f"/antraege/verwaltung/vorgang/{case.reference}/decision/"
    decision = {"decision-outcome": "approved", "decision-text": "Erteilt."}
    refused = client_a.post(url, decision)
    assert refused.status_code == 400
    assert "Bestätigen Sie, dass Sie trotzdem jetzt entscheiden wollen" in refused.content.decode()
    case.refresh_from_db()
    assert case.outcome == ""
    client_a.post(url, {**decision, "decision-decide_anyway": "on"})
    case.refresh_from_db()
    assert case.outcome == "approved"


def test_a_case_not_waiting_is_decided_without_the_extra_box(client_a, case, clerk_a):  # noqa: F811
    pay(case)
    client_a.force_login(clerk_a)
    page = client_a.get(f"/antraege/verwaltung/vorgang/{case.reference}/").content.decode()
    assert "decide_anyway" not in page
    url = f"/antraege/verwaltung/vorgang/{case.reference}/decision/"
    client_a.post(url, {"decision-outcome": "approved", "decision-text": "Erteilt."})
    case.refresh_from_db()
    assert case.outcome == "approved"
