"""A citizen books, confirms from the e-mail and cancels: keyboard only, axe on every page."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail

from rathaus.appointments.models import Booking, BookingStatus

from .conftest import make_offer, make_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, text: str, limit: int = 80) -> None:
    """Press Tab until the focused element's text or value contains ``text``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(document.activeElement.innerText || document.activeElement.value || '').trim()"
        )
        if text in focused:
            return
    raise AssertionError(f"could not reach {text!r} by keyboard")


def press_enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.check_axe()


def test_book_confirm_cancel_by_keyboard(page, town_a):
    offer = make_offer(town_a, make_service(town_a), lead_time_hours=24)
    page.goto("/termine/")
    page.check_axe()
    tab_to(page, "Personalausweis beantragen")
    press_enter_and_wait(page)
    tab_to(page, "Termine ansehen")
    press_enter_and_wait(page)
    # Choose a later day: htmx swaps only the times (and the page still passes axe).
    tab_to(page, "freie Zeiten")
    tab_to(page, "freie Zeiten")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"tag="))
    chosen = page.evaluate("document.activeElement.textContent")
    current = page.locator(".day-list__day[aria-current='date']")
    page.wait_for_function("document.querySelector('.day-list__day[aria-current=date]') !== null")
    assert current.inner_text().split()[1] in chosen  # the focused day is now the current one
    page.check_axe()
    tab_to(page, "09:00")
    press_enter_and_wait(page)
    tab_to_field(page, "id_name")
    page.keyboard.type("Erika Mustermann")
    page.keyboard.press("Tab")
    page.keyboard.type("erika@example.org")
    tab_to(page, "Weiter")
    press_enter_and_wait(page)
    assert "Bitte prüfen Sie Ihre Angaben" in page.content()
    tab_to(page, "Termin reservieren")
    press_enter_and_wait(page)
    assert "Fast geschafft" in page.content()

    confirm_link = re.search(r"https?://\S+/termine/bestaetigen/\S+", mail.outbox[-1].body).group(0)
    page.goto(urlparse(confirm_link).path)
    page.check_axe()
    tab_to(page, "Termin verbindlich bestätigen")
    press_enter_and_wait(page)
    booking = Booking.objects.get(offer=offer)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.code in page.content()

    tab_to(page, "Termin absagen")
    press_enter_and_wait(page)
    tab_to(page, "Ja, Termin absagen")
    press_enter_and_wait(page)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert "storniert" in page.content()


def tab_to_field(page, element_id: str, limit: int = 80) -> None:
    for _ in range(limit):
        if page.evaluate("document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach #{element_id} by keyboard")


def test_staff_pages_pass_axe(page, town_a, day):
    from rathaus.appointments import services
    from rathaus.core.models import Role

    from ..conftest import make_staff
    from .conftest import at

    offer = make_offer(town_a, make_service(town_a), lead_time_hours=0)
    make_staff(town_a, "termine@a.test", Role.APPOINTMENT_MANAGER)
    booking = services.hold(offer, at(day, 9), name="Anna Beispiel", email="a@example.org")
    services.confirm(booking)
    page.goto("/anmelden/?next=/termine/verwaltung/")
    page.fill("#id_username", "termine@a.test")
    page.fill("#id_password", "geheim-123!")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for path in (
        "/termine/verwaltung/",
        f"/termine/verwaltung/schalter/tag/?datum={day}",
        f"/termine/verwaltung/schalter/woche/?datum={day}",
        "/termine/verwaltung/suche/?q=Anna",
        f"/termine/verwaltung/termin/{booking.code}/",
        "/termine/verwaltung/schalter/sperren/",
        "/termine/verwaltung/schalter/zusaetzlich/",
        f"/termine/verwaltung/buchen/?angebot={offer.pk}&tag={day}",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        page.check_axe()
    assert "Anna Beispiel" in page.goto(f"/termine/verwaltung/schalter/tag/?datum={day}").text()
