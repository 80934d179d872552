"""The Land template's operator pages in a browser (ADR 0212): the edit page of a Land
text with its follower counts, the import page with a broken file, the adoption
form with an error summary; 320 px, axe, keyboard."""

import io
import json

import pytest
from django.core.management import call_command

from rathaus.catalog import demo, taxonomy
from rathaus.catalog.models import LandService, LifeSituation, Topic
from rathaus.core.models import User
from tests.browser.keyboard import NO_SIDEWAYS_SCROLL, Keyboard
from tests.conftest import make_municipality, make_office_with_location

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_land_pages_at_320_px_by_keyboard(page, live_server, settings, tmp_path):
    settings.RATHAUS_OPERATOR_HOSTS = ["land.localhost"]
    land = f"http://land.localhost:{live_server.url.rsplit(':', 1)[1]}"
    taxonomy.sync_taxonomy(Topic, LifeSituation)
    call_command(
        "land_catalog", "import", str(demo.LAND_DIR / "sachsen-anhalt.json"), stdout=io.StringIO()
    )
    town = make_municipality("stadt-b", "Beispielstadt-B", "15099902", "b.test", land="ST")
    make_office_with_location(town, "b")
    User.objects.create_superuser("betrieb@land.test", "betrieb-123!")

    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{land}/land/vorlage/")
    page.fill("#id_username", "betrieb@land.test")
    page.fill("#id_password", "betrieb-123!")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto(f"{land}/land/vorlage/?land=ST")
    keys = Keyboard(page)
    keys.check_page()

    # Edit a Land text by keyboard: the summary, then save.
    with page.expect_navigation():
        page.click("text=Hund anmelden")
    keys.check_page()
    keys.tab_to("#id_summary")
    page.keyboard.press("Control+End")
    page.keyboard.type(" Neu ab 2027.")
    keys.submit(text="Text des Landes speichern")
    assert "0 Felder in Kommunen nachgeführt" in page.content()
    assert LandService.objects.get(slug="hund-anmelden").summary.endswith("Neu ab 2027.")

    # An empty summary: the error summary, focus on it, nothing saved.
    page.fill("#id_summary", "")
    keys.submit(text="Text des Landes speichern")
    assert "Bitte korrigieren Sie Ihre Angaben" in page.content()
    assert LandService.objects.get(slug="hund-anmelden").summary.endswith("Neu ab 2027.")

    # A broken file: its problems listed, nothing saved.
    broken = tmp_path / "kaputt.json"
    broken.write_text(json.dumps({"leistungen": [{"id": "x", "themenfeld": "nein"}]}), "utf-8")
    page.goto(f"{land}/land/vorlage/")
    page.set_input_files("#id_file", str(broken))
    with page.expect_navigation():
        page.click("main button:has-text('Datei übernehmen')")
    assert "Fehler in der Datei" in page.content() and "Unbekanntes Themenfeld" in page.content()
    keys.check_page()

    # The adoption form without a choice of services: error summary linked to the field.
    page.goto(f"{land}/land/vorlage/kommunen/{town.slug}/")
    keys.check_page()
    page.select_option("#id_office", index=1)
    page.check("#id_scope_1")  # one Themenfeld, none chosen
    keys.submit(text="Leistungen übernehmen")
    assert "Bitte ein Themenfeld wählen" in page.content()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
