"""Fair release (issue 4): schedules, lottery, waiting list, cooldown, limits, proof of work."""

from collections import Counter
from datetime import time, timedelta

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from rathaus.appointments import cache as availability_cache
from rathaus.appointments import (
    capacity,
    lottery,
    releases,
    services,
    waitlist,
)
from rathaus.appointments.models import (
    Booking,
    BookingStatus,
    Lottery,
    LotteryEntry,
    ReleaseRun,
    ReleaseSchedule,
    Slot,
    WaitlistEntry,
)
from rathaus.core.models import AuditEntry

from ..conftest import make_staff
from .conftest import at

pytestmark = pytest.mark.django_db


def book(offer, when, email="erika@example.org", **kwargs):
    kwargs.setdefault("name", "Erika Mustermann")
    return services.hold(offer, when, email=email, **kwargs)


# --- Scheduled releases --------------------------------------------------------------


def weekly(town, resource, **kwargs):
    schedule = ReleaseSchedule.objects.create(
        municipality=town, name="Donnerstag 18 Uhr", weekday=3, at_time=time(18), **kwargs
    )
    schedule.resources.add(resource)
    return schedule


def test_weekly_release_moment_is_thursday_before(town_a, offer_a):
    schedule = weekly(town_a, offer_a.resource)
    day = timezone.localdate() + timedelta(days=14)
    moment = releases.release_moment(schedule, day).astimezone(capacity.TZ)
    assert moment.weekday() == 3 and moment.time() == time(18)
    monday = day - timedelta(days=day.weekday())
    assert monday - timedelta(days=7) < moment.date() < monday
    first, last = releases.released_days(schedule, moment)
    assert first == monday and last == monday + timedelta(days=6)


def test_daily_release_is_lead_days_ahead(town_a, offer_a):
    schedule = ReleaseSchedule.objects.create(
        municipality=town_a, name="täglich", at_time=time(7), lead_days=14
    )
    day = timezone.localdate() + timedelta(days=20)
    assert releases.release_moment(schedule, day) == capacity.local(
        day - timedelta(days=14), time(7)
    )


def test_units_stay_hidden_until_release_and_run_is_recorded_once(town_a, offer_a, day):
    schedule = weekly(town_a, offer_a.resource)
    far = timezone.localdate() + timedelta(days=16)
    while far.weekday() != 1:
        far += timedelta(days=1)
    offer_a.horizon_days = 30
    offer_a.save()
    capacity.materialise(offer_a.resource)  # stamps via the schedule
    moment = releases.release_moment(schedule, far)
    assert moment > timezone.now()
    assert not capacity.free_starts(
        offer_a, 1, capacity.local(far, time.min), capacity.local(far, time(23))
    )
    after = moment + timedelta(minutes=1)
    visible = capacity.free_starts(
        offer_a, 1, capacity.local(far, time.min), capacity.local(far, time(23)), now=after
    )
    assert visible
    summary = releases.run_due(now=after)
    again = releases.run_due(now=after)
    run = ReleaseRun.objects.get(schedule=schedule, released_at=moment)
    assert summary["runs"] >= 1 and again["runs"] == 0
    assert run.units > 0 and run.places >= run.units


def test_staff_release_page_shows_schedule_and_counts(client, town_a, offer_a):
    from rathaus.core.models import Role

    schedule = weekly(town_a, offer_a.resource)
    ReleaseRun.objects.create(
        schedule=schedule,
        released_at=timezone.now(),
        first_day=timezone.localdate(),
        last_day=timezone.localdate(),
        units=123,
        places=246,
    )
    url = "/termine/verwaltung/freigaben/"
    manager = make_staff(town_a, "m@a.test", Role.APPOINTMENT_MANAGER)
    client.force_login(manager)
    page = client.get(url, HTTP_HOST="a.test").content.decode()
    assert "Donnerstag 18 Uhr" in page and "123" in page and "246" in page
    other = make_staff(town_a, "mod@a.test", Role.MODERATOR)
    client.force_login(other)
    assert client.get(url, HTTP_HOST="a.test").status_code == 403


