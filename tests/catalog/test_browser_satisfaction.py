"""The satisfaction question and its staff figures in Chromium: axe-clean, by keyboard alone,
at 320 px (ADR 0018)."""

import pytest

from rathaus.appointments import services as booking_services
from rathaus.appointments import tokens
from rathaus.catalog import satisfaction
from rathaus.catalog import services as catalog_services
from rathaus.catalog.models import SatisfactionAnswer, SatisfactionChannel
from tests.appointments.conftest import at, make_offer, make_service, next_weekday
from tests.browser.keyboard import NO_SIDEWAYS_SCROLL, Keyboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _booking_page(town):
    from django.utils import timezone

    service = make_service(town)
    offer = make_offer(town, service)
    booking = booking_services.hold(
        offer, at(next_weekday(timezone.localdate()), 9), name="E", email="e@example.org"
    )
    booking_services.confirm(booking)
    return service, f"/termine/t/{tokens.manage_token(booking)}/"


def test_question_on_the_booking_page_answered_by_keyboard_at_320_px(page, town_a):
    service, path = _booking_page(town_a)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(path)
    keys = Keyboard(page)
    keys.check_page()
    # an empty answer is asked again with a message, still axe-clean
    keys.submit("button[type=submit]", "Antwort senden")
    assert page.locator("#satisfaction-error").is_visible()
    keys.tab_to("input[name=easy]")
    keys.press("Space")  # the first choice: "ja, einfach"
    keys.tab_to("input[name=time_saved]")
    keys.press("ArrowRight")  # radio group: arrow moves to "nein" and selects it
    keys.type_into("textarea[name=hard]", "Die Uhrzeit war schwer zu finden.")
    keys.submit("button[type=submit]", "Antwort senden")
    assert page.get_by_role("heading", level=1).inner_text() == "Danke für Ihre Antwort"
    answer = SatisfactionAnswer.objects.get()
    assert (answer.service_id, answer.easy, answer.time_saved) == (service.pk, "yes", "no")
    assert answer.hard == "Die Uhrzeit war schwer zu finden."
    page.goto(path)
    assert "Ihre Antwort ist angekommen" in page.content()
    page.check_axe()


def test_staff_figures_page_at_320_px(page, town_a, editor_a):
    service = make_service(town_a)
    for n in range(3):
        token = satisfaction.ticket(service, SatisfactionChannel.APPLICATION, str(n))
        catalog_services.record_satisfaction(
            town_a, token, easy="no", time_saved="unsure", hard="Sehr langes Wort " + "x" * 120
        )
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/anmelden/?next=/verwaltung/zufriedenheit/")
    page.fill("#id_username", "editor@a.test")
    page.fill("#id_password", "geheim-123!")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Zufriedenheit je Leistung"
    page.locator("summary").first.focus()
    page.keyboard.press("Enter")  # open "Was war schwierig?" by keyboard
    assert page.get_by_text("Sehr langes Wort", exact=False).first.is_visible()
    page.check_axe()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "sideways scrolling on the staff figures"
    keys = Keyboard(page)
    keys.tab_to("select#monate")
    keys.submit("button[type=submit]", "Anzeigen")


def test_question_page_from_a_link_and_the_invalid_link_page_at_320_px(page, town_a):
    service = make_service(town_a)
    token = satisfaction.ticket(service, SatisfactionChannel.CASE, "case-1")
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"/zufriedenheit/?t={token}")
    keys = Keyboard(page)
    keys.check_page()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Ihre Meinung")
    keys.tab_to("input[name=easy]")
    keys.press("ArrowDown")  # "teils"
    keys.submit("button[type=submit]", "Antwort senden")
    assert SatisfactionAnswer.objects.get().easy == "partly"
    response = page.goto("/zufriedenheit/?t=kaputt")
    assert response.status == 400
    keys.check_page()
