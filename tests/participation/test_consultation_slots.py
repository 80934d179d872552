"""Bürgersprechstunde: fixed-length slots booked through the appointments engine."""

import re
from datetime import datetime, time, timedelta
from urllib.parse import parse_qsl

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from rathaus.appointments import capacity
from rathaus.appointments import services as appointments
from rathaus.appointments.models import AvailabilityRule, Booking, BookingStatus, Offer, Resource
from rathaus.catalog.models import Service
from rathaus.core.models import Location, Role
from rathaus.participation.dialogues import services as dialogues
from rathaus.participation.dialogues import slots
from rathaus.participation.dialogues.models import DialogueEvent
from tests.conftest import make_staff


@pytest.fixture(autouse=True)
def _proof_of_work_passes(monkeypatch):
    """These tests are about the wiring into the booking flow, not about ALTCHA (ADR 0022,
    tested in tests/appointments): the proof-of-work check passes here."""
    from rathaus.appointments import antibot

    monkeypatch.setattr(antibot, "check", lambda data: antibot.Proof(True))


pytestmark = pytest.mark.django_db


def working_day(municipality):
    """A weekday next week or later that is not a public holiday."""
    day = timezone.localdate() + timedelta(days=7)
    while day.weekday() >= 5 or capacity.holiday_name(municipality, day):
        day += timedelta(days=1)
    return day


def make_event(municipality, kind="consultation", slug="sprechstunde"):
    day = working_day(municipality)
    start = timezone.make_aware(datetime.combine(day, time(10)))
    return DialogueEvent.objects.create(
        municipality=municipality,
        kind=kind,
        slug=slug,
        title="Bürgersprechstunde der Oberbürgermeisterin",
        venue="Rathaus, Raum 280",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=4,
    )


@pytest.fixture
def rathaus(town_a):
    return Location.objects.get(municipality=town_a, slug="a-mitte")


@pytest.fixture
def consultation(town_a, rathaus):
    event = make_event(town_a)
    slots.enable_slot_booking(event, location=rathaus, slot_minutes=15)
    event.refresh_from_db()
    return event


def local_times(starts):
    return [timezone.localtime(s).strftime("%H:%M") for s in starts]


def test_enabling_creates_the_configuration_once(consultation, town_a, rathaus):
    offer = consultation.appointment_offer
    assert offer.service.slug == "buergersprechstunde"
    assert offer.resource.location == rathaus and offer.max_persons == 1
    rule = AvailabilityRule.objects.get(resource=offer.resource)
    day = timezone.localdate(consultation.starts_at)
    assert (rule.valid_from, rule.valid_until, rule.unit_minutes) == (day, day, 15)
    free = [s for s, _ in slots.free_slots(consultation)]
    assert local_times(free) == ["10:00", "10:15", "10:30", "10:45"]
    # A second call (a double click, or the demo loaded twice) changes nothing.
    slots.enable_slot_booking(consultation, location=rathaus, slot_minutes=15)
    assert Service.objects.filter(slug="buergersprechstunde").count() == 1
    assert (Resource.objects.count(), Offer.objects.count()) == (1, 1)
    assert AvailabilityRule.objects.count() == 1
    assert len(slots.free_slots(consultation)) == 4
    # The catalog entry and the offer were made through their apps' services (audited).
    from rathaus.core.models import AuditEntry

    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("catalog.service_created") == 1
    assert actions.count("appointments.offer_created") == 1


def test_second_consultation_reuses_offer_with_its_own_rule(consultation, town_a, rathaus):
    later = make_event(town_a, slug="sprechstunde-2")
    later.starts_at += timedelta(days=7)
    later.ends_at += timedelta(days=7)
    later.save()
    offer = slots.enable_slot_booking(later, location=rathaus, slot_minutes=20)
    assert offer == consultation.appointment_offer
    assert AvailabilityRule.objects.count() == 2
    assert len(slots.free_slots(later)) == 3  # 60 minutes in 20-minute slots
    assert len(slots.free_slots(consultation)) == 4  # the first day is untouched


def test_refuses_wrong_input(town_a, town_b, rathaus):
    dialogue = make_event(town_a, kind="dialogue", slug="dialog")
    with pytest.raises(ValidationError, match="nur für Bürgersprechstunden"):
        slots.enable_slot_booking(dialogue, location=rathaus)
    event = make_event(town_a)
    with pytest.raises(ValidationError, match="nicht in Termine zu 25 Minuten"):
        slots.enable_slot_booking(event, location=rathaus, slot_minutes=25)
    foreign = make_event(town_b, slug="b-sprechstunde")
    with pytest.raises(ValidationError, match="anderen Kommune"):
        slots.enable_slot_booking(foreign, location=rathaus)
    assert not Offer.objects.exists() and not AvailabilityRule.objects.exists()