def test_clerks_see_only_their_offices_release_schedules(client, town_a, offer_a):
    from rathaus.appointments.models import Resource
    from rathaus.core.models import Location, Office, Role

    office = Office.objects.create(municipality=town_a, slug="standesamt", name="Standesamt")
    location = Location.objects.create(
        municipality=town_a, office=office, slug="standesamt", name="Standesamt"
    )
    room = Resource.objects.create(municipality=town_a, location=location, slug="saal", name="S")
    weekly(town_a, offer_a.resource)
    theirs = weekly(town_a, room)
    theirs.name = "Trausaal-Freigabe"
    theirs.save()
    WaitlistEntry.objects.create(
        municipality=town_a,
        service=offer_a.service,
        resource_ids=[room.pk],
        name="Brautpaar",
        email="b@example.org",
        person_key="b@example.org",
    )
    url = "/termine/verwaltung/freigaben/"
    clerk = make_staff(town_a, "c@a.test", Role.CLERK, office=offer_a.resource.location.office)
    client.force_login(clerk)
    page = client.get(url, HTTP_HOST="a.test").content.decode()
    assert "Donnerstag 18 Uhr" in page and "Trausaal-Freigabe" not in page
    assert "Niemand auf der Warteliste" in page  # the one entry waits for the other office
    manager = make_staff(town_a, "m@a.test", Role.APPOINTMENT_MANAGER)
    client.force_login(manager)
    page = client.get(url, HTTP_HOST="a.test").content.decode()
    assert "Donnerstag 18 Uhr" in page and "Trausaal-Freigabe" in page
    assert "Niemand auf der Warteliste" not in page


# --- Lottery ---------------------------------------------------------------------------


def closed_lottery(town, offer, day):
    schedule = ReleaseSchedule.objects.create(
        municipality=town,
        name="Verlosung",
        at_time=time(18),
        mode=ReleaseSchedule.Mode.LOTTERY,
    )
    schedule.resources.add(offer.resource)
    now = timezone.now()
    draw = Lottery.objects.create(
        municipality=town,
        schedule=schedule,
        opens_at=now - timedelta(minutes=16),
        closes_at=now - timedelta(seconds=1),
        first_day=day,
        last_day=day,
    )
    Slot.objects.filter(resource=offer.resource, starts_at__date=day).update(
        visible_from=capacity.FAR_FUTURE
    )
    return draw


def enter(draw, offer, i, **kwargs):
    kwargs.setdefault("email", f"person{i}@example.org")
    return lottery.enter(
        draw,
        service=offer.service,
        resource_ids=[offer.resource_id],
        days=[draw.first_day],
        time_of_day="any",
        name=f"Person {i}",
        now=draw.opens_at + timedelta(minutes=1),
        **kwargs,
    )


def test_lottery_units_are_hidden_from_first_come_first_served(town_a, offer_a, day):
    closed_lottery(town_a, offer_a, day)
    assert not capacity.free_starts(offer_a, 1, at(day, 0), at(day, 23))
    with pytest.raises(services.BookingError):
        book(offer_a, at(day, 9))


def test_draw_gives_one_appointment_per_person_and_is_reproducible(
    town_a, offer_a, day, django_capture_on_commit_callbacks
):
    draw = closed_lottery(town_a, offer_a, day)
    for i in range(25):
        enter(draw, offer_a, i)
    with pytest.raises(lottery.LotteryError) as refused:
        enter(draw, offer_a, 0, email="Person0+zweit@Example.org")
    assert refused.value.reason == "already_entered"
    with django_capture_on_commit_callbacks(execute=True):
        assert lottery.draw(draw, seed="feste-saat") is True
    assert lottery.draw(draw) is False  # only once
    draw.refresh_from_db()
    # 9–12 h, two counters, 20-minute appointments: 18 appointments for 25 people.
    assert draw.result["won"] == 18 and draw.result["lost"] == 7
    bookings = Booking.objects.filter(resource=offer_a.resource, status=BookingStatus.CONFIRMED)
    assert bookings.count() == 18
    assert len(set(bookings.values_list("person_key", flat=True))) == 18
    assert not Slot.objects.filter(booked__gt=capacity.F("capacity")).exists()
    audit = AuditEntry.objects.get(action="appointments.lottery_drawn")
    assert audit.data["seed"] == "feste-saat" == draw.seed
    assert audit.data["order"] == lottery.replay(draw)
    winners_in_order = [e for e in audit.data["order"]][:18]
    assert set(winners_in_order) == set(
        LotteryEntry.objects.filter(status="won").values_list("pk", flat=True)
    )
    # Everyone hears the result; the unlucky ones get a waiting-list place.
    assert len(mail.outbox) == 25
    assert WaitlistEntry.objects.filter(status="waiting").count() == 7
    lost = [m for m in mail.outbox if "Ergebnis der Terminverlosung" in m.subject]
    assert len(lost) == 7 and "Warteliste (Platz" in lost[0].body
    # Nothing left: the rest of the day is released (visible) again.
    assert not Slot.objects.filter(visible_from=capacity.FAR_FUTURE).exists()


