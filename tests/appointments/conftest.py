"""Fixtures of the Terminvergabe tests: a service offered at town A's counters."""

from datetime import date, time, timedelta

import pytest
from django.utils import timezone

from rathaus.appointments import capacity
from rathaus.appointments.models import AvailabilityRule, Offer, Resource
from rathaus.catalog.models import Service, Topic
from rathaus.core.models import Location, Office


def next_weekday(start: date, weekday: int = 1) -> date:
    """The next given weekday at least two days ahead (Tuesday by default)."""
    day = start + timedelta(days=2)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def make_service(town, slug="personalausweis-beantragen", name="Personalausweis beantragen"):
    topic, _ = Topic.objects.get_or_create(slug="ausweise", defaults={"name": "Ausweise"})
    office = Office.objects.for_municipality(town).first()
    return Service.objects.create(
        municipality=town,
        slug=slug,
        name=name,
        summary="Ausweis beantragen",
        topic=topic,
        office=office,
        documents=["Altes Ausweisdokument", "Biometrisches Passfoto"],
    )


def make_offer(town, service, *, counters=2, location=None, slug="schalter", **policy):
    location = location or Location.objects.for_municipality(town).first()
    resource = Resource.objects.create(
        municipality=town, location=location, slug=slug, name="Schalter"
    )
    AvailabilityRule.objects.create(
        resource=resource,
        weekdays=[0, 1, 2, 3, 4],
        start_time=time(9),
        end_time=time(12),
        counters=counters,
        unit_minutes=10,
        valid_from=timezone.localdate() - timedelta(days=1),
    )
    AvailabilityRule.objects.create(
        resource=resource,
        kind=AvailabilityRule.Kind.WALK_IN,
        weekdays=[0, 1, 2, 3, 4],
        start_time=time(8),
        end_time=time(9),
        counters=counters,
        unit_minutes=10,
        valid_from=timezone.localdate() - timedelta(days=1),
    )
    defaults = {
        "duration_units": 2,
        "units_per_extra_person": 2,
        "max_persons": 3,
        "horizon_days": 21,
        "lead_time_hours": 0,
    }
    defaults.update(policy)
    offer = Offer.objects.create(municipality=town, service=service, resource=resource, **defaults)
    capacity.materialise(resource)
    return offer


@pytest.fixture
def service_a(town_a):
    return make_service(town_a)


@pytest.fixture
def offer_a(town_a, service_a):
    return make_offer(town_a, service_a)


@pytest.fixture
def day():
    """A working day (Tuesday) ahead that is no public holiday in Brandenburg."""
    from rathaus.core.opening import holiday_name

    candidate = next_weekday(timezone.localdate())
    while holiday_name(type("M", (), {"land": "BB"})(), candidate):
        candidate = next_weekday(candidate)
    return candidate


def at(day, hour, minute=0):
    return capacity.local(day, time(hour, minute))


@pytest.fixture
def oc(django_capture_on_commit_callbacks):
    """Run a service call and then its on-commit work (e-mails), as a real commit would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture(autouse=True)
def _fresh_cache_and_proof(request, monkeypatch):
    """Each test starts with an empty cache (availability, rate limits, ALTCHA replay).

    The booking tests of issue 3 don't solve proofs of work: the ALTCHA check passes
    unless a test asks for the ``real_proof`` fixture (tests of ADR 0022).
    """
    from django.core.cache import cache

    from rathaus.appointments import antibot

    cache.clear()
    if "real_proof" not in request.fixturenames:
        monkeypatch.setattr(antibot, "check", lambda data: antibot.Proof(True))
    yield
    cache.clear()


@pytest.fixture
def real_proof():
    """Marker fixture: keep the real ALTCHA / slow-path check."""
    return True
