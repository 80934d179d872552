"""The booking engine: capacity rows, guarded updates, holds, confirmation, rebooking."""

from datetime import time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from rathaus.appointments import capacity, services
from rathaus.appointments.models import (
    AvailabilityRule,
    Booking,
    BookingStatus,
    CapacityException,
    Slot,
)
from rathaus.core.models import AuditEntry

from .conftest import at, make_offer, make_service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _commit(oc, monkeypatch):
    """Every service call in this module runs its on-commit work, as in production."""
    for name in ("hold", "confirm", "cancel", "rebook", "block_time"):
        original = getattr(services, name)
        monkeypatch.setattr(services, name, lambda *a, _f=original, **k: oc(_f, *a, **k))


def book(offer, when, email="erika@example.org", **kwargs):
    kwargs.setdefault("name", "Erika Mustermann")
    return services.hold(offer, when, email=email, **kwargs)


def test_materialise_creates_units_from_rules(offer_a, day):
    slots = Slot.objects.filter(resource=offer_a.resource, starts_at__date=day)
    bookable = slots.filter(walk_in_only=False)
    assert bookable.count() == 18  # 9-12 in 10-minute units
    assert slots.filter(walk_in_only=True).count() == 6  # Kontingentsprechstunde 8-9
    assert set(bookable.values_list("capacity", flat=True)) == {2}


def test_public_holiday_has_no_units(offer_a):
    from datetime import date

    christmas = date(timezone.localdate().year + 1, 12, 25)
    capacity.materialise(offer_a.resource, christmas, 1)
    assert not Slot.objects.filter(resource=offer_a.resource, starts_at__date=christmas).exists()


def test_overlapping_rule_is_refused_in_german(offer_a):
    rule = AvailabilityRule(
        resource=offer_a.resource,
        weekdays=[1],
        start_time=time(11),
        end_time=time(13),
        counters=1,
        unit_minutes=10,
        valid_from=timezone.localdate(),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.save_rule(rule)
    assert "überschneidet sich" in str(excinfo.value)


def test_walk_in_window_is_not_offered(offer_a, day):
    starts = capacity.free_starts(offer_a, 1, at(day, 7), at(day, 13))
    assert starts[0] == at(day, 9)
    assert starts[-1] == at(day, 11, 40)  # two units must fit before 12:00


def test_two_persons_need_twice_the_time(offer_a, day):
    starts = capacity.free_starts(offer_a, 2, at(day, 7), at(day, 13))
    assert starts[-1] == at(day, 11, 20)
    booking = book(offer_a, at(day, 9), persons=2)
    assert booking.units == 4 and booking.ends_at == at(day, 9, 40)


def test_hold_takes_units_and_sends_confirmation_link(offer_a, day):
    booking = book(offer_a, at(day, 9))
    assert booking.status == BookingStatus.RESERVED
    assert booking.hold_expires_at > timezone.now()
    booked = Slot.objects.filter(resource=offer_a.resource, booked=1).count()
    assert booked == 2
    assert len(mail.outbox) == 1 and "/termine/bestaetigen/" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="appointments.held").count() == 1


def test_last_place_is_given_once_with_alternatives(offer_a, day):
    book(offer_a, at(day, 10), email="a@example.org")
    book(offer_a, at(day, 10), email="b@example.org")
    with pytest.raises(services.BookingError) as excinfo:
        book(offer_a, at(day, 10), email="c@example.org")
    error = excinfo.value
    assert error.reason == "taken" and "vergeben" in error.message
    assert at(day, 9, 40) in error.alternatives or at(day, 10, 20) in error.alternatives
    assert Booking.objects.count() == 2


def test_idempotency_key_books_once(offer_a, day):
    first = book(offer_a, at(day, 9), idempotency_key="k1")
    second = book(offer_a, at(day, 9), idempotency_key="k1")
    assert first.pk == second.pk
    assert Slot.objects.filter(booked__gt=0).count() == 2


