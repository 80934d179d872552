"""A citizen enters the lottery by keyboard, with the real ALTCHA widget; axe on every page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rathaus.appointments.models import Lottery, LotteryEntry, ReleaseSchedule

from .conftest import make_offer, make_service
from .test_browser import press_enter_and_wait, tab_to, tab_to_field

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enter_lottery_by_keyboard_with_altcha(page, town_a, settings, real_proof):
    settings.RATHAUS_ALTCHA_MAX_NUMBER = 2000  # a quick proof of work for the test
    offer = make_offer(town_a, make_service(town_a))
    schedule = ReleaseSchedule.objects.create(
        municipality=town_a,
        name="Ausweis-Verlosung",
        at_time=timezone.localtime().time(),
        mode=ReleaseSchedule.Mode.LOTTERY,
    )
    schedule.resources.add(offer.resource)
    now = timezone.now()
    today = timezone.localdate()
    draw = Lottery.objects.create(
        municipality=town_a,
        schedule=schedule,
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(minutes=15),
        first_day=today + timedelta(days=7),
        last_day=today + timedelta(days=13),
    )
    page.goto("/termine/verlosung/")
    page.check_axe()
    tab_to(page, "Ausweis-Verlosung")
    press_enter_and_wait(page)
    tab_to_field(page, "id_service")
    page.keyboard.press("ArrowDown")  # the first (only) service
    tab_to_field(page, "id_days_0")
    page.keyboard.press("Space")
    tab_to_field(page, "id_time_of_day_0")  # a radio group: arrows choose within it
    page.keyboard.press("ArrowDown")
    tab_to_field(page, "id_name")
    page.keyboard.type("Erika Mustermann")
    page.keyboard.press("Tab")
    page.keyboard.type("erika@example.org")
    tab_to(page, "Weiter")
    press_enter_and_wait(page)
    assert "Bitte prüfen Sie Ihre Angaben" in page.content()
    page.wait_for_function(
        "document.querySelector('input[name=altcha]')"
        " && document.querySelector('input[name=altcha]').value.length > 0",
        timeout=20000,
    )
    page.check_axe()
    tab_to(page, "Teilnahme absenden")
    press_enter_and_wait(page)
    assert "Ihre Teilnahme ist eingegangen" in page.content()
    entry = LotteryEntry.objects.get(lottery=draw)
    assert entry.person_key == "erika@example.org" and entry.time_of_day == "morning"
    assert len(entry.days) == 1


def test_fair_release_pages_pass_axe(page, town_a):
    from rathaus.appointments.models import ReleaseRun
    from rathaus.core.models import Role

    from ..conftest import make_staff

    offer = make_offer(town_a, make_service(town_a))
    schedule = ReleaseSchedule.objects.create(
        municipality=town_a,
        name="Donnerstags 18 Uhr",
        weekday=3,
        at_time=timezone.localtime().time().replace(second=0, microsecond=0),
    )
    schedule.resources.add(offer.resource)
    ReleaseRun.objects.create(
        schedule=schedule,
        released_at=timezone.now(),
        first_day=timezone.localdate(),
        last_day=timezone.localdate(),
        units=90,
        places=180,
    )
    for path in (
        "/termine/verlosung/",
        f"/termine/leistung/{offer.service.slug}/warteliste/",
    ):
        assert page.goto(path).status == 200, path
        page.check_axe()
    make_staff(town_a, "termine@a.test", Role.APPOINTMENT_MANAGER)
    page.goto("/anmelden/?next=/termine/verwaltung/freigaben/")
    page.fill("#id_username", "termine@a.test")
    page.fill("#id_password", "geheim-123!")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Freigaben und Verlosungen" in page.content()
    assert "180" in page.content()
    page.check_axe()
