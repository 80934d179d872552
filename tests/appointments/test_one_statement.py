"""The hold as one statement (ADR 0024): all or nothing, nested safely, the e-mail row.

Run on both databases: on PostgreSQL the hold is the one-statement path
(``services/one_statement.py``), on SQLite the ORM transaction; the behaviour
must be the same.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Sum

from rathaus.appointments import services
from rathaus.appointments.models import Booking, Slot
from rathaus.core.models import AuditEntry

from .conftest import at

pytestmark = pytest.mark.django_db
MINUTES_10 = timedelta(minutes=10)


def book(offer, when, email, **kwargs):
    return services.hold(offer, when, name="Erika Mustermann", email=email, **kwargs)


def booked(offer, *starts):
    units = Slot.objects.filter(resource=offer.resource, starts_at__in=starts)
    return units.aggregate(total=Sum("booked"))["total"]


def test_a_partly_free_time_takes_no_unit(offer_a, day):
    """Two units per booking, two counters: 9:10 and 9:20 full, so 9:00 (needs 9:00 and
    9:10) is refused and its free first unit stays free."""
    book(offer_a, at(day, 9, 10), "a@example.org")
    book(offer_a, at(day, 9, 10), "b@example.org")
    with pytest.raises(services.BookingError) as refused:
        book(offer_a, at(day, 9), "c@example.org")
    assert refused.value.reason == "taken"
    assert booked(offer_a, at(day, 9)) == 0
    assert booked(offer_a, at(day, 9, 10), at(day, 9, 20)) == 4
    assert not Booking.objects.filter(email="c@example.org").exists()
    assert AuditEntry.objects.filter(action="appointments.held").count() == 2


def test_booking_and_audit_entry_are_written_together(offer_a, day):
    booking = book(offer_a, at(day, 10), "a@example.org")
    stored = Booking.objects.get(pk=booking.pk)
    assert (stored.code, stored.starts_at, stored.ends_at) == (
        booking.code,
        at(day, 10),
        at(day, 10, 20),
    )
    assert stored.created_at is not None and stored.hold_expires_at is not None
    entry = AuditEntry.objects.get(object_type="appointments.booking", object_id=str(booking.pk))
    assert entry.action == "appointments.held"
    assert entry.municipality_id == offer_a.municipality_id
    assert entry.data == {"code": booking.code, "starts_at": at(day, 10).isoformat(), "units": 2}


def test_a_refused_hold_inside_a_transaction_leaves_it_usable(offer_a, day):
    """The lottery draw and the waiting list hold inside their own transaction."""
    book(offer_a, at(day, 10), "a@example.org")
    with transaction.atomic():
        with pytest.raises(services.BookingError) as twice:
            book(offer_a, at(day, 11), "a@example.org")  # one active booking per person
        assert twice.value.reason == "already_booked"
        other = book(offer_a, at(day, 11), "b@example.org")
    assert Booking.objects.filter(pk=other.pk).exists()
    assert booked(offer_a, at(day, 11)) == 1


def test_a_double_submit_on_the_last_place_returns_the_first_booking(town_a, service_a, day):
    from .conftest import make_offer

    offer = make_offer(town_a, service_a, counters=1, slug="einzeln")
    first = book(offer, at(day, 10), "a@example.org", idempotency_key="form-1")
    again = book(offer, at(day, 10), "a@example.org", idempotency_key="form-1")
    assert again.pk == first.pk
    assert Booking.objects.filter(idempotency_key="form-1").count() == 1


@pytest.mark.postgres
def test_the_email_task_row_is_written_in_the_same_statement(offer_a, day, settings, mailoutbox):
    """With the database task backend the hold link e-mail is a task row written with
    the booking (a transactional outbox); the worker sends it."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    booking = book(offer_a, at(day, 10), "a@example.org")
    row = DBTaskResult.objects.get()
    assert row.args_kwargs == {"args": [booking.pk], "kwargs": {}}
    assert row.task_path == "rathaus.appointments.tasks.send_hold_link"
    assert row.status == "READY"
    row.task.call(*row.args_kwargs["args"])  # what the worker does
    assert mailoutbox[-1].to == ["a@example.org"]
    assert booking.code in mailoutbox[-1].body or "bestätigen" in mailoutbox[-1].subject


def store(offer, start, units, *, share=0):
    """The statement alone, without the checks ``hold()`` makes before it."""
    from django.utils import timezone

    from rathaus.appointments.services import one_statement
    from rathaus.core import audit

    now = timezone.now()
    booking = Booking(
        municipality_id=offer.municipality_id,
        offer=offer,
        service_id=offer.service_id,
        resource_id=offer.resource_id,
        starts_at=start,
        units=units,
        name="Erika Mustermann",
        email="guard@example.org",
        person_key="guard@example.org",
        hold_expires_at=now + timedelta(minutes=15),
    )
    entry = audit.entry("appointments.held", booking, municipality=offer.municipality)
    return one_statement.store_hold(
        booking, entry, None, units=units, walk_in_share=share, visible_at=now
    )


@pytest.mark.postgres
@pytest.mark.parametrize("units", [1, 2])  # one unit inline, k units by the function
@pytest.mark.parametrize("guard", [None, "walk_in_only", "not_released", "walk_in_share"])
def test_the_statement_keeps_the_guarded_units(town_a, service_a, day, units, guard):
    """The database guard itself, on both statement forms: a unit for walk-ins, a unit
    not yet released, or the kept-back share refuse the whole time."""
    from rathaus.appointments import capacity

    from .conftest import make_offer

    offer = make_offer(town_a, service_a, slug=f"guard-{units}", duration_units=units)
    start = at(day, 10)
    last = Slot.objects.get(resource=offer.resource, starts_at=start + (units - 1) * MINUTES_10)
    share = 0
    if guard == "walk_in_only":
        Slot.objects.filter(pk=last.pk).update(walk_in_only=True)
    elif guard == "not_released":
        Slot.objects.filter(pk=last.pk).update(visible_from=capacity.FAR_FUTURE)
    elif guard == "walk_in_share":  # two counters, half kept back, one already booked
        share = 50
        Slot.objects.filter(pk=last.pk).update(booked=1)
    before = booked(offer, start)
    stored = store(offer, start, units, share=share)
    assert stored is (guard is None)
    assert booked(offer, start) == before + (1 if guard is None else 0)
    assert Booking.objects.filter(email="guard@example.org").exists() is (guard is None)
