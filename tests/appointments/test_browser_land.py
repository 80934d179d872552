"""Issue 21 end to end in a browser: the Land operator, on the operator's host and
without any town host, onboards a town through the staff pages (town, location with
weekday hours), and a citizen books an appointment on the new town's host.

The town's service and its bookable offer are set up with the appointments test
helpers (the Land catalog template of ADR 0211 is not built yet); everything the
operator does goes through the pages, at 320 px and with axe on every page.
"""

import re

import pytest
from django.core import mail

from rathaus.appointments.models import Booking
from rathaus.core.models import Location, Municipality, User

from .conftest import make_offer, make_service

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{page.url} is {width}px wide"


def test_operator_onboards_a_town_and_a_citizen_books_there(page, live_server, settings):
    settings.RATHAUS_OPERATOR_HOSTS = ["land.localhost"]
    port = live_server.url.rsplit(":", 1)[1]
    land = f"http://land.localhost:{port}"
    town_url = f"http://neustadt.localhost:{port}"
    User.objects.create_superuser("betrieb@land.test", "betrieb-123!")
    assert not Municipality.objects.exists()  # a fresh installation

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{land}/")
    assert "/anmelden/" in page.url
    page.check_axe()
    page.fill("#id_username", "betrieb@land.test")
    page.fill("#id_password", "betrieb-123!")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url == f"{land}/land/"
    page.check_axe()
    no_horizontal_scroll(page)

    page.click("text=Kommune anlegen >> nth=0")
    page.check_axe()
    no_horizontal_scroll(page)
    page.fill("#id_name", "Neustadt")
    page.fill("#id_ags", "15003000")
    page.fill("#id_hosts", "neustadt.localhost")
    page.fill("#id_base_url", town_url)
    page.fill("#id_mail_sender", "rathaus@neustadt.test")
    page.fill("#id_admin_email", "chefin@neustadt.test")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Einladung an chefin@neustadt.test" in page.content()
    page.check_axe()
    no_horizontal_scroll(page)

    page.fill("#id_office_name", "Bürgerbüro")
    page.fill("#id_name", "Bürgerbüro am Markt")
    page.fill("#id_street", "Markt 1")
    page.fill("#id_postcode", "39104")
    page.fill("#id_city", "Neustadt")
    page.fill("#id_latitude", "52.131620")
    page.fill("#id_longitude", "11.639280")
    for day in range(5):
        page.fill(f"#id_open_from_{day}", "09:00")
        page.fill(f"#id_open_until_{day}", "12:00")
    page.fill("#id_walk_from_1", "14:00")
    page.fill("#id_walk_until_1", "18:00")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Der Standort Bürgerbüro am Markt ist angelegt" in page.content()
    page.check_axe()
    no_horizontal_scroll(page)

    town = Municipality.objects.get(ags="15003000")
    location = Location.objects.get(municipality=town)
    assert location.opening_hours.count() == 6
    invitation = mail.outbox[-1]
    assert invitation.to == ["chefin@neustadt.test"] and town_url in invitation.body

    # The overview shows the new town with its host.
    page.goto(f"{land}/land/")
    assert "neustadt.localhost" in page.content()
    page.check_axe()
    no_horizontal_scroll(page)

    # The town's bookable service (catalog and appointments setup).
    make_offer(town, make_service(town), location=location)

    # A citizen books on the new town's host.
    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(f"{town_url}/termine/")
    assert "Neustadt" in page.content()
    with page.expect_navigation():
        page.click("text=Personalausweis beantragen")
    with page.expect_navigation():
        page.click("text=Termine ansehen")
    with page.expect_navigation():
        page.locator("a, button").filter(has_text=re.compile(r"^\s*09:00")).first.click()
    page.fill("#id_name", "Erika Mustermann")
    page.fill("#id_email", "erika@example.org")
    with page.expect_navigation():
        page.click("text=Weiter")
    with page.expect_navigation():
        page.click("text=Termin reservieren")
    assert "Fast geschafft" in page.content()
    page.check_axe()
    booking = Booking.objects.get()
    assert booking.municipality == town and booking.offer.resource.location == location
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["erika@example.org"]
    assert f"{town_url}/termine/bestaetigen/" in confirmation.body
