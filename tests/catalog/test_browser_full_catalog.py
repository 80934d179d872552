"""The catalog pages with the whole demo catalog (300+ services, issue 15) on a 320 px phone:
no sideways scrolling (WCAG 1.4.10 Reflow) and no axe violations on the start page, the service
list, every topic page, a long search result and the OZG dashboard, which lists every service."""

import pytest

from rathaus.catalog import demo as catalog_demo
from rathaus.catalog.models import Service, Topic
from rathaus.core import demo as core_demo

from ..browser.keyboard import NO_SIDEWAYS_SCROLL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def full_catalog(db):
    town = core_demo.load()
    catalog_demo.load(town)
    return town


def test_catalog_pages_with_the_full_demo_catalog_at_320px(page, full_catalog):
    assert Service.objects.for_municipality(full_catalog).count() >= 300
    topics = list(Topic.objects.order_by("slug").values_list("slug", flat=True))
    assert len(topics) == 14
    paths = [
        "/",
        "/leistungen/",
        *[f"/themen/{slug}/" for slug in topics],
        "/suche/?q=beantragen",
        "/ozg-dashboard/",
    ]
    page.set_viewport_size({"width": 320, "height": 640})
    problems = []
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state()
        if not page.evaluate(NO_SIDEWAYS_SCROLL):
            width = page.evaluate("document.documentElement.scrollWidth")
            problems.append(f"{path}: {width} px wide")
        page.check_axe()
    assert not problems, "\n".join(problems)
    # Every topic page lists its services, the new ones included.
    page.goto("/themen/forschung-foerderung/")
    assert page.get_by_role("link", name="Förderung für den Heizungstausch beantragen").count() == 1
