"""The walk-in hours page in Chromium: axe-clean, reachable by keyboard, usable at 320 px."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_walk_in_page_is_axe_clean_and_fits_320_px(page, town_a):
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/sprechzeiten/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sprechzeiten ohne Termin"
    page.check_axe()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"horizontal scrolling at 320 px ({overflow} px)"


def test_walk_in_page_reached_by_keyboard_from_a_location(page, town_a):
    page.goto("/standorte/a-mitte/")
    page.check_axe()
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == "/sprechzeiten/":
            break
    else:
        pytest.fail("link to the walk-in hours not reachable by keyboard")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/sprechzeiten/")
    # the editions are links the keyboard reaches too
    for _ in range(60):
        page.keyboard.press("Tab")
        href = page.evaluate("document.activeElement.getAttribute('href')") or ""
        if "sprechzeiten.txt" in href:
            break
    else:
        pytest.fail("text edition not reachable by keyboard")
