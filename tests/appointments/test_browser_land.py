"""Issue 21 end to end in a browser: the Land operator, on the operator's host and
without any town host, onboards a town through the staff pages (town, location with
weekday hours), loads the Land's catalog template from its XZuFi file, adopts a
service of it for the town (by keyboard); the town's administrator makes it bookable
on her staff pages, and a citizen books an appointment on the new town's host.

The location gets its position from its address: the operator uploads the town's
address list (after the form said the address is not in it) and types no coordinates.

Nothing of the town comes from test helpers or the Django admin: the service is the
Land's text adopted through /land/vorlage/; the town's first administrator sets her
password from the invitation and makes the service bookable on the town's staff page
(/termine/verwaltung/angebote/), which takes the weekly windows from the location's
opening hours. Every page is checked at 320 px and with axe.
"""

import re

import pytest
from django.core import mail

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

    def fill_location() -> None:
        page.fill("#id_office_name", "Bürgerbüro")
        page.fill("#id_name", "Bürgerbüro am Markt")
        page.fill("#id_street", "Markt 1")
        page.fill("#id_postcode", "39104")
        page.fill("#id_city", "Neustadt")
        for day in range(5):
            page.fill(f"#id_open_from_{day}", "09:00")
            page.fill(f"#id_open_until_{day}", "12:00")
        page.fill("#id_walk_from_1", "14:00")
        page.fill("#id_walk_until_1", "18:00")

    # No coordinates typed: the position comes from the town's address list (ADR 0223),
    # which the town does not have yet: the form says so.
    fill_location()
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Diese Adresse steht nicht in der Adressliste der Kommune" in page.content()
    assert "Bitte korrigieren Sie Ihre Angaben" in page.content()
    page.check_axe()
    no_horizontal_scroll(page)
    # The operator uploads the town's address list and creates the location again.
    with page.expect_navigation():
        page.click("text=Adressliste der Kommune hochladen")
    assert "Die Liste enthält 0 Adressen" in page.content()
    page.check_axe()
    no_horizontal_scroll(page)
    addresses = (
        "street,house_number,postcode,latitude,longitude\n"
        "Markt,1,39104,52.131620,11.639280\n"
        "Markt,2,39104,52.131700,11.639500\n"
    )
    page.set_input_files(
        "#id_file",
        files=[{"name": "adressen.csv", "mimeType": "text/csv", "buffer": addresses.encode()}],
    )
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "2 Adressen sind in der Adressliste" in page.content()
    page.check_axe()
    no_horizontal_scroll(page)
    with page.expect_navigation():
        page.click("text=Zurück zu den Standorten")
    fill_location()
    assert page.input_value("#id_latitude") == ""
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Der Standort Bürgerbüro am Markt ist angelegt" in page.content()
    page.check_axe()
    no_horizontal_scroll(page)

    town = Municipality.objects.get(ags="15003000")
    location = Location.objects.get(municipality=town)
    assert location.opening_hours.count() == 6
    assert (str(location.latitude), str(location.longitude)) == ("52.131620", "11.639280")
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

    # The operator's edit pages of the town and its location (used later by operators).
    with page.expect_navigation():
        page.click("text=Name, Hostnamen, Absender und Logo ändern")
    assert "neustadt.localhost" in page.input_value("#id_hosts")
    page.check_axe()
    no_horizontal_scroll(page)
    page.goto(f"{land}/land/kommunen/{town.slug}/standorte/{location.pk}/")
    assert page.input_value("#id_open_from_0") == "09:00"
    page.check_axe()
    no_horizontal_scroll(page)

    # The town's first administrator sets her password from the invitation and logs in
    # on the town's own host.
    page.context.clear_cookies()
    link = re.search(r"https?://\S+", invitation.body).group(0)
    assert link.startswith(f"{town_url}/")
    page.goto(link)
    page.check_axe()
    no_horizontal_scroll(page)
    page.fill("#id_new_password1", "Neustadt-Chefin-2026!")
    page.fill("#id_new_password2", "Neustadt-Chefin-2026!")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto(f"{town_url}/anmelden/?next=/verwaltung/")
    page.fill("#id_username", "chefin@neustadt.test")
    page.fill("#id_password", "Neustadt-Chefin-2026!")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.startswith(f"{town_url}/verwaltung/")
    page.check_axe()
    no_horizontal_scroll(page)
    # Her own locations and weekday hours.
    with page.expect_navigation():
        page.click("text=Standorte und Öffnungszeiten")
    assert "Bürgerbüro am Markt" in page.content()
    page.check_axe()
    no_horizontal_scroll(page)
    # The town's address list, from her side (the same page as the operator's).
    with page.expect_navigation():
        page.click("main >> text=Adressliste der Kommune")
    assert "Die Liste enthält 2 Adressen" in page.content()
    page.check_axe()
    no_horizontal_scroll(page)

    # She makes the adopted service bookable at the location, by keyboard: the weekly
    # windows come from the location's opening hours.
    page.goto(f"{town_url}/verwaltung/")
    with page.expect_navigation():
        page.click("text=Terminverwaltung")
    with page.expect_navigation():
        page.click("text=Buchbare Leistungen")
    page.check_axe()
    no_horizontal_scroll(page)
    with page.expect_navigation():
        page.click("main >> text=Personalausweis beantragen")
    assert "Mo, Di, Mi, Do, Fr 09:00–12:00" in page.content()
    page.check_axe()
    no_horizontal_scroll(page)
    assert page.is_checked("#id_locations_0")  # the service's location, from the adoption
    keys = Keyboard(page)
    keys.tab_to("#id_duration_minutes")
    page.select_option("#id_duration_minutes", "20")
    keys.tab_to("#id_counters")
    page.keyboard.press("Control+a")
    page.keyboard.type("2")
    keys.tab_to("#id_lead_time_hours")
    page.keyboard.press("Control+a")
    page.keyboard.type("x")
    keys.submit(text="Online buchbar machen")
    assert "Bitte korrigieren Sie Ihre Angaben" in page.content()  # error summary
    page.check_axe()
    no_horizontal_scroll(page)
    page.fill("#id_lead_time_hours", "0")
    page.fill("#id_horizon_days", "21")
    keys.tab_to("#id_horizon_days")
    keys.submit(text="Online buchbar machen")
    assert "ist an 1 Standort(en) online buchbar" in page.content()
    page.check_axe()
    no_horizontal_scroll(page)
    offer = Offer.objects.get(municipality=town)
    assert offer.service == service and offer.resource.location == location
    assert offer.horizon_days == 21 and offer.lead_time_hours == 0
    assert list(Resource.objects.filter(municipality=town)) == [offer.resource]

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
