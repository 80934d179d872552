"""Browser: repeating group rows added and removed with and without JavaScript, and the
pick-up booking from the "ready" mail's link (issue 25; ADR 0027, 0029). 320 px, keyboard,
axe on every page that JavaScript can run on."""

import re
from datetime import time
from urllib.parse import urlparse

import pytest
from django.core import mail

from rathaus.applications import library, services
from rathaus.applications.models import Application, FormDefinition
from rathaus.appointments.models import BookingStatus
from rathaus.core.models import Location, OpeningHours
from tests.applications.conftest import make_service as make_application_service
from tests.appointments.conftest import make_offer
from tests.appointments.conftest import make_service as make_appointment_service
from tests.browser.keyboard import Keyboard

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 640}


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


def _to_dog_step(kb):
    kb.page.goto("/antraege/hund-anmelden/")
    kb.check_page()
    kb.type_into("#id_email", "gast@example.org")
    kb.submit("main button", "Als Gast beginnen")
    kb.type_into("#id_vorname", "Max")
    kb.type_into("#id_nachname", "Muster")
    kb.type_into("#id_geburtsdatum", "02011980")
    kb.submit("main button[name=continue]")
    kb.type_into("#id_strasse", "Lindenstraße 5")
    kb.type_into("#id_plz", "14999")
    kb.type_into("#id_ort", "Musterstadt")
    kb.submit("main button[name=continue]")


def _fill_row(kb, index, name):
    kb.type_into(f"#id_hunde-{index}-hund_name", name)
    kb.type_into(f"#id_hunde-{index}-rasse", "Beagle")
    kb.type_into(f"#id_hunde-{index}-wurfdatum", "01052020")
    kb.type_into(f"#id_hunde-{index}-haltung_seit", "01062020")
    kb.tab_to(f"#id_hunde-{index}-listenhund_0")
    kb.press("Space")
    kb.tab_to(f"#id_hunde-{index}-ermaessigung_0")
    kb.press("Space")


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_rows_are_added_and_removed_by_keyboard_with_javascript(phone, town_a):
    library.install(make_application_service(town_a, "hund-anmelden"))
    kb = Keyboard(phone)
    _to_dog_step(kb)
    _fill_row(kb, 0, "Bello")
    # htmx swaps only the group: no page load; focus goes to the new row's first input
    kb.tab_to("main button[name=gruppe_neu]")
    kb.press("Enter")
    phone.wait_for_selector("#id_hunde-1-hund_name")
    phone.wait_for_function("document.activeElement.id === 'id_hunde-1-hund_name'")
    assert "Hund 2 hinzugefügt." in phone.inner_text("#gruppe-hunde")
    assert phone.input_value("#id_hunde-0-hund_name") == "Bello"  # nothing typed is lost
    kb.check_page()
    _fill_row(kb, 1, "Luna")
    kb.tab_to("main button[name=gruppe_neu]")
    kb.press("Enter")
    phone.wait_for_selector("#id_hunde-2-hund_name")
    kb.tab_to("main button[name=gruppe_weg][value=hunde-2]")
    kb.press("Enter")
    phone.wait_for_selector("#id_hunde-2-hund_name", state="detached")
    assert "Hund 3 entfernt." in phone.inner_text("#gruppe-hunde")
    assert phone.locator("fieldset.group-row").count() == 2
    kb.check_page()
    kb.tab_to("#id_schon_hund_0")
    kb.press("Space")
    kb.submit("main button[name=continue]")
    if not phone.input_value("#id_email"):  # a guest's address is not prefilled
        kb.type_into("#id_email", "gast@example.org")
    kb.submit("main button[name=continue]")
    assert "Hund 2: Name des Hundes" in phone.inner_text("main")
    kb.submit("main button[type=submit]:not([name=back])")
    app = Application.objects.get()
    assert [d["hund_name"] for d in app.data["hunde"]] == ["Bello", "Luna"]


