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


@pytest.mark.parametrize("width", [1280, 320])
def test_code_pages_axe_clean_fit_and_vote_by_keyboard(page, town_a, width):
    from decimal import Decimal

    from rathaus.participation.budget import vote_codes
    from rathaus.participation.budget.models import BudgetRound

    budget_round = BudgetRound.objects.create(
        municipality=town_a, slug="2027", title="Bürgerhaushalt 2027", phase="proposals"
    )
    proposal = services.submit_proposal(
        budget_round, author=None, title="Bänke", description="Bänke", category="", district="M"
    )
    services.set_phase(budget_round, phase="review", actor=None)
    services.review(proposal, actor=None, feasible=True, note="geht", cost=Decimal(100))
    services.set_phase(budget_round, phase="voting", actor=None)
    code = vote_codes.generate_letter_codes(budget_round, count=1, actor=None)[0]
    page.set_viewport_size({"width": width, "height": 900})
    for path in (
        "/beteiligung/buergerhaushalt/2027/",
        "/beteiligung/buergerhaushalt/2027/code/anfordern/",
    ):
        page.goto(path)
        page.check_axe()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    page.goto("/beteiligung/buergerhaushalt/2027/code/")
    page.focus("#id_code")
    page.keyboard.type(code)
    page.keyboard.press("Tab")
    page.keyboard.type("3")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Ihre Stimme ist gezählt" in page.inner_text("main")
    page.check_axe()


@pytest.mark.parametrize("width", [1280, 320])
def test_area_alert_form_axe_clean_fits_and_by_keyboard(page, town_a, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/beteiligung/maengel/benachrichtigung/")
    page.check_axe()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.focus("#id_email")
    page.keyboard.type("anna@example.org")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # no area yet: the error summary says so
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert "Wählen Sie ein Gebiet oder eine Straße." in page.inner_text(".error-summary")
    page.check_axe()
    page.focus("#id_street")
    page.keyboard.type("Lindenallee")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Bitte bestätigen Sie Ihre Adresse" in page.inner_text("main")
    page.check_axe()