def test_draw_queues_every_result_email_in_its_own_transaction(
    town_a, offer_a, day, settings, django_capture_on_commit_callbacks
):
    """With the database queue the draw writes one task row per entry itself (an
    outbox, nothing left for after the commit), and stores winners and losers."""
    from django_tasks_db.models import DBTaskResult, get_date_max

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    draw = closed_lottery(town_a, offer_a, day)
    entries = [enter(draw, offer_a, i) for i in range(20)]
    with django_capture_on_commit_callbacks() as callbacks:
        assert lottery.draw(draw, seed="saat") is True
    queued = DBTaskResult.objects.filter(task_path="rathaus.appointments.lottery.notify_entry")
    assert sorted(t.args_kwargs["args"][0] for t in queued) == sorted(e.pk for e in entries)
    assert all(t.status == "READY" and t.run_after == get_date_max() for t in queued)
    assert not [c for c in callbacks if getattr(c, "func", None) == lottery.notify_entry.enqueue]
    won = LotteryEntry.objects.filter(lottery=draw, status=LotteryEntry.Status.WON)
    assert won.count() == 18 and all(e.booking.person_key == e.person_key for e in won)
    lost = LotteryEntry.objects.filter(lottery=draw, status=LotteryEntry.Status.LOST)
    assert lost.count() == 2 and not lost.filter(booking__isnull=False).exists()
    assert not LotteryEntry.objects.filter(status=LotteryEntry.Status.ENTERED).exists()


def test_draw_respects_wishes_and_releases_leftovers(town_a, offer_a, day):
    draw = closed_lottery(town_a, offer_a, day)
    lottery.enter(
        draw,
        service=offer_a.service,
        resource_ids=[],
        days=[],
        time_of_day="morning",
        name="Früh",
        email="frueh@example.org",
        now=draw.opens_at + timedelta(minutes=1),
    )
    lottery.draw(draw, seed="s")
    won = Booking.objects.get(email="frueh@example.org")
    assert won.starts_at.astimezone(capacity.TZ).hour < 12
    assert capacity.free_starts(offer_a, 1, at(day, 0), at(day, 23))  # leftovers bookable


def test_entries_outside_the_window_are_refused(town_a, offer_a, day):
    draw = closed_lottery(town_a, offer_a, day)
    with pytest.raises(lottery.LotteryError) as error:
        lottery.enter(
            draw,
            service=offer_a.service,
            resource_ids=[],
            days=[],
            time_of_day="any",
            name="Zu spät",
            email="spaet@example.org",
        )
    assert error.value.reason == "closed"


def chi_square(counts, expected):
    return sum((c - expected) ** 2 / expected for c in counts)


def test_draw_is_fair_statistically():
    """Over 20,000 seeded draws of 20 people for 5 places every person wins equally often.

    Chi-square with 19 degrees of freedom: the 0.1 % critical value is 43.82. The
    first place of the order is uniform as well (every position is equally likely).
    """
    people = list(range(1, 21))
    wins, firsts = Counter(), Counter()
    draws = 20_000
    for i in range(draws):
        order = lottery.draw_order(people, f"pruefung-{i}")
        wins.update(order[:5])
        firsts[order[0]] += 1
    assert chi_square([wins[p] for p in people], draws * 5 / 20) < 43.82
    assert chi_square([firsts[p] for p in people], draws / 20) < 43.82


def test_draw_order_is_reproducible_from_its_seed():
    people = list(range(100))
    assert lottery.draw_order(people, "abc") == lottery.draw_order(people, "abc")
    assert lottery.draw_order(people, "abc") != lottery.draw_order(people, "abd")
    assert sorted(lottery.draw_order(people, "abc")) == people


# --- Cooldown, name ----------------------------------------------------------------------


def test_cancelled_units_return_only_after_cooldown(offer_a, day, settings):
    settings.RATHAUS_APPOINTMENTS_CANCEL_COOLDOWN_MINUTES = 30
    booking = book(offer_a, at(day, 9))
    other = book(offer_a, at(day, 9), email="zwei@example.org")
    services.confirm(booking)
    services.cancel(booking)
    # Both places of 9:00 are still taken: cancel-and-rebook can't hand it on.
    with pytest.raises(services.BookingError):
        book(offer_a, at(day, 9), email="freund@example.org")
    assert services.return_cooled_down_units(timezone.now() + timedelta(minutes=29)) == 0
    assert services.return_cooled_down_units(timezone.now() + timedelta(minutes=31)) == 1
    assert services.return_cooled_down_units(timezone.now() + timedelta(minutes=31)) == 0
    assert book(offer_a, at(day, 9), email="freund@example.org").status == "reserved"
    assert other.status == "reserved"


