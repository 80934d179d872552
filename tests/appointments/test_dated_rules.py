"""Rules that change on a date (seed 003): booking horizon scheduled ahead, announced,
applied on its day with an audit entry; walk-in hours with valid-from/valid-until."""

from datetime import date, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rathaus.appointments import capacity
from rathaus.appointments.models import Offer
from rathaus.appointments.services import policy
from rathaus.core.models import AuditEntry, Location, OpeningHours
from rathaus.core.opening import day_schedule

pytestmark = pytest.mark.django_db


def test_horizon_change_is_announced_then_applied_on_its_day(client_a, offer_a):
    today = timezone.localdate()
    starts = today + timedelta(days=10)
    policy.schedule_horizon_change(offer_a, starts, 14)

    page = client_a.get(f"/termine/leistung/{offer_a.service.slug}/").content.decode()
    assert "Termine bis 14 Tage im Voraus" in page and "ab " in page
    location_page = client_a.get(f"/standorte/{offer_a.resource.location.slug}/").content.decode()
    assert "bis 14 Tage im Voraus" in location_page

    assert policy.apply_due_horizon_changes(today) == 0  # not yet
    assert Offer.objects.get(pk=offer_a.pk).horizon_days == 21
    assert policy.apply_due_horizon_changes(starts) == 1
    assert policy.apply_due_horizon_changes(starts) == 0  # the job may run twice
    offer = Offer.objects.get(pk=offer_a.pk)
    assert offer.horizon_days == 14
    assert capacity.window(offer).last_day == today + timedelta(days=14)
    entry = AuditEntry.objects.get(action="appointments.horizon_changed")
    assert entry.data == {"from": 21, "to": 14, "valid_from": starts.isoformat()}
    page = client_a.get(f"/termine/leistung/{offer_a.service.slug}/").content.decode()
    assert "Termine bis 14 Tage im Voraus" not in page  # applied: no longer announced


def test_a_change_must_lie_in_the_future(offer_a):
    with pytest.raises(ValidationError):
        policy.schedule_horizon_change(offer_a, timezone.localdate(), 14)


def test_walk_in_hours_with_valid_dates_apply_and_are_announced(client_a, town_a):
    location = Location.objects.get(slug="a-mitte")
    tuesday = date(2030, 6, 18)
    OpeningHours.objects.filter(location=location, kind="walk_in", weekday=1).update(
        valid_until=tuesday - timedelta(days=1)
    )
    OpeningHours.objects.create(
        location=location,
        kind=OpeningHours.Kind.WALK_IN,
        weekday=1,
        opens=time(13),
        closes=time(15),
        valid_from=tuesday,
        note="neue Nachmittagssprechzeit",
    )
    before = day_schedule(location, tuesday - timedelta(days=7)).of_kind("walk_in")
    after = day_schedule(location, tuesday).of_kind("walk_in")
    assert [w.opens for w in before] == [time(8)]
    assert [w.opens for w in after] == [time(13)]


def test_location_page_announces_coming_walk_in_hours(client_a, town_a):
    location = Location.objects.get(slug="a-mitte")
    starts = timezone.localdate() + timedelta(days=9)
    OpeningHours.objects.create(
        location=location,
        kind=OpeningHours.Kind.WALK_IN,
        weekday=starts.weekday(),
        opens=time(14),
        closes=time(16),
        valid_from=starts,
    )
    page = client_a.get("/standorte/a-mitte/").content.decode()
    assert "Geänderte Zeiten" in page and "14:00–16:00" in page


def test_release_schedule_ends_on_its_date(town_a, offer_a):
    """Until a date the days are released on Thursday 18:00; after it they are not hidden."""
    from rathaus.appointments import releases
    from rathaus.appointments.models import ReleaseRun, ReleaseSchedule

    schedule = ReleaseSchedule.objects.create(
        municipality=town_a, name="Donnerstag 18 Uhr", weekday=3, at_time=time(18)
    )
    schedule.resources.add(offer_a.resource)
    offer_a.horizon_days = 30
    offer_a.save()
    day = timezone.localdate() + timedelta(days=16)
    moment = releases.release_moment(schedule, day)
    schedule.valid_until = moment.date() - timedelta(days=1)  # ends before that release
    schedule.save()
    capacity.materialise(offer_a.resource)
    start, end = capacity.local(day, time.min), capacity.local(day, time(23))
    if day.weekday() < 5:
        assert capacity.free_starts(offer_a, 1, start, end)  # not hidden by an ended schedule
    assert moment not in releases.moments_between(
        schedule, moment - timedelta(hours=1), moment + timedelta(hours=1)
    )
    releases.run_due(now=moment + timedelta(minutes=1))
    assert not ReleaseRun.objects.filter(schedule=schedule, released_at=moment).exists()
    assert releases.next_moment(schedule, moment) is None


def test_an_applied_horizon_change_reaches_the_remembered_offers_at_once(
    offer_a, django_capture_on_commit_callbacks
):
    """The availability read and the hold take their offer from a per-process memo
    (ADR 0100): the change must tell it, not wait for the memo's seconds to run out."""
    from rathaus.appointments import shown_offers

    town, slug = offer_a.resource.location.municipality, offer_a.service.slug
    assert shown_offers.for_availability(town, slug, None)[0].horizon_days == 21
    starts = timezone.localdate() + timedelta(days=10)
    policy.schedule_horizon_change(offer_a, starts, 14)
    with django_capture_on_commit_callbacks(execute=True):
        assert policy.apply_due_horizon_changes(starts) == 1
    assert shown_offers.for_availability(town, slug, None)[0].horizon_days == 14
