"""A release rhythm that ends or starts on a date is announced to citizens in advance on
the booking page and the location page (seed 003: "until 13 March next week's slots on
Thursday 18:00"; issue 15)."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from rathaus.appointments.models import ReleaseSchedule
from rathaus.appointments.services import policy

pytestmark = pytest.mark.django_db


def _schedule(town, resource, **dates):
    schedule = ReleaseSchedule.objects.create(
        municipality=town, name="Donnerstag 18 Uhr", weekday=3, at_time=time(18), **dates
    )
    schedule.resources.add(resource)
    return schedule


def _pages(client, offer):
    booking = client.get(f"/termine/leistung/{offer.service.slug}/").content.decode()
    location = client.get(f"/standorte/{offer.resource.location.slug}/").content.decode()
    return booking, location


def test_ending_rhythm_is_announced_until_its_last_day(client_a, town_a, offer_a):
    today = timezone.localdate()
    ends = today + timedelta(days=10)
    _schedule(town_a, offer_a.resource, valid_until=ends)
    booking, location = _pages(client_a, offer_a)
    for page in (booking, location):
        assert "nur noch bis" in page
        assert "jeden Donnerstag um 18:00 Uhr wird die folgende Woche freigeschaltet" in page
        assert "danach gibt es diese feste Freigabezeit nicht mehr" in page
    # on the last day still, the day after no more
    assert policy.upcoming_release_changes([offer_a.resource_id], ends)
    assert not policy.upcoming_release_changes([offer_a.resource_id], ends + timedelta(days=1))


def test_starting_rhythm_is_announced_and_far_changes_are_not(client_a, town_a, offer_a):
    today = timezone.localdate()
    _schedule(town_a, offer_a.resource, valid_from=today + timedelta(days=20))
    far = _schedule(town_a, offer_a.resource, valid_from=today + timedelta(days=60))
    far.name = "weit weg"
    far.save()
    changes = policy.upcoming_release_changes([offer_a.resource_id], today)
    assert [(c.kind, c.day) for c in changes] == [("starts", today + timedelta(days=20))]
    booking, location = _pages(client_a, offer_a)
    for page in (booking, location):
        assert "neue Termine werden zu festen Zeiten freigegeben" in page


def test_daily_lottery_rhythm_in_plain_words(town_a, offer_a):
    today = timezone.localdate()
    schedule = _schedule(town_a, offer_a.resource, valid_until=today + timedelta(days=3))
    schedule.weekday, schedule.lead_days = None, 14
    schedule.mode = ReleaseSchedule.Mode.LOTTERY
    schedule.save()
    (change,) = policy.upcoming_release_changes([offer_a.resource_id], today)
    assert change.rhythm == "täglich um 18:00 Uhr wird der Tag in 14 Tagen verlost"


def test_inactive_schedules_are_not_announced(client_a, town_a, offer_a):
    today = timezone.localdate()
    inactive = _schedule(town_a, offer_a.resource, valid_until=today + timedelta(days=5))
    inactive.is_active = False
    inactive.save()
    booking, location = _pages(client_a, offer_a)
    assert "nur noch bis" not in booking and "nur noch bis" not in location


def test_english_pages_announce_the_rhythm_in_english(client_a, town_a, offer_a):
    from django.utils import translation

    today = timezone.localdate()
    _schedule(town_a, offer_a.resource, valid_until=today + timedelta(days=10))
    client_a.cookies["django_language"] = "en"
    booking, location = _pages(client_a, offer_a)
    for page in (booking, location):
        assert "every Thursday at 18:00 the following week is released" in page
        assert "only until" in page
        assert "jeden Donnerstag" not in page and "freigeschaltet" not in page
    (change,) = policy.upcoming_release_changes([offer_a.resource_id], today)
    with translation.override("en"):
        assert change.rhythm == "every Thursday at 18:00 the following week is released"
    with translation.override("de"):
        assert (
            change.rhythm == "jeden Donnerstag um 18:00 Uhr wird die folgende Woche freigeschaltet"
        )
