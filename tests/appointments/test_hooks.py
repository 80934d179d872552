"""The booking core announces, fair release listens (hooks.py, docs/architecture.md).

The core (capacity, services) imports none of releases, lottery or waitlist
(.importlinter checks that); these tests check that the listeners are connected
and that a listener's failure after the commit does not undo or fail the change.
"""

import logging

import pytest

from rathaus.appointments import hooks, releases, services, waitlist
from rathaus.appointments.models import Booking, BookingStatus, Lottery, Slot

from .conftest import at
from .test_fair_release import book, closed_lottery, enter

pytestmark = pytest.mark.django_db


def test_fair_release_listens_to_the_booking_core():
    assert hooks.units_freed.has_listeners()
    assert hooks.units_materialised.has_listeners()
    assert releases.lotteries_due.has_listeners()


def test_freed_units_reach_the_waiting_list(
    town_a, offer_a, day, admin_a, django_capture_on_commit_callbacks
):
    place = waitlist.join(town_a, offer_a.service, [], name="Erste", email="erste@example.org")
    booking = book(offer_a, at(day, 9), email="x@example.org")
    services.confirm(booking)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.cancel(booking, actor=admin_a)
    assert len(callbacks) >= 1
    place.refresh_from_db()
    assert place.status == "offered"


def test_a_failing_listener_is_logged_and_the_cancellation_stands(
    offer_a, day, admin_a, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(booking_id):
        raise RuntimeError("waiting list down")

    monkeypatch.setattr(waitlist, "units_freed", broken)
    booking = book(offer_a, at(day, 9))
    services.confirm(booking)
    with (
        caplog.at_level(logging.ERROR, logger="django.db.backends.base"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.cancel(booking, actor=admin_a) is True
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert not Slot.objects.filter(resource=offer_a.resource, booked__gt=0).exists()
    assert "waiting list down" in caplog.text


def test_run_due_draws_closed_lotteries_through_its_signal(
    town_a, offer_a, day, django_capture_on_commit_callbacks
):
    draw = closed_lottery(town_a, offer_a, day)
    enter(draw, offer_a, 1)
    with django_capture_on_commit_callbacks(execute=True):
        summary = releases.run_due()
    # The closed lottery and those of the schedule's passed moments (catch-up) are drawn.
    assert summary["drawn"] >= 1
    draw.refresh_from_db()
    assert draw.status == Lottery.Status.DRAWN
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 1
    assert not Lottery.objects.filter(status=Lottery.Status.OPEN, closes_at__lte=draw.closes_at)
    assert releases.run_due()["drawn"] == 0
