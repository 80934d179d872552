"""In Chromium: a Bürgersprechstunde slot is booked with the keyboard through the
Terminvergabe; the council paper of a Bürgerhaushalt is reached from the result page."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from rathaus.appointments import capacity
from rathaus.appointments.models import Booking
from rathaus.catalog.models import Topic
from rathaus.core.models import Location
from rathaus.participation.dialogues import slots
from rathaus.participation.dialogues.models import DialogueEvent


@pytest.fixture(autouse=True)
def _proof_of_work_passes(monkeypatch):
    """These tests are about the wiring into the booking flow, not about ALTCHA (ADR 0022,
    tested in tests/appointments): the proof-of-work check passes here."""
    from rathaus.appointments import antibot

    monkeypatch.setattr(antibot, "check", lambda data: antibot.Proof(True))


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _topic(db):
    """Transactional tests flush the migrated OZG topics; the catalog service needs one."""
    Topic.objects.get_or_create(slug="querschnitt", defaults={"name": "Querschnitt"})


def consultation(town, slug):
    day = timezone.localdate() + timedelta(days=7)
    while day.weekday() >= 5 or capacity.holiday_name(town, day):
        day += timedelta(days=1)
    start = timezone.make_aware(datetime.combine(day, time(10)))
    return DialogueEvent.objects.create(
        municipality=town,
        kind="consultation",
        slug=slug,
        title="Bürgersprechstunde der Oberbürgermeisterin",
        venue="Rathaus",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )


def tab_to(page, selector, limit=80):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
    raise AssertionError(f"could not reach {selector} with Tab")


def test_book_a_consultation_slot_with_the_keyboard(page, town_a):
    event = consultation(town_a, "sprechstunde")
    slots.enable_slot_booking(event, location=Location.objects.get(slug="a-mitte"), slot_minutes=15)
    page.goto("/beteiligung/dialoge/sprechstunde/")
    page.check_axe()
    tab_to(page, "a[href*='/termine/leistung/buergersprechstunde/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/buchen/" in page.url
    page.check_axe()
    tab_to(page, "input[name=name]")
    page.keyboard.type("Erika Mustermann")
    tab_to(page, "input[name=email]")
    page.keyboard.type("erika@example.org")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # to "check your answers"
    page.check_axe()
    tab_to(page, "button[value=reserve]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.check_axe()
    booking = Booking.objects.get()
    assert booking.name == "Erika Mustermann" and booking.offer == event.appointment_offer
    page.goto("/beteiligung/dialoge/sprechstunde/")
    assert "3 freie Termine" in page.content()


def test_staff_slot_form_is_axe_clean(page, town_a, moderator_a):
    consultation(town_a, "ohne-termine")
    page.goto("/anmelden/?next=/beteiligung/verwaltung/dialoge/ohne-termine/")
    page.fill("#id_username", moderator_a.email)
    page.fill("#id_password", "geheim-123!")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.check_axe()
    page.select_option("#id_location", label=Location.objects.get(slug="a-mitte").name)
    page.fill("#id_slot_minutes", "25")
    with page.expect_navigation():
        page.get_by_role("button", name="Gesprächstermine buchbar machen").click()
    page.check_axe()  # the error summary
    page.fill("#id_slot_minutes", "20")
    with page.expect_navigation():
        page.get_by_role("button", name="Gesprächstermine buchbar machen").click()
    page.check_axe()
    assert "noch 3 Termine frei" in page.content()
