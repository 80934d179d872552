"""Concurrency on PostgreSQL: concurrent submits → one application; webhooks → one success."""

import threading

import pytest
from django.db import connection

from rathaus.applications import library, payments, services
from rathaus.applications.models import (
    Application,
    CaseEvent,
    Payment,
    PaymentEvent,
    SubmissionEvent,
)
from rathaus.core.models import User

from .conftest import make_service

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_concurrently(n, fn):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker(i):
        try:
            barrier.wait()
            results.append(fn(i))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def _ready_draft(town):
    service = make_service(town, "bewohnerparkausweis-beantragen", fee="30.60")
    form = library.install(service)
    user = User.objects.create_user("race@example.org", "geheim-123!")
    app = services.start_draft(form, user=user)
    steps = [s["key"] for s in form.schema["steps"]]
    Application.objects.filter(pk=app.pk).update(
        data={"kennzeichen": "P-AB 1", "halter": "selbst", "_steps_done": steps}
    )
    app.refresh_from_db()
    return app, user


def test_concurrent_submits_create_exactly_one_application(town_a):
    app, user = _ready_draft(town_a)
    results = _run_concurrently(8, lambda i: services.submit(app, user=user))
    assert sum(1 for _, created in results if created) == 1
    assert len({a.reference for a, _ in results}) == 1
    assert Application.objects.filter(state="submitted").count() == 1
    assert SubmissionEvent.objects.filter(state="submitted").count() == 1
    assert CaseEvent.objects.filter(kind="status").count() == 1


def test_concurrent_webhooks_record_one_success(town_a):
    app, user = _ready_draft(town_a)
    services.submit(app, user=user)
    payment = payments.start_payment(
        app, return_url="http://a.test/r", webhook_url="http://a.test/w"
    )
    # half deliver the same event twice, half are different events saying the same
    ids = ["evt_same"] * 4 + [f"evt_{i}" for i in range(4)]
    results = _run_concurrently(
        8,
        lambda i: payments.record_status(payment.pk, "success", source="webhook", event_id=ids[i]),
    )
    assert results.count(True) == 1
    assert PaymentEvent.objects.filter(payment=payment, status="success").count() == 1
    assert Payment.objects.get(pk=payment.pk).status == "success"
    assert CaseEvent.objects.filter(kind="payment").count() == 1


def test_double_click_on_pay_reuses_the_open_payment(town_a):
    app, user = _ready_draft(town_a)
    services.submit(app, user=user)
    results = _run_concurrently(
        4,
        lambda i: payments.start_payment(
            app, return_url="http://a.test/r", webhook_url="http://a.test/w"
        ),
    )
    assert len({p.pk for p in results}) == 1
    assert Payment.objects.count() == 1


def test_concurrent_ready_for_pickup_marks_once_and_mails_once(town_a):
    """Two clerks (or a double click) mark the same case ready at once: one mail (ADR 0029)."""
    from django.core import mail

    app, user = _ready_draft(town_a)
    app, _ = services.submit(app, user=user)
    mail.outbox.clear()
    results = _run_concurrently(8, lambda i: services.mark_ready_for_pickup(app))
    assert results.count(True) == 1 and results.count(False) == 7
    assert len([m for m in mail.outbox if m.subject.startswith("Abholbereit")]) == 1
    assert CaseEvent.objects.filter(application=app, text__startswith="Liegt zur").count() == 1


def test_concurrent_pickup_bookings_make_one_booking_per_case(town_a):
    """The same link posted from several tabs at once: one booking on the case."""
    from rathaus.applications.models import FormDefinition
    from rathaus.appointments.models import Booking
    from tests.appointments.conftest import make_offer
    from tests.appointments.conftest import make_service as make_appointment_service

    app, user = _ready_draft(town_a)
    app, _ = services.submit(app, user=user)
    service = make_appointment_service(town_a, "abholung", "Abholung")
    offer = make_offer(town_a, service, duration_units=1, counters=8)
    FormDefinition.objects.filter(pk=app.form_id).update(pickup_service=service)
    services.mark_ready_for_pickup(app)
    from rathaus.applications import pickup

    app.refresh_from_db()
    starts = [t for _day, times in pickup.free_times(offer) for t in times][:8]
    results = _run_concurrently(8, lambda i: services.book_pickup(app, offer, starts[i]).pk)
    assert len(set(results)) == 1
    assert Booking.objects.filter(service=service).count() == 1
    app.refresh_from_db()
    assert app.pickup_booking_id == results[0]
