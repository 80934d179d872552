"""Two services in one appointment, by keyboard on a 320 px phone, axe on every page."""

import pytest

from rathaus.appointments.models import Booking, Offer
from tests.browser.keyboard import Keyboard

from .conftest import make_offer, make_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_services_in_one_appointment_by_keyboard_at_320_px(page, town_a):
    page.set_viewport_size({"width": 320, "height": 640})
    card = make_offer(town_a, make_service(town_a), lead_time_hours=24)
    move = make_service(town_a, slug="wohnsitz-anmelden", name="Wohnsitz anmelden")
    move.documents = ["Wohnungsgeberbestätigung"]
    move.save()
    Offer.objects.create(
        municipality=town_a,
        service=move,
        resource=card.resource,
        duration_units=1,
        lead_time_hours=24,
        horizon_days=14,
    )
    # A second place with the ID card only: it must disappear once both are chosen.
    make_offer(town_a, card.service, slug="nord", lead_time_hours=24)
    kb = Keyboard(page)
    page.goto("/termine/leistung/personalausweis-beantragen/")
    kb.check_page()
    assert page.locator("main a", has_text="Termine ansehen").count() == 2
    kb.tab_to("main input[type=checkbox]#dazu-wohnsitz-anmelden")
    kb.press("Space")
    kb.submit("main button[type=submit]", "Standorte für diese Anliegen zeigen")
    assert "Personalausweis beantragen + Wohnsitz anmelden" in page.inner_text("main")
    assert page.locator("main a", has_text="Termine ansehen").count() == 1
    kb.tab_to("main a", "Termine ansehen")
    with page.expect_navigation():
        kb.press("Enter")
    kb.check_page()
    assert "Personalausweis beantragen + Wohnsitz anmelden" in page.inner_text("main")
    kb.tab_to("main .time-list a")
    with page.expect_navigation():
        kb.press("Enter")
    kb.check_page()
    kb.type_into("#id_name", "Erika Mustermann")
    kb.type_into("#id_email", "erika@example.org")
    kb.submit()
    main = page.inner_text("main")
    assert "Bitte prüfen Sie Ihre Angaben" in main and "Wohnsitz anmelden" in main
    assert "Wohnungsgeberbestätigung" in main and "Biometrisches Passfoto" in main
    kb.submit("main button[data-once]")
    assert "Fast geschafft" in page.content()
    booking = Booking.objects.get()
    assert booking.units == 3 and [p.service for p in booking.parts.all()] == [move]
