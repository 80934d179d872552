"""The neighbourhood subscription's public pages (issue 18) in Chromium: axe clean,
320 px without horizontal scroll, keyboard only, error summary first."""

import pytest
from django.core import mail

from rathaus.participation.neighbourhood.models import NeighbourhoodSubscription
from rathaus.participation.reports.geocoding import import_addresses

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESSES = """street,house_number,postcode,latitude,longitude
Lindenallee,1,14467,52.400000,13.060000
Lindenallee,5,14467,52.400400,13.060800
"""


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1280, 320])
def test_subscribe_confirm_manage_cancel_by_keyboard(page, town_a, width):
    import_addresses(town_a, ADDRESSES)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/beteiligung/")
    page.get_by_role("link", name="Nachbarschafts-Abo").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Nachbarschafts-Abo" in page.inner_text("h1")
    page.check_axe()
    assert fits(page)

    page.focus("#id_email")
    page.keyboard.type("anna@example.org")
    page.focus("#id_street")
    page.keyboard.type("Gibtsnichtweg")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert "nicht im Adressverzeichnis" in page.inner_text(".error-summary")
    page.check_axe()
    assert fits(page)
    page.get_by_role("link", name="Straße: Diese Straße").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_street"

    page.fill("#id_street", "")
    page.keyboard.type("Lindenallee")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Bitte bestätigen Sie Ihre Adresse" in page.inner_text("main")
    page.check_axe()
    assert fits(page)

    token = NeighbourhoodSubscription.objects.get().token
    assert token in mail.outbox[-1].body
    page.goto(f"/beteiligung/nachbarschaft/bestaetigen/{token}/")
    page.check_axe()
    page.get_by_role("button", name="Ja, Abo bestellen").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Bestätigt" in page.inner_text("main") and "Straße: Lindenallee" in page.inner_text(
        "main"
    )
    page.check_axe()
    assert fits(page)

    page.get_by_role("link", name="Abo abbestellen").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.check_axe()
    page.get_by_role("button", name="Ja, abbestellen").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Abo abbestellt" in page.inner_text("h1")
    page.check_axe()
    assert fits(page)
    assert not NeighbourhoodSubscription.objects.exists()
