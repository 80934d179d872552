"""Issue 21 end to end in a browser: the Land operator, on the operator's host and
without any town host, onboards a town through the staff pages (town, location with
weekday hours), loads the Land's catalog template from its XZuFi file, adopts a
service of it for the town (by keyboard), sets up the bookable offer in the town's
back office, and a citizen books an appointment on the new town's host.

Nothing of the town comes from test helpers: the service is the Land's text adopted
through /land/vorlage/, the counter, its weekly rule and the offer are created in the
appointment back office (the Django admin) on the town's host. The project's own
pages are checked at 320 px and with axe.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from rathaus.appointments.models import Booking, Offer, Resource
from rathaus.catalog import demo, taxonomy
from rathaus.catalog.models import LandService, LifeSituation, Service, Topic
from rathaus.core.models import Location, Municipality, User
from tests.browser.keyboard import Keyboard

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
    # The national taxonomy comes with the migrations; transactional tests flush it.
    taxonomy.sync_taxonomy(Topic, LifeSituation)

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

    # The Land's catalog template: its demo set, uploaded through the import page.
    with page.expect_navigation():
        page.click("nav >> text=Vorlage des Landes")
    assert "noch keine Leistungstexte" in page.content()
    page.check_axe()
    no_horizontal_scroll(page)
    page.select_option("#id_land", "ST")
    page.set_input_files("#id_file", str(demo.LAND_DIR / "sachsen-anhalt.json"))
    with page.expect_navigation():
        page.click("main button:has-text('Datei übernehmen')")
    assert "10 Leistungstexte für Sachsen-Anhalt gespeichert" in page.content()
    page.check_axe()
    no_horizontal_scroll(page)

    # Adopt one service of it for Neustadt, with its office and location, by keyboard.
    with page.expect_navigation():
        page.click("text=Neustadt: Leistungen übernehmen")
    page.check_axe()
    no_horizontal_scroll(page)
    keys = Keyboard(page)
    keys.tab_to("#id_office")
    keys.press("ArrowDown")  # the only office, below "---------"
    keys.tab_to("#id_locations_0")
    keys.press("Space")
    keys.tab_to("#id_scope_0")
    keys.press("ArrowDown")
    keys.press("ArrowDown")  # "einzelne Leistungen"
    ausweis = LandService.objects.get(land="ST", slug="personalausweis-beantragen")
    keys.tab_to(f"#id_services_{ausweis.pk}")
    keys.press("Space")
    keys.submit(text="Leistungen übernehmen")
    assert "Neustadt: 1 Leistungen neu übernommen" in page.content()
    service = Service.objects.get(municipality=town)
    assert service.land_service == ausweis and service.summary == ausweis.summary
    assert list(service.locations.all()) == [location]
    page.goto(f"{land}/land/kommunen/{town.slug}/")
    assert "Die Kommune hat 1 Leistung." in page.content()

    # The town's back office on its own host: a counter, its weekly rule, the offer.
    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(f"{town_url}/anmelden/")
    page.fill("#id_username", "betrieb@land.test")
    page.fill("#id_password", "betrieb-123!")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto(f"{town_url}/verwaltung/admin/appointments/resource/add/")
    page.select_option("#id_location", str(location.pk))
    page.fill("#id_slug", "schalter")
    page.fill("#id_name", "Schalter")
    with page.expect_navigation():
        page.click("input[name=_save]")
    counter = Resource.objects.get(municipality=town, slug="schalter")
    page.goto(f"{town_url}/verwaltung/admin/appointments/availabilityrule/add/")
    page.select_option("#id_resource", str(counter.pk))
    page.fill("#id_weekdays", "[0, 1, 2, 3, 4]")
    page.fill("#id_start_time", "09:00")
    page.fill("#id_end_time", "12:00")
    page.fill("#id_counters", "2")
    page.fill("#id_valid_from", (timezone.localdate() - timedelta(days=1)).isoformat())
    with page.expect_navigation():
        page.click("input[name=_save]")
    page.goto(f"{town_url}/verwaltung/admin/appointments/offer/add/")
    page.select_option("#id_service", str(service.pk))
    page.select_option("#id_resource", str(counter.pk))
    page.fill("#id_duration_units", "2")
    page.fill("#id_lead_time_hours", "0")
    page.fill("#id_horizon_days", "21")
    with page.expect_navigation():
        page.click("input[name=_save]")
    offer = Offer.objects.get(municipality=town)
    assert offer.service == service and offer.resource.location == location

    # A citizen books on the new town's host.
    page.context.clear_cookies()
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
