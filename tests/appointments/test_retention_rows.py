"""Retention rows of the Terminvergabe (core.retention), each run with a moved clock."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from rathaus.appointments import tokens
from rathaus.appointments.models import (
    Booking,
    BookingStatus,
    Lottery,
    LotteryEntry,
    ReleaseSchedule,
    WaitlistEntry,
)
from rathaus.appointments.services import retention
from rathaus.core.retention import rules

pytestmark = pytest.mark.django_db


def _booking(offer, starts_at, status=BookingStatus.CONFIRMED, code="ABCD2345", **extra):
    return Booking.objects.create(
        municipality_id=offer.municipality_id,
        offer=offer,
        service_id=offer.service_id,
        resource_id=offer.resource_id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=20),
        status=status,
        name="Erika Mustermann",
        email="erika@example.org",
        phone="0331 123",
        person_key="erika@example.org",
        limit_key="erika@example.org" if status in (BookingStatus.CONFIRMED,) else None,
        note="bringt Unterlagen für den Sohn mit",
        idempotency_key=f"idem-{code}",
        code=code,
        **extra,
    )


def _rule(key):
    return next(rule for rule in rules() if rule.key == key)


def test_every_row_runs_as_a_periodic_job():
    from rathaus.core.periodic import discover

    names = {job.name for job in discover()}
    assert {
        "appointments.bookings",
        "appointments.waitlist_retention",
        "appointments.lottery_retention",
    } <= names


def test_confirmed_booking_is_closed_after_its_day_and_anonymised_after_the_period(
    offer_a, citizen
):
    now = timezone.now()
    booking = _booking(offer_a, now + timedelta(days=1), account=citizen)
    job = _rule("appointments.bookings")

    assert job.run(now + timedelta(days=1, hours=12)) == {"closed": 0, "anonymised": 0}
    assert job.run(now + timedelta(days=3)) == {"closed": 1, "anonymised": 0}
    booking.refresh_from_db()
    assert booking.status == BookingStatus.EXPIRED and booking.limit_key is None
    assert booking.name == "Erika Mustermann"  # still inside the period

    assert job.run(now + timedelta(days=95)) == {"closed": 0, "anonymised": 1}
    booking.refresh_from_db()
    assert (booking.name, booking.email, booking.phone, booking.person_key) == ("", "", "", "")
    assert (booking.note, booking.idempotency_key) == ("", None)
    assert booking.code != "ABCD2345" and booking.account is None
    assert job.run(now + timedelta(days=96)) == {"closed": 0, "anonymised": 0}  # idempotent


def test_every_state_is_anonymised_after_the_period(offer_a):
    past = timezone.now() - timedelta(days=200)
    for n, status in enumerate(BookingStatus.values):
        _booking(offer_a, past + timedelta(hours=n), status=status, code=f"CODE{n:04d}")
    result = retention.bookings(timezone.now())
    assert result["anonymised"] == len(BookingStatus.values)
    assert not Booking.objects.exclude(name="").exists()
    assert not Booking.objects.filter(status__in=list(retention.CLOSING)).exists()


def test_arrived_but_never_finished_is_closed_as_done(offer_a):
    booking = _booking(offer_a, timezone.now() - timedelta(days=2), status=BookingStatus.ARRIVED)
    retention.close_past(timezone.now())
    booking.refresh_from_db()
    assert booking.status == BookingStatus.DONE


def test_manage_link_ends_30_days_after_the_appointment(offer_a, town_a):
    booking = _booking(offer_a, timezone.now() - timedelta(days=29))
    token = tokens.manage_token(booking)
    assert tokens.booking_for_manage(token, town_a) == booking
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=timezone.now() - timedelta(days=32), ends_at=timezone.now() - timedelta(days=31)
    )
    with pytest.raises(tokens.InvalidToken):
        tokens.booking_for_manage(token, town_a)


def test_anonymised_booking_is_not_found_by_its_old_link(offer_a, town_a, settings):
    settings.APPOINTMENTS_RETENTION_DAYS = 1
    booking = _booking(offer_a, timezone.now() - timedelta(days=3))
    token = tokens.manage_token(booking)
    retention.bookings(timezone.now())
    with pytest.raises(tokens.InvalidToken):
        tokens._load(token, tokens.MANAGE_SALT, town_a)


def _waitlist(town, service, status, name):
    return WaitlistEntry.objects.create(
        municipality=town,
        service=service,
        name=name,
        email=f"{name}@example.org",
        person_key=f"{name}@example.org",
        status=status,
    )


def test_waitlist_places_are_deleted(town_a, service_a):
    done = _waitlist(town_a, service_a, WaitlistEntry.Status.LEFT, "left")
    waiting = _waitlist(town_a, service_a, WaitlistEntry.Status.WAITING, "waiting")
    job = _rule("appointments.waitlist_retention")
    now = timezone.now()
    assert job.run(now + timedelta(days=29)) == 0
    assert job.run(now + timedelta(days=31)) == 1
    assert not WaitlistEntry.objects.filter(pk=done.pk).exists()
    assert WaitlistEntry.objects.filter(pk=waiting.pk).exists()
    assert job.run(now + timedelta(days=366)) == 1
    assert not WaitlistEntry.objects.exists()


def test_lottery_entries_are_deleted_30_days_after_the_last_day(town_a, offer_a, service_a):
    schedule = ReleaseSchedule.objects.create(
        municipality=town_a, name="Freigabe", weekday=3, at_time=time(18)
    )
    today = timezone.localdate()
    lottery = Lottery.objects.create(
        municipality=town_a,
        schedule=schedule,
        opens_at=timezone.now(),
        closes_at=timezone.now() + timedelta(hours=1),
        first_day=today + timedelta(days=7),
        last_day=today + timedelta(days=10),
    )
    LotteryEntry.objects.create(
        lottery=lottery,
        service=service_a,
        name="Erika",
        email="erika@example.org",
        person_key="erika@example.org",
    )
    job = _rule("appointments.lottery_retention")
    now = timezone.now()
    assert job.run(now + timedelta(days=39)) == 0
    assert job.run(now + timedelta(days=42)) == 1
    assert not LotteryEntry.objects.exists()
    assert Lottery.objects.filter(pk=lottery.pk).exists()
    assert isinstance(lottery.last_day, date)
