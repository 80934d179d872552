"""The wedding calendar's reservation fee (60 € for dates beyond six months) is paid online
through the payment module, not only announced (issue 15). Worked example as a test."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from rathaus.applications import payments
from rathaus.applications.models import Payment
from rathaus.appointments import services as booking_services
from rathaus.appointments import tokens
from rathaus.core.models import AuditEntry
from rathaus.core.opening import holiday_name
from tests.appointments.conftest import at, make_offer, make_service

from .test_flow import _webhook

pytestmark = pytest.mark.django_db

SUCCESS_CARD = {"number": "4444 3333 2222 1111", "expiry": "12/30", "holder": "E M", "cvc": "123"}


def _weekday_after(days: int):
    day = timezone.localdate() + timedelta(days=days)
    while day.weekday() != 4 or holiday_name(type("M", (), {"land": "BB"})(), day):
        day += timedelta(days=1)
    return day


@pytest.fixture
def wedding_offer(town_a):
    """Like the demo Traukalender: six months free, up to 18 months for a 60 € fee."""
    service = make_service(town_a, "eheschliessung", "Eheschließung – Trautermin")
    return make_offer(
        town_a,
        service,
        counters=1,
        slug="trauzimmer",
        horizon_days=183,
        extended_horizon_days=548,
        extended_fee=Decimal("60.00"),
        one_per_person=False,
    )


def _booked(offer, day):
    booking = booking_services.hold(offer, at(day, 10), name="E", email="e@example.org")
    booking_services.confirm(booking)
    booking.refresh_from_db()
    return booking, tokens.manage_token(booking)


def test_worked_example_date_in_eight_months_pays_60_euro_online(client_a, wedding_offer):
    # Worked example: a Friday about eight months ahead lies beyond the six-month horizon,
    # so the reservation costs 60,00 € – shown, charged (6000 cents) and recorded.
    booking, token = _booked(wedding_offer, _weekday_after(240))
    assert booking.fee == Decimal("60.00") and booking.fee_paid_at is None
    manage = f"/termine/t/{token}/"
    page = client_a.get(manage).content.decode()
    assert "60,00 Euro – noch offen" in page and f"/antraege/termingebuehr/{token}/" in page

    pay_page = client_a.get(f"/antraege/termingebuehr/{token}/").content.decode()
    assert "60,00 €" in pay_page and booking.code in pay_page
    response = client_a.post(f"/antraege/termingebuehr/{token}/")
    hosted = response["Location"]
    assert hosted.startswith("/antraege/demo-pay/")
    # a double click continues the same payment
    assert client_a.post(f"/antraege/termingebuehr/{token}/")["Location"] == hosted
    payment = Payment.objects.get(booking=booking)
    assert payment.amount_cents == 6000 and payment.application_id is None
    assert booking.code in client_a.get(hosted).content.decode()

    response = client_a.post(hosted, SUCCESS_CARD)
    assert response["Location"].endswith(f"/antraege/termingebuehr/{token}/zurueck/")
    response = client_a.get(response["Location"])
    assert response["Location"] == manage
    booking.refresh_from_db()
    assert booking.fee_paid_at is not None
    page = client_a.get(manage).content.decode()
    assert "bezahlt am" in page and "Gebühr online bezahlen" not in page
    assert AuditEntry.objects.filter(action="appointments.fee_paid").count() == 1
    # once paid, nothing more can be started; the webhook's late success changes nothing
    assert client_a.post(f"/antraege/termingebuehr/{token}/")["Location"] == manage
    assert Payment.objects.filter(booking=booking).count() == 1
    payment.refresh_from_db()
    _webhook(client_a, payment.provider_id, "success", "evt_late")
    assert AuditEntry.objects.filter(action="appointments.fee_paid").count() == 1


def test_paid_by_webhook_alone(client_a, wedding_offer):
    booking, token = _booked(wedding_offer, _weekday_after(300))
    client_a.post(f"/antraege/termingebuehr/{token}/")
    payment = Payment.objects.get(booking=booking)
    assert _webhook(client_a, payment.provider_id, "success", "evt_1").status_code == 200
    booking.refresh_from_db()
    assert booking.fee_paid_at is not None


def test_date_within_six_months_costs_nothing(client_a, wedding_offer):
    booking, token = _booked(wedding_offer, _weekday_after(30))
    assert booking.fee is None
    assert "termingebuehr" not in client_a.get(f"/termine/t/{token}/").content.decode()
    response = client_a.post(f"/antraege/termingebuehr/{token}/")
    assert response["Location"] == f"/termine/t/{token}/"
    assert not Payment.objects.exists()


def test_failed_card_leaves_the_fee_open(client_a, wedding_offer):
    booking, token = _booked(wedding_offer, _weekday_after(240))
    hosted = client_a.post(f"/antraege/termingebuehr/{token}/")["Location"]
    response = client_a.post(hosted, {**SUCCESS_CARD, "number": "4000 0000 0000 0002"})
    page = client_a.get(response["Location"]).content.decode()
    assert "abgelehnt" in page and "Erneut bezahlen" in page
    booking.refresh_from_db()
    assert booking.fee_paid_at is None


@pytest.mark.parametrize("token", ["kaputt", "x" * 600, "%00", "%F0%9F%99%82"])
def test_bad_booking_token_is_refused(client_a, token):
    assert client_a.get(f"/antraege/termingebuehr/{token}/").status_code in (400, 404)


def test_other_towns_booking_cannot_be_paid_here(client_b, wedding_offer):
    booking, token = _booked(wedding_offer, _weekday_after(240))
    assert client_b.post(f"/antraege/termingebuehr/{token}/").status_code == 404
    assert not Payment.objects.exists()


def test_wrong_amount_is_refused(wedding_offer):
    booking, _ = _booked(wedding_offer, _weekday_after(240))
    with pytest.raises(booking_services.BookingError):
        booking_services.record_fee_paid(booking.pk, amount_cents=100, source="test")
    booking.refresh_from_db()
    assert booking.fee_paid_at is None


def test_payment_is_for_an_application_or_a_booking(town_a, wedding_offer):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Payment.objects.create(
            municipality=town_a, provider="demo", amount_cents=1, description="weder noch"
        )
    assert payments  # the module under test


def _paid(offer, days):
    booking, token = _booked(offer, _weekday_after(days))
    assert booking_services.record_fee_paid(booking.pk, amount_cents=6000, source="test")
    booking.refresh_from_db()
    return booking, token


def test_rebooked_within_six_months_staff_see_refund_due(client_a, town_a, wedding_offer):
    from rathaus.core.models import Role
    from tests.conftest import make_staff

    booking, _ = _paid(wedding_offer, 240)
    moved = booking_services.rebook(booking, at(_weekday_after(30), 11))
    assert moved.fee is None and moved.fee_paid_at is not None
    assert moved.fee_refund_due == Decimal("60.00") and moved.fee_refunded_at is None
    due = AuditEntry.objects.get(action="appointments.fee_refund_due")
    assert due.data == {"amount": "60.00"}
    # moved once more within six months: still one refund, audited once
    booking_services.rebook(moved, at(_weekday_after(40), 11))
    assert AuditEntry.objects.filter(action="appointments.fee_refund_due").count() == 1

    client_a.force_login(make_staff(town_a, "termine@a.test", Role.APPOINTMENT_MANAGER))
    url = f"/termine/verwaltung/termin/{booking.code}/"
    page = client_a.get(url).content.decode()
    assert "Erstattung fällig" in page and "60,00 Euro wurden am" in page
    response = client_a.post(f"{url}status/", {"action": "refund_done"})
    assert response.status_code == 302
    # a double submit changes nothing more
    client_a.post(f"{url}status/", {"action": "refund_done"})
    assert AuditEntry.objects.filter(action="appointments.fee_refunded").count() == 1
    booking.refresh_from_db()
    assert booking.fee_refunded_at is not None
    page = client_a.get(url).content.decode()
    assert "Erstattung fällig" not in page and "erstattet am" in page


def test_rebooked_beyond_six_months_or_back_owes_nothing(wedding_offer):
    booking, _ = _paid(wedding_offer, 240)
    moved = booking_services.rebook(booking, at(_weekday_after(300), 11))
    assert moved.fee == Decimal("60.00") and moved.fee_refund_due is None
    moved = booking_services.rebook(moved, at(_weekday_after(30), 11))
    assert moved.fee_refund_due == Decimal("60.00")
    # back beyond six months before the refund was made: the payment counts again
    moved = booking_services.rebook(moved, at(_weekday_after(320), 11))
    assert moved.fee == Decimal("60.00") and moved.fee_refund_due is None
    assert AuditEntry.objects.filter(action="appointments.fee_refund_withdrawn").count() == 1


def test_unpaid_booking_moved_within_six_months_owes_no_refund(wedding_offer):
    booking, _ = _booked(wedding_offer, _weekday_after(240))
    moved = booking_services.rebook(booking, at(_weekday_after(30), 11))
    assert moved.fee is None and moved.fee_refund_due is None
    assert not AuditEntry.objects.filter(action="appointments.fee_refund_due").exists()


def test_refund_action_needs_staff_of_the_town(client_a, client_b, town_b, wedding_offer):
    from rathaus.core.models import Role
    from tests.conftest import make_staff

    booking, _ = _paid(wedding_offer, 240)
    booking_services.rebook(booking, at(_weekday_after(30), 11))
    url = f"/termine/verwaltung/termin/{booking.code}/status/"
    assert client_a.post(url, {"action": "refund_done"}).status_code == 302  # to login
    client_b.force_login(make_staff(town_b, "termine@b.test", Role.APPOINTMENT_MANAGER))
    assert client_b.post(url, {"action": "refund_done"}).status_code == 404
    booking.refresh_from_db()
    assert booking.fee_refunded_at is None


def test_booking_payment_loses_its_code_with_the_booking(wedding_offer, settings):
    from rathaus.applications import services as application_services

    booking, _ = _booked(wedding_offer, _weekday_after(240))
    payment = Payment.objects.create(
        municipality_id=booking.municipality_id,
        booking=booking,
        provider="demo",
        provider_id="p1",
        amount_cents=6000,
        description=f"Reservierungsgebühr – Termin {booking.code}",
        next_url="https://pay.example/p1",
        status="success",
    )
    days = getattr(settings, "APPOINTMENTS_RETENTION_DAYS", 90)
    assert application_services.anonymise_booking_payments(timezone.now()) == 0
    later = booking.ends_at + timedelta(days=days + 1)
    assert application_services.anonymise_booking_payments(later) == 1
    payment.refresh_from_db()
    assert booking.code not in payment.description and payment.next_url == ""
    assert (payment.amount_cents, payment.status, payment.provider_id) == (6000, "success", "p1")
    assert AuditEntry.objects.filter(action="applications.booking_payments_anonymised").count() == 1
    assert application_services.anonymise_booking_payments(later) == 0
