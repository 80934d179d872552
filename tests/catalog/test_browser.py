"""Catalog pages in a real Chromium: axe-clean, and the search flow by keyboard alone."""

import pytest

from rathaus.catalog.demo import load_services
from rathaus.catalog.models import LifeSituation, Topic
from rathaus.catalog.taxonomy import sync_taxonomy

from .conftest import SERVICES_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_catalog(town_a):
    # Transactional tests flush the database, so the taxonomy migration's rows are gone.
    sync_taxonomy(Topic, LifeSituation)
    load_services(town_a, SERVICES_A)
    return town_a


PAGES = [
    "/",
    "/leistungen/",
    "/leistungen/?amt=a-buergerbuero",
    "/themen/querschnitt/",
    "/themen/forschung-foerderung/",
    "/lebenslagen/umzug/",
    "/leistungen/personalausweis-beantragen/",
    "/leistungen/hund-anmelden/",
    "/suche/?q=Hundesteuer",
    "/suche/?q=Personalausweiss",
    "/suche/?q=Raumfahrt+Mondlandung",
    "/ozg-dashboard/",
]


@pytest.mark.parametrize("path", PAGES)
def test_catalog_page_has_no_axe_violations(page, live_catalog, path):
    page.goto(path)
    page.check_axe()


def test_english_service_page_is_axe_clean(page, live_catalog):
    page.goto("/leistungen/hund-anmelden/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Register a dog (dog tax)"
    page.check_axe()


def test_keyboard_only_search_flow(page, live_catalog):
    page.goto("/")
    # Tab from the top of the page to the search field, type, submit with Enter.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "q":
            break
    else:
        pytest.fail("search field not reachable by keyboard")
    page.keyboard.type("Hundesteuer")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/suche/alles/?q=Hundesteuer" in page.url  # the start page searches everything
    page.check_axe()
    # Tab to the first result and open it with Enter.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == (
            "/leistungen/hund-anmelden/"
        ):
            break
    else:
        pytest.fail("first result not reachable by keyboard")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Hund anmelden (Hundesteuer)"
    page.check_axe()


def test_search_page_updates_results_while_typing(page, live_catalog):
    page.goto("/suche/")
    page.get_by_label("Was möchten Sie erledigen?").fill("Sperrmüll")
    page.wait_for_url("**/suche/?q=Sperrm*")
    assert page.locator(".search-results a").first.inner_text() == "Sperrmüll anmelden"
    page.check_axe()