def test_one_active_booking_per_person_and_service(offer_a, day):
    book(offer_a, at(day, 9), email="Erika@Example.org")
    with pytest.raises(services.BookingError) as excinfo:
        book(offer_a, at(day, 10), email="erika+zwei@example.org")
    assert excinfo.value.reason == "already_booked"
    # The failed attempt gave its units back.
    assert Slot.objects.filter(booked__gt=0).count() == 2


def test_past_and_beyond_horizon_are_refused(offer_a, day):
    with pytest.raises(services.BookingError) as excinfo:
        book(offer_a, timezone.now() - timedelta(hours=1))
    assert excinfo.value.reason == "outside_window"
    far = at(timezone.localdate() + timedelta(days=40), 9)
    with pytest.raises(services.BookingError):
        book(offer_a, far)


def test_lead_time_is_respected(town_a, day):
    offer = make_offer(
        town_a, make_service(town_a, "reisepass-beantragen"), lead_time_hours=24 * 30
    )
    assert capacity.free_starts(offer, 1, at(day, 0), at(day, 23)) == []


def test_walk_in_share_keeps_places_back(town_a, day, admin_a):
    offer = make_offer(town_a, make_service(town_a, "x"), counters=2, walk_in_share=50)
    book(offer, at(day, 9))
    with pytest.raises(services.BookingError):
        book(offer, at(day, 9), email="other@example.org")
    # Staff booking for a caller may use the kept-back place.
    staff_booking = services.hold(offer, at(day, 9), name="Anrufer", email="", actor=admin_a)
    assert staff_booking.status == BookingStatus.CONFIRMED


def test_confirm_once_then_idempotent(offer_a, day):
    booking = book(offer_a, at(day, 9))
    assert services.confirm(booking) is True
    assert services.confirm(booking) is False
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    confirmations = [m for m in mail.outbox if "Terminbestätigung" in m.subject]
    assert len(confirmations) == 1
    names = [a[0] for a in confirmations[0].attachments]
    assert f"termin-{booking.code}.ics" in names and f"termin-{booking.code}.png" in names


def test_expired_hold_frees_units_and_cannot_be_confirmed(offer_a, day):
    booking = book(offer_a, at(day, 9))
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=timezone.now())
    with pytest.raises(services.BookingError) as excinfo:
        services.confirm(booking)
    assert excinfo.value.reason == "expired"
    assert not Slot.objects.filter(booked__gt=0).exists()


def test_expire_job(offer_a, day):
    booking = book(offer_a, at(day, 9))
    assert services.expire_holds(timezone.now() + timedelta(minutes=16)) == 1
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED
    assert not Slot.objects.filter(booked__gt=0).exists()


def test_cancel_returns_units(offer_a, day):
    booking = book(offer_a, at(day, 9))
    services.confirm(booking)
    assert services.cancel(booking) is True
    assert services.cancel(booking) is False
    # Issue 4: a citizen's cancellation returns the units after the cooldown only.
    assert Slot.objects.filter(booked__gt=0).exists()
    booking.refresh_from_db()
    services.return_cooled_down_units(booking.units_return_at)
    assert not Slot.objects.filter(booked__gt=0).exists()


def test_rebook_moves_units_atomically(offer_a, day):
    booking = book(offer_a, at(day, 9))
    services.confirm(booking)
    moved = services.rebook(booking, at(day, 11))
    assert moved.starts_at == at(day, 11) and moved.revision == 1
    starts = set(Slot.objects.filter(booked=1).values_list("starts_at", flat=True))
    assert starts == {at(day, 11), at(day, 11, 10)}


def test_rebook_to_taken_time_keeps_old_booking(offer_a, day):
    mine = book(offer_a, at(day, 9))
    book(offer_a, at(day, 11), email="x@example.org")
    book(offer_a, at(day, 11), email="y@example.org")
    with pytest.raises(services.BookingError):
        services.rebook(mine, at(day, 11))
    mine.refresh_from_db()
    assert mine.starts_at == at(day, 9)
    assert Slot.objects.get(resource=offer_a.resource, starts_at=at(day, 9)).booked == 1