def test_staff_cancellation_and_expired_holds_return_at_once(offer_a, day, admin_a):
    booking = book(offer_a, at(day, 9))
    services.confirm(booking)
    services.cancel(booking, actor=admin_a)
    booking.refresh_from_db()
    assert booking.units_return_at is None
    assert not Slot.objects.filter(resource=offer_a.resource, booked__gt=0).exists()


def test_name_on_a_booking_cannot_be_changed(client, offer_a, day, admin_a):
    from rathaus.appointments.admin import BookingAdmin

    assert "name" in BookingAdmin.readonly_fields and "email" in BookingAdmin.readonly_fields
    booking = book(offer_a, at(day, 9))
    services.confirm(booking)
    moved = services.rebook(booking, at(day, 10))
    assert moved.name == "Erika Mustermann"


# --- Waiting list ------------------------------------------------------------------------


def test_freed_slot_goes_to_the_next_in_line_and_moves_on_when_offer_expires(
    town_a, offer_a, day, admin_a, django_capture_on_commit_callbacks, settings
):
    settings.RATHAUS_APPOINTMENTS_WAITLIST_OFFER_MINUTES = 60
    first = waitlist.join(town_a, offer_a.service, [], name="Erste", email="erste@example.org")
    second = waitlist.join(
        town_a, offer_a.service, [offer_a.resource_id], name="Zweite", email="zweite@example.org"
    )
    assert waitlist.join(town_a, offer_a.service, [], name="E", email="ERSTE@example.org") == first
    assert waitlist.position(second) == 2
    booking = book(offer_a, at(day, 9), email="x@example.org")
    services.confirm(booking)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(booking, actor=admin_a)  # staff: no cooldown
    first.refresh_from_db()
    assert first.status == "offered" and first.booking.starts_at == at(day, 9)
    assert first.booking.hold_expires_at > timezone.now() + timedelta(minutes=55)
    offers = [m for m in mail.outbox if m.to == ["erste@example.org"]]
    assert len(offers) == 1 and "/termine/bestaetigen/" in offers[0].body
    # Not accepted in time: the offer lapses and goes to the next person.
    with django_capture_on_commit_callbacks(execute=True):
        services.expire_holds(timezone.now() + timedelta(minutes=61))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "expired"
    assert second.status == "offered" and second.booking.starts_at == at(day, 9)
    # Accepting = the usual confirm link.
    services.confirm(second.booking)
    waitlist.sync()
    second.refresh_from_db()
    assert second.status == "booked"


# --- Busy path -------------------------------------------------------------------------------


def deadlock():
    class Cause(Exception):
        sqlstate = "40P01"

    error = OperationalError("deadlock detected")
    error.__cause__ = Cause()
    return error


def test_deadlocks_are_retried_then_answered_busy(offer_a, day, monkeypatch):
    from rathaus.appointments.services import booking as booking_module

    calls = []

    def always_deadlock(*args, **kwargs):
        calls.append(1)
        raise deadlock()

    monkeypatch.setattr(booking_module, "_store", always_deadlock)
    with pytest.raises(services.BookingError) as error:
        book(offer_a, at(day, 9))
    assert error.value.reason == "busy" and len(calls) == 3
    assert "viel los" in error.value.message


def test_one_deadlock_is_retried_transparently(offer_a, day, monkeypatch):
    from rathaus.appointments.services import booking as booking_module

    original = booking_module._store
    calls = []

    def once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise deadlock()
        return original(*args, **kwargs)

    monkeypatch.setattr(booking_module, "_store", once)
    assert book(offer_a, at(day, 9)).status == "reserved"