def test_rows_are_added_and_removed_without_javascript(_browser, live_server, town_a):
    library.install(make_application_service(town_a, "hund-anmelden"))
    context = _browser.new_context(
        base_url=live_server.url, locale="de-DE", java_script_enabled=False, viewport=PHONE
    )
    page = context.new_page()
    try:
        page.goto("/antraege/hund-anmelden/")
        page.fill("#id_email", "gast@example.org")
        page.click("main button:has-text('Als Gast beginnen')")
        page.fill("#id_vorname", "Max")
        page.fill("#id_nachname", "Muster")
        page.fill("#id_geburtsdatum", "1980-01-02")
        page.click("main button[name=continue]")
        page.fill("#id_strasse", "Lindenstraße 5")
        page.fill("#id_plz", "14999")
        page.fill("#id_ort", "Musterstadt")
        page.click("main button[name=continue]")
        page.fill("#id_hunde-0-hund_name", "Bello")
        with page.expect_navigation():  # a real form submission: the page is rendered anew
            page.click("main button[name=gruppe_neu]")
        assert page.locator("fieldset.group-row").count() == 2
        assert page.input_value("#id_hunde-0-hund_name") == "Bello"
        with page.expect_navigation():
            page.click("main button[name=gruppe_neu]")
        with page.expect_navigation():
            page.click("main button[name=gruppe_weg][value=hunde-0]")
        assert page.locator("fieldset.group-row").count() == 2
        assert page.input_value("#id_hunde-0-hund_name") == ""  # Bello's row is gone
        page.fill("#id_hunde-0-hund_name", "Luna")
        page.check("#id_schon_hund_0")
        with page.expect_navigation():
            page.click("main button[name=continue]")
        summary = page.inner_text(".error-summary")
        assert "Hund 1: Rasse fehlt." in summary and "Hund 2: Name des Hundes fehlt." in summary
    finally:
        context.close()


def test_pick_up_booked_from_the_mail_link_by_keyboard(phone, town_a, citizen):
    from tests.applications.conftest import Office

    office = Office.objects.create(municipality=town_a, slug="verkehr", name="Verkehrsamt")
    parking = make_application_service(town_a, "bewohnerparkausweis-beantragen", office=office)
    library.install(parking)
    service = make_appointment_service(town_a, "abholung", "Abholung von Dokumenten")
    location = Location.objects.for_municipality(town_a).first()
    Location.objects.filter(pk=location.pk).update(office=office)
    make_offer(town_a, service, location=location, slug="abholung", duration_units=1)
    OpeningHours.objects.create(
        location=location, kind=OpeningHours.Kind.WALK_IN, weekday=5, opens=time(9),
        closes=time(11),
    )  # fmt: skip
    FormDefinition.objects.filter(service=parking).update(pickup_service=service)
    form = FormDefinition.objects.get(service=parking)
    app = services.start_draft(form, user=citizen)
    steps = [s["key"] for s in form.schema["steps"]]
    app.data = {"vorname": "Erika", "nachname": "Mustermann", "_steps_done": steps}
    app.save()
    app, _ = services.submit(app, user=citizen)
    mail.outbox.clear()
    services.mark_ready_for_pickup(app)
    link = re.search(r"https?://\S+/antraege/abholung/\S+/", mail.outbox[-1].body).group(0)

    kb = Keyboard(phone)
    phone.goto(urlparse(link).path)
    kb.check_page()
    assert app.reference in phone.inner_text("main")
    assert "Abholen ohne Termin" in phone.inner_text("main")
    kb.tab_to("main input[name=beginn]")
    kb.press("Space")
    kb.submit("main button[type=submit]", "Abholtermin buchen")
    app.refresh_from_db()
    booking = app.pickup_booking
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.code in phone.inner_text("main")
    print(f"pick-up booking: {kb.tabs} Tab presses")