def test_event_page_links_into_the_appointments_flow(client_a, consultation):
    page = client_a.get("/beteiligung/dialoge/sprechstunde/").content.decode()
    assert "Gesprächstermin buchen" in page and "4 freie Termine zu je 15 Minuten" in page
    links = re.findall(r'href="(/termine/leistung/buergersprechstunde/[^"]+)"', page)
    assert len(links) == 4 and "/buchen/?start=" in links[0]
    assert "Zur Veranstaltung anmelden" not in page  # no plain registration form
    with pytest.raises(ValidationError, match="Gesprächstermin"):
        dialogues.register(consultation, name="Eva", email="eva@example.org")


def test_booked_slot_leaves_the_page_and_appears_in_the_staff_day_view(
    client_a, consultation, town_a, mailoutbox
):
    page = client_a.get("/beteiligung/dialoge/sprechstunde/").content.decode()
    link = re.findall(r'href="(/termine/leistung/buergersprechstunde/[^"]+)"', page)[1]
    link = link.replace("&amp;", "&")
    assert client_a.get(link).status_code == 200  # the appointments citizen flow
    path, query = link.split("?")
    params = dict(parse_qsl(query))
    data = {"name": "Erika Mustermann", "email": "erika@example.org", **params}
    check = client_a.post(path, data)
    assert check.status_code == 200
    key = re.search(r'name="idempotency_key" value="([^"]+)"', check.content.decode()).group(1)
    response = client_a.post(path, {**data, "action": "reserve", "idempotency_key": key})
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.offer == consultation.appointment_offer
    assert local_times([booking.starts_at]) == ["10:15"]
    assert booking.ends_at - booking.starts_at == timedelta(minutes=15)
    appointments.confirm(booking)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED

    remaining = local_times(s for s, _ in slots.free_slots(consultation))
    assert remaining == ["10:00", "10:30", "10:45"]
    assert "3 freie Termine" in client_a.get("/beteiligung/dialoge/sprechstunde/").content.decode()

    client_a.force_login(make_staff(town_a, "termine@a.test", Role.APPOINTMENT_MANAGER))
    day_view = client_a.get(slots.staff_day_url(consultation)).content.decode()
    assert "Erika Mustermann" in day_view


def test_one_slot_per_person(consultation):
    offer = consultation.appointment_offer
    first, second = [s for s, _ in slots.free_slots(consultation)][:2]
    appointments.hold(offer, first, name="Eva", email="eva@example.org")
    with pytest.raises(appointments.BookingError):
        appointments.hold(offer, second, name="Eva", email="Eva@example.org")


def test_full_consultation_says_so(client_a, consultation):
    offer = consultation.appointment_offer
    for n, (start, _) in enumerate(slots.free_slots(consultation)):
        appointments.hold(offer, start, name=f"P{n}", email=f"p{n}@example.org")
    page = client_a.get("/beteiligung/dialoge/sprechstunde/").content.decode()
    assert "keine Termine mehr frei" in page and "/termine/leistung/" not in page


def test_other_event_kinds_keep_plain_registration(client_a, town_a, consultation):
    walk = make_event(town_a, kind="walk", slug="wanderung")
    page = client_a.get("/beteiligung/dialoge/wanderung/").content.decode()
    assert "Zur Veranstaltung anmelden" in page and "/termine/leistung/" not in page
    registration = dialogues.register(walk, name="Eva", email="eva@example.org")
    assert registration.pk


def test_isolation_between_municipalities(consultation, town_b):
    other = Client(HTTP_HOST="b.test")
    assert other.get("/beteiligung/dialoge/sprechstunde/").status_code == 404
    start = slots.free_slots(consultation)[0][0]
    url = "/termine/leistung/buergersprechstunde/buergersprechstunde/buchen/"
    assert other.get(url, {"start": start.isoformat(), "personen": 1}).status_code == 404
    assert not Offer.objects.for_municipality(town_b).exists()


def test_staff_day_view_needs_the_right_role(client_a, consultation, citizen):
    client_a.force_login(citizen)
    assert client_a.get(slots.staff_day_url(consultation)).status_code in (302, 403)