def test_busy_answers_are_503_not_500(client_a, offer_a, day, monkeypatch):
    from rathaus.appointments.services import booking as booking_module

    monkeypatch.setattr(booking_module, "_store", lambda *a, **k: (_ for _ in ()).throw(deadlock()))
    response = client_a.post(
        "/api/v1/appointments/holds",
        {
            "service": offer_a.service.slug,
            "resource": "schalter",
            "name": "A",
            "email": "a@example.org",
            "start": at(day, 9).isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json()["reason"] == "busy"
    # Outside the booking service, the middleware turns a transient error into 503 too.
    monkeypatch.setattr(
        capacity, "free_starts_by_resource", lambda *a, **k: (_ for _ in ()).throw(deadlock())
    )
    page = client_a.get(f"/termine/leistung/{offer_a.service.slug}/schalter/")
    assert page.status_code == 503 and "viel los" in page.content.decode()


# --- Availability cache ----------------------------------------------------------------------


def test_calendar_reads_come_from_cache_until_a_change(
    client_a, offer_a, day, django_assert_max_num_queries
):
    url = f"/termine/leistung/{offer_a.service.slug}/schalter/?tag={day.isoformat()}"
    availability_cache.reset_stats()
    client_a.get(url)
    misses = availability_cache.stats()["misses"]
    client_a.get(url)
    stats = availability_cache.stats()
    assert stats["hits"] >= 2 and stats["misses"] == misses
    book(offer_a, at(day, 9))
    book(offer_a, at(day, 9), email="b@example.org")
    page = client_a.get(url).content.decode()
    assert availability_cache.stats()["misses"] > misses  # the booking bumped the day
    assert f"{at(day, 9).isoformat()}" not in page  # 9:00 is full now


def test_an_answer_read_inside_a_changing_transaction_is_not_cached(offer_a, day, monkeypatch):
    """A lottery draw reads alternatives after its holds: those answers contain
    uncommitted units and must not reach other processes (they would outlive a
    rollback under the bumped versions)."""
    from django.db import transaction

    from rathaus.appointments import capacity
    from rathaus.core import counters

    stored = _record_stored_answers(monkeypatch, counters)
    now = timezone.now()
    end = now + timedelta(days=20)
    with transaction.atomic():
        capacity.free_starts_by_resource([offer_a], 1, now, end)
        assert stored, "the first read (before any hold) is stored"
        stored.clear()
        book(offer_a, at(day, 9))
        capacity.free_starts_by_resource([offer_a], 1, now, end)
        assert stored == []  # read after the hold: not stored


def _record_stored_answers(monkeypatch, counters) -> list:
    """The keys of availability answers handed to the cache, whatever its backend (the
    suite runs on the in-process cache, and on Redis with REDIS_URL): both ways an answer
    is stored, ``cache.set`` of the whole answer and the pieces' ``set_many_and_incr``."""
    stored: list = []
    real_set_many_and_incr = counters.set_many_and_incr
    real_cache = availability_cache.cache

    def set_many_and_incr(values, *args, **kwargs):
        stored.extend(values)
        return real_set_many_and_incr(values, *args, **kwargs)

    class RecordingCache:
        def set(self, key, *args, **kwargs):
            stored.append(key)
            return real_cache.set(key, *args, **kwargs)

        def __getattr__(self, name):
            return getattr(real_cache, name)

    monkeypatch.setattr(counters, "set_many_and_incr", set_many_and_incr)
    monkeypatch.setattr(availability_cache, "cache", RecordingCache())
    return stored


def test_attempts_that_failed_on_our_side_do_not_count_against_the_citizen(
    client_a, offer_a, day, settings, monkeypatch
):
    """A client retrying through a database restart or a deadlock storm (503, "nothing was
    saved") must not use up the per-person limit: after more failed attempts than the
    limit allows, the booking goes through, and the limit still counts real attempts."""
    from rathaus.appointments.services import booking as booking_module

    settings.RATHAUS_APPOINTMENTS_LIMITS = {
        **settings.RATHAUS_APPOINTMENTS_LIMITS,
        "hold_contact": (2, 3600),
        "hold_ip": (100, 600),
    }
    body = {
        "service": offer_a.service.slug,
        "resource": "schalter",
        "name": "A",
        "email": "retry@example.org",
        "start": at(day, 9).isoformat(),
        "idempotency_key": "retry-1",
    }

    def post():
        return client_a.post("/api/v1/appointments/holds", body, content_type="application/json")

    original = booking_module._store
    client_a.raise_request_exception = False
    monkeypatch.setattr(booking_module, "_store", lambda *a, **k: (_ for _ in ()).throw(deadlock()))
    assert [post().status_code for _ in range(3)] == [503, 503, 503]  # busy
    monkeypatch.setattr(
        booking_module, "_store", lambda *a, **k: (_ for _ in ()).throw(OperationalError("down"))
    )
    assert [post().status_code for _ in range(3)] == [503, 503, 503]  # database down
    monkeypatch.setattr(booking_module, "_store", original)
    assert post().status_code == 201
    body |= {"idempotency_key": "retry-2", "start": at(day, 10).isoformat()}
    assert post().status_code in (201, 409)  # the second real attempt counts ...
    body |= {"idempotency_key": "retry-3", "start": at(day, 11).isoformat()}
    assert post().status_code == 429  # ... and the third is over the limit of two
