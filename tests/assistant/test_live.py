"""Live data in answers: the next free appointment from the booking engine, waiting times."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from rathaus.appointments.models import Booking
from rathaus.assistant import live
from rathaus.assistant.dialogue import State, respond
from rathaus.catalog.models import Service
from tests.appointments.conftest import make_offer

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(catalog_a):
    service = Service.objects.get(municipality=catalog_a, slug="personalausweis-beantragen")
    return make_offer(catalog_a, service, counters=1)


def test_next_free_appointment_with_booking_link(catalog_a, offer):
    expected = live.appointments.next_free(offer.service, now=timezone.now())
    assert expected is not None and expected.start > timezone.now()
    first = respond(catalog_a, "Personalausweis beantragen")
    answer = respond(catalog_a, "Wann ist der nächste freie Termin?", first.state).answer
    local = timezone.localtime(expected.start)
    assert f"{local:%d.%m.%Y um %H:%M Uhr}" in answer.text
    booking = [a for a in answer.actions if a.kind == "booking"]
    assert booking[0].url == "/termine/leistung/personalausweis-beantragen/schalter/"


def test_booked_out_time_is_not_offered(catalog_a, offer):
    now = timezone.now()
    first = live.appointments.next_free(offer.service, now=now)
    from rathaus.appointments.models import Slot

    Slot.objects.filter(
        resource=offer.resource, starts_at__lt=first.start + timedelta(minutes=20)
    ).update(booked=1)
    second = live.appointments.next_free(offer.service, now=now)
    assert second.start > first.start
    assert not Booking.objects.exists()  # the assistant never books by itself


def test_service_without_offers_has_no_invented_appointment(catalog_a):
    monday = timezone.make_aware(datetime.combine(date(2026, 11, 23), time(8, 30)))
    answer = respond(catalog_a, "Termin für einen Reisepass", now=monday).answer
    assert answer.service.slug == "reisepass-beantragen"
    assert "kann ich gerade nicht nennen" in answer.text
    assert "Sprechzeit ohne Termin heute: 08:00–09:00 Uhr" in answer.text
    assert not [a for a in answer.actions if a.kind == "booking"]


def test_on_a_weekend_the_answer_names_the_next_walk_in_hours(catalog_a):
    """Before, a Saturday question got only "kann ich gerade nicht nennen" and 115."""
    saturday = timezone.make_aware(datetime.combine(date(2026, 11, 28), time(10)))
    answer = respond(catalog_a, "Termin für einen Reisepass", now=saturday).answer
    assert "kann ich gerade nicht nennen" in answer.text
    assert "Ohne Termin wieder am 30.11.2026 von 08:00 bis 09:00 Uhr." in answer.text


def test_waiting_time_is_left_out_when_no_estimate_exists(catalog_a):
    answer = respond(catalog_a, "Wie lange ist die Wartezeit für einen Reisepass?").answer
    assert "kann ich nicht angeben" in answer.text
    assert "Minuten" not in answer.text


def test_waiting_time_from_a_provider(catalog_a, monkeypatch):
    class Estimate:
        def current(self, service, location):
            return live.WaitingTime(minutes=25, location_name=location.name)

    monkeypatch.setattr(live, "waiting_times", Estimate())
    answer = respond(catalog_a, "Wie lange ist die Wartezeit für einen Reisepass?", State()).answer
    assert "Bürgerbüro A Mitte: etwa 25 Minuten" in answer.text or "etwa 25 Minuten" in answer.text


def test_published_online_form_of_the_applications_module_is_linked(catalog_a):
    from rathaus.applications.models import FormDefinition

    service = Service.objects.get(municipality=catalog_a, slug="reisepass-beantragen")
    form = FormDefinition.objects.create(
        municipality=catalog_a, service=service, title="Reisepass online", schema={}
    )
    answer = respond(catalog_a, "Kann ich einen Reisepass online beantragen?").answer
    assert answer.actions == []  # a draft form is not offered
    form.state = FormDefinition.State.PUBLISHED
    form.save()
    answer = respond(catalog_a, "Kann ich einen Reisepass online beantragen?").answer
    assert [a.url for a in answer.actions if a.kind == "online"] == [
        "/antraege/reisepass-beantragen/"
    ]
    assert "online erledigen" in answer.text


def test_waiting_time_comes_from_the_walk_in_queue(catalog_a, settings):
    """The real estimate of rathaus.onsite (issue 5): an open counter and people waiting."""
    settings.ONSITE_DRAW_ONLY_WHEN_OPEN = False  # the test may run at night
    from rathaus.core.models import Location
    from rathaus.onsite import services as onsite
    from rathaus.onsite.models import Counter, ServiceGroup

    location = Location.objects.for_municipality(catalog_a).get(slug="a-mitte")
    passport = Service.objects.get(municipality=catalog_a, slug="reisepass-beantragen")
    group = ServiceGroup.objects.create(
        municipality=catalog_a,
        location=location,
        slug="ausweise",
        name="Ausweise",
        prefix="A",
        daily_contingent=50,
        default_minutes=10,
    )
    group.services.add(passport)
    counter = Counter.objects.create(municipality=catalog_a, location=location, number=1)
    onsite.open_counter(counter, actor=None)
    for _ in range(3):
        onsite.draw(group)
    expected = onsite.rounded(onsite.estimated_wait(location, service=passport))
    assert expected and expected >= 10

    answer = respond(catalog_a, "Wie lange ist die Wartezeit für einen Reisepass?", State()).answer
    assert f"etwa {expected} Minuten" in answer.text