def test_moderator_offers_slots_from_the_staff_page(client_a, town_a, rathaus, citizen):
    event = make_event(town_a)
    url = f"/beteiligung/verwaltung/dialoge/{event.slug}/termine/"
    client_a.force_login(citizen)
    assert client_a.post(url, {"location": rathaus.pk, "slot_minutes": 15}).status_code == 403
    client_a.force_login(make_staff(town_a, "m@a.test", Role.MODERATOR))
    page = client_a.get(f"/beteiligung/verwaltung/dialoge/{event.slug}/").content.decode()
    assert "Gesprächstermine buchbar machen" in page
    wrong = client_a.post(url, {"location": rathaus.pk, "slot_minutes": 25})
    assert wrong.status_code == 400 and "nicht in Termine zu 25 Minuten" in wrong.content.decode()
    assert not Offer.objects.exists()
    client_a.post(url, {"location": rathaus.pk, "slot_minutes": 15})
    client_a.post(url, {"location": rathaus.pk, "slot_minutes": 15})  # double submit
    event.refresh_from_db()
    assert event.slot_minutes == 15 and AvailabilityRule.objects.count() == 1
    page = client_a.get(f"/beteiligung/verwaltung/dialoge/{event.slug}/").content.decode()
    assert "noch 4 Termine frei" in page and "/termine/verwaltung/buergersprechstunde/tag/" in page


def test_staff_slot_form_refuses_other_towns_location(client_a, town_a, town_b):
    foreign = Location.objects.get(municipality=town_b, slug="b-mitte")
    event = make_event(town_a)
    client_a.force_login(make_staff(town_a, "m@a.test", Role.MODERATOR))
    url = f"/beteiligung/verwaltung/dialoge/{event.slug}/termine/"
    response = client_a.post(url, {"location": foreign.pk, "slot_minutes": 15})
    assert response.status_code == 400 and not Offer.objects.exists()


def test_no_links_while_the_offer_is_switched_off(client_a, consultation):
    offer = consultation.appointment_offer
    offer.is_active = False
    offer.save()
    page = client_a.get("/beteiligung/dialoge/sprechstunde/").content.decode()
    assert "/termine/leistung/" not in page and "keine Termine mehr frei" in page


def test_year_plan_counts_persons_booked_in_the_slots(consultation, town_a, client_a):
    """Consultation hours held as Terminvergabe slots count their booked persons
    (appointments' read function), not 0 (ADR 0058)."""
    from rathaus.participation.dialogues import yearplan

    offer = consultation.appointment_offer
    starts = [s for s, _url in slots.free_slots(consultation)]
    booked = []
    for n, start in enumerate(starts[:4]):
        booked.append(appointments.hold(offer, start, name=f"P{n}", email=f"p{n}@example.org"))
    for booking in booked[:3]:
        appointments.confirm(booking)
    staff = make_staff(town_a, "mod@example.org", Role.MODERATOR)
    appointments.cancel(booked[2], actor=staff)  # cancelled: not counted
    # booked[3] is only held (no double opt-in yet): not counted either.
    year = timezone.localdate(consultation.starts_at).year
    figures = {f.event.pk: f for f in yearplan.year_context(town_a, year)["figures"]}
    assert figures[consultation.pk].participants == 2
    totals = {t.kind: t for t in yearplan.year_context(town_a, year)["totals"]}
    assert totals["consultation"].participants == 2

    # A booking of the same offer outside the event's hours does not count.
    later = consultation.ends_at + timedelta(minutes=5)
    Booking.objects.filter(pk=booked[0].pk).update(
        starts_at=later, ends_at=later + timedelta(minutes=15)
    )
    figures = {f.event.pk: f for f in yearplan.year_context(town_a, year)["figures"]}
    assert figures[consultation.pk].participants == 1
    client_a.force_login(staff)
    page = client_a.get(f"/beteiligung/verwaltung/dialoge/jahresplan/{year}/").content.decode()
    assert "1 Teilnehmende" in page


def test_marked_arrivals_count_and_no_shows_do_not(consultation, town_a):
    from rathaus.appointments.usage import persons_booked

    offer = consultation.appointment_offer
    starts = [s for s, _url in slots.free_slots(consultation)][:3]
    made = [
        appointments.hold(offer, s, name=f"Q{n}", email=f"q{n}@example.org")
        for n, s in enumerate(starts)
    ]
    for booking, status in zip(
        made, [BookingStatus.DONE, BookingStatus.NO_SHOW, BookingStatus.EXPIRED], strict=True
    ):
        Booking.objects.filter(pk=booking.pk).update(status=status)
    window = ("e", offer.pk, consultation.starts_at, consultation.ends_at)
    assert persons_booked([window]) == {"e": 1}
    assert persons_booked([]) == {}
