"""No page talks to another server before the citizen asks (TTDSG § 25, DSGVO Art. 25).

Every request of the browser is routed through the test: requests to another origin
are recorded and aborted (no network). Map tiles from the default tile server must
appear only after "Karte anzeigen".
"""

from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/leistungen/",
    "/aemter/",
    "/termine/",
    "/antraege/",
    "/rat/",
    "/beteiligung/",
    "/beteiligung/maengel/",
    "/beteiligung/maengel/melden/",
    "/beteiligung/baeume/",
    "/assistent/",
    "/datenschutz/",
    "/anmelden/",
]


def _record_foreign_requests(page, live_server):
    own = urlsplit(live_server.url).netloc
    foreign: list[str] = []

    def handle(route):
        url = route.request.url
        if urlsplit(url).netloc in ("", own) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            foreign.append(url)
            route.abort()

    page.route("**/*", handle)
    return foreign


def test_no_page_requests_another_origin_on_its_own(page, live_server, town_a, settings):
    assert "openstreetmap" in settings.PARTICIPATION_MAP_TILE_URL  # the default: not the town's
    foreign = _record_foreign_requests(page, live_server)
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
    assert foreign == []


def test_map_tiles_load_only_after_the_citizen_asks(page, live_server, town_a):
    foreign = _record_foreign_requests(page, live_server)
    page.goto("/beteiligung/maengel/")
    page.wait_for_load_state("networkidle")
    assert foreign == []
    show = page.get_by_role("button", name="Karte anzeigen")
    assert "tile.openstreetmap.org" in page.text_content("[data-map-ask]")
    page.check_axe()
    show.click()
    page.wait_for_load_state("networkidle")
    assert foreign and all("tile.openstreetmap.org" in url for url in foreign)
    assert page.locator("[data-map-ask]").count() == 0
