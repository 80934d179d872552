"""Editing a town after onboarding (issue 21, ADR 0220) at 320 px: the operator's town
and location pages and the town administrator's location page, with their error
summaries, axe clean, no sideways scrolling, submitted by keyboard."""

import pytest

from rathaus.core.models import Location, OpeningHours, Role, User
from rathaus.participation.reports.geocoding import import_addresses
from tests.browser.keyboard import Keyboard
from tests.conftest import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The fixture's location has no typed position: saving it takes the one of its address
# from the town's address list (ADR 0223).
ADDRESSES = "street,house_number,postcode,latitude,longitude\nMarktplatz,1,14999,52.4,13.05\n"


def submit_far(page, keys, text):
    """Tab to the form's button past the 28 time fields of the weekday form, press Enter."""
    keys.tab_to("main button[type=submit]", text, limit=200)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    keys.check_page()


def test_operator_edits_town_and_location_at_320px(page, live_server, settings, town_a, town_b):
    settings.RATHAUS_OPERATOR_HOSTS = ["land.localhost"]
    port = live_server.url.rsplit(":", 1)[1]
    land = f"http://land.localhost:{port}"
    User.objects.create_superuser("betrieb@land.test", "betrieb-123!")
    import_addresses(town_a, ADDRESSES)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{land}/anmelden/?next=/land/kommunen/{town_a.slug}/bearbeiten/")
    page.fill("#id_username", "betrieb@land.test")
    page.fill("#id_password", "betrieb-123!")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/bearbeiten/")
    keys = Keyboard(page)
    keys.check_page()
    keys.tab_to("#id_hosts")
    page.keyboard.press("Control+a")
    page.keyboard.type("b.test")  # town B's host
    keys.submit(text="Speichern")
    assert "Bitte korrigieren Sie Ihre Angaben" in page.content()
    assert "gehört schon einer Kommune" in page.content()
    page.fill("#id_hosts", "neu.a.test\nlocalhost")
    keys.tab_to("#id_hosts")
    keys.submit(text="Speichern")
    assert "Die Angaben der Kommune sind gespeichert" in page.content()

    location = Location.objects.get(municipality=town_a)
    page.goto(f"{land}/land/kommunen/{town_a.slug}/standorte/{location.pk}/")
    keys.check_page()
    page.fill("#id_open_until_0", "07:00")  # before "von" (08:00)
    keys.tab_to("#id_open_until_0")
    submit_far(page, keys, "Standort speichern")
    assert "„bis“ muss nach „von“ liegen" in page.content()
    page.fill("#id_open_until_0", "12:00")
    keys.tab_to("#id_open_until_0")
    submit_far(page, keys, "Standort speichern")
    assert "Der Standort ist gespeichert" in page.content()
    assert OpeningHours.objects.get(location=location, weekday=0, kind="open").closes.hour == 12
    keys.tab_to("#id_first", limit=200)
    submit_far(page, keys, "Standort schließen")  # no dates: the summary names both fields
    assert "Bitte korrigieren Sie Ihre Angaben" in page.content()


def test_town_administrator_edits_own_location_at_320px(page, town_a):
    make_staff(town_a, "admin@a.test", Role.ADMINISTRATOR)
    import_addresses(town_a, ADDRESSES)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/anmelden/?next=/verwaltung/standorte/")
    page.fill("#id_username", "admin@a.test")
    page.fill("#id_password", "geheim-123!")
    with page.expect_navigation():
        page.press("#id_password", "Enter")
    keys = Keyboard(page)
    keys.check_page()
    location = Location.objects.get(municipality=town_a)
    with page.expect_navigation():
        page.click(f"a[href='/verwaltung/standorte/{location.pk}/']")
    keys.check_page()
    keys.tab_to("#id_postcode")
    page.keyboard.press("Control+a")
    page.keyboard.type("1²345")
    submit_far(page, keys, "Standort speichern")
    assert "Die Postleitzahl hat 5 Ziffern" in page.content()
    page.fill("#id_postcode", "14467")
    keys.tab_to("#id_postcode")
    submit_far(page, keys, "Standort speichern")
    saved = Location.objects.get(pk=location.pk)
    assert saved.postcode == "14467" and str(saved.latitude) == "52.400000"
    with page.expect_navigation():
        page.click("text=Zurück zur Übersicht")
    with page.expect_navigation():
        page.click(f"a[href='/verwaltung/aemter/{location.office_id}/']")
    keys.check_page()
