"""Acceptance figures on the OZG dashboard: online applications begun vs sent, paid
online, time to decision, active accounts (Weimar, seed 001)."""

import pytest

from rathaus.applications import cases, payments
from rathaus.applications.models import Payment
from rathaus.catalog import dashboard

from .helpers import fill_parking, start

pytestmark = pytest.mark.django_db


def test_dashboard_shows_begun_sent_paid_and_decided(client_a, citizen, parking, clerk_a, town_b):
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    start(client_a, "bewohnerparkausweis-beantragen")  # begun, never sent
    client_a.post(f"/antraege/antrag/{app.key}/absenden/", {"fee_cents": 3060})
    app.refresh_from_db()
    payment = payments.start_payment(app, return_url="https://a.test/r", webhook_url="")
    payments.record_status(payment.pk, Payment.Status.SUCCESS, source="test")
    app.refresh_from_db()
    cases.decide(app, "approved", "Erteilt.", actor=clerk_a)

    usage = dashboard.figures(parking.municipality)["usage"]
    row = next(r for r in usage["rows"] if r.service == parking)
    assert row.figures["online_started"] == 2 and row.figures["online_submitted"] == 1
    assert row.completion == 50
    assert row.figures["paid_online_share"] == 100
    assert row.figures["decision_days"] == 0.0
    assert usage["totals"]["Aktive Nutzerkonten"] == 1
    page = client_a.get("/ozg-dashboard/").content.decode()
    assert "Nutzung je Leistung und Monat" in page and "Online-Anträge abgeschickt" in page
    # another town sees none of it
    assert not dashboard.figures(town_b)["usage"]["rows"]
