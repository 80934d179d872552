"""The budget proposal's way (issue 18) in Chromium: axe-clean, 320 px, keyboard."""

import pytest

from rathaus.council import services as council
from rathaus.participation.budget import services
from rathaus.participation.budget.services_council import create_proposal_paper

from .test_follow_through import council_decides, voted  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 320])
def test_proposal_way_is_axe_clean_fits_and_links_by_keyboard(page, voted, town_a, width):  # noqa: F811
    paper = services.create_council_paper(voted, actor=None)
    item = council_decides(town_a, paper)
    council.update_task(item.tasks.get(), status="in_progress", report="Ausschreibung läuft")
    create_proposal_paper(voted.made[0], actor=None)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/beteiligung/buergerhaushalt/{voted.slug}/1/")
    assert "Der Weg des Vorschlags" in page.inner_text("main")
    page.check_axe()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="Stand in der Beschlussverfolgung").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Ausschreibung läuft" in page.inner_text("main")
