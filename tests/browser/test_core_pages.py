"""Every public core page in a real Chromium, checked by axe-core, and by keyboard."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/aemter/",
    "/aemter/a-buergerbuero/",
    "/standorte/a-mitte/",
    "/barrierefreiheit/",
    "/leichte-sprache/",
    "/datenschutz/",
    "/impressum/",
    "/anmelden/",
    "/nicht-da/",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_axe_violations(page, town_a, path):
    page.goto(path)
    page.check_axe()


def test_skip_link_and_keyboard_language_switch(page, town_a):
    page.goto("/aemter/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhalt"
    # From the top of a fresh page, tab to the language button and switch by keyboard alone.
    page.goto("/aemter/")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('value')") == "en":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == "en"
    page.check_axe()