def test_block_time_displaces_and_notifies(offer_a, day, admin_a):
    first = book(offer_a, at(day, 10), email="a@example.org")
    second = book(offer_a, at(day, 10), email="b@example.org")
    for b in (first, second):
        services.confirm(b)
    mail.outbox.clear()
    displaced = services.block_time(
        offer_a.resource, day, time(10), time(11), counters=1, reason="Krankheit", actor=admin_a
    )
    assert [b.pk for b in displaced] == [second.pk]  # the later booking moves
    second.refresh_from_db()
    assert second.status == BookingStatus.CANCELLED
    assert len(mail.outbox) == 1 and "/termine/t/" in mail.outbox[0].body
    assert Slot.objects.get(resource=offer_a.resource, starts_at=at(day, 10)).capacity == 1


def test_closure_and_extra_slots(offer_a, day):
    services.save_exception(
        CapacityException(
            resource=offer_a.resource, kind="closed", date=day, reason="Betriebsausflug"
        )
    )
    assert capacity.free_starts(offer_a, 1, at(day, 0), at(day, 23)) == []
    services.save_exception(
        CapacityException(
            resource=offer_a.resource,
            kind="extra",
            date=day + timedelta(days=1),
            start_time=time(14),
            end_time=time(15),
            counters=1,
            unit_minutes=10,
        )
    )
    starts = capacity.free_starts(
        offer_a, 1, at(day + timedelta(days=1), 13), at(day + timedelta(days=1), 16)
    )
    assert starts[0] == at(day + timedelta(days=1), 14)


def test_reminder_sent_once(offer_a, day):
    booking = book(offer_a, at(day, 9))
    services.confirm(booking)
    mail.outbox.clear()
    eve = capacity.local(day - timedelta(days=1), time(18))
    assert services.send_due_reminders(eve) == 1
    assert services.send_due_reminders(eve) == 0
    assert "Erinnerung" in mail.outbox[0].subject


def test_wedding_fee_beyond_six_months(town_a):
    service = make_service(town_a, "trautermin-reservieren", "Trautermin reservieren")
    offer = make_offer(
        town_a,
        service,
        counters=1,
        slug="trausaal",
        duration_units=3,
        max_persons=1,
        horizon_days=183,
        extended_horizon_days=400,
        extended_fee="75.00",
    )
    far_day = timezone.localdate() + timedelta(days=250)
    starts = capacity.free_starts(offer, 1, at(far_day, 0), at(far_day + timedelta(days=7), 0))
    booking = book(offer, starts[0])
    assert str(booking.fee) == "75.00"
    near = capacity.free_starts(offer, 1, timezone.now(), timezone.now() + timedelta(days=14))
    assert book(offer, near[0], email="b@example.org").fee is None


def test_overdue_hold_in_the_way_is_expired_without_scheduler(town_a, day):
    offer = make_offer(town_a, make_service(town_a, "y"), counters=1)
    stale = book(offer, at(day, 9))
    Booking.objects.filter(pk=stale.pk).update(hold_expires_at=timezone.now())
    fresh = book(offer, at(day, 9), email="other@example.org")
    stale.refresh_from_db()
    assert stale.status == BookingStatus.EXPIRED and fresh.status == BookingStatus.RESERVED
    assert Slot.objects.get(resource=offer.resource, starts_at=at(day, 9)).booked == 1


def test_location_closure_from_core_removes_units(offer_a, day):
    from rathaus.core.models import OpeningException

    OpeningException.objects.create(
        location=offer_a.resource.location, date=day, closed=True, reason="Umzug"
    )
    capacity.materialise(offer_a.resource)
    assert capacity.free_starts(offer_a, 1, at(day, 0), at(day, 23)) == []
    assert not Slot.objects.filter(starts_at__date=day, capacity__gt=0).exists()


def test_core_closure_displaces_existing_bookings(offer_a, day, django_capture_on_commit_callbacks):
    from rathaus.core.models import OpeningException

    booking = book(offer_a, at(day, 9))
    services.confirm(booking)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        OpeningException.objects.create(
            location=offer_a.resource.location, date=day, closed=True, reason="Wasserschaden"
        )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED and booking.displaced
    assert "Wasserschaden" in mail.outbox[0].body
