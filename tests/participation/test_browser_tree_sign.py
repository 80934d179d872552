"""Tree page's week and the printable sign (issue 18) in Chromium: axe, 320 px, keyboard."""

from decimal import Decimal

import pytest
from django.utils import timezone

from rathaus.participation.trees import services
from rathaus.participation.trees.models import Tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 320])
def test_tree_week_and_sign_axe_clean_fit_and_by_keyboard(page, town_a, width):
    tree = Tree.objects.create(
        municipality=town_a,
        external_id="A-0001",
        species="Spitz-Ahorn",
        planting_year=timezone.localdate().year - 6,
        street="Lindenstraße",
        latitude=Decimal("52.4"),
        longitude=Decimal("13.06"),
    )
    services.add_watering(tree, litres=15, day=timezone.localdate(), name="Gießfreundin")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/beteiligung/baeume/{tree.pk}/")
    assert "Gießfreundin" in page.inner_text("main")
    page.check_axe()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="Schild mit QR-Code für diesen Baum drucken").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Gieß mich!" in page.inner_text("main")
    page.check_axe()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1280, 320])
def test_street_group_axe_clean_fits_and_join_by_keyboard(page, town_a, width):
    from rathaus.core.models import User

    Tree.objects.create(
        municipality=town_a,
        external_id="A-0002",
        planting_year=timezone.localdate().year - 6,
        street="Lindenstraße",
        latitude=Decimal("52.4"),
        longitude=Decimal("13.06"),
    )
    User.objects.create_user("nachbar@example.org", "geheim-123!")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/beteiligung/baeume/summen/")
    page.check_axe()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="Lindenstraße").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Gießgruppe Lindenstraße" in page.inner_text("h1")
    page.check_axe()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.goto("/anmelden/?next=/beteiligung/baeume/strasse/Lindenstra%C3%9Fe/")
    page.fill("#id_username", "nachbar@example.org")
    page.fill("#id_password", "geheim-123!")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.focus("#id_name")
    page.keyboard.type("Gießkanne")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Gießkanne" in page.inner_text("main")
    page.check_axe()
