"""The reservation fee's payment page in Chromium: axe-clean, by keyboard, at 320 px."""

import pytest

from tests.browser.keyboard import Keyboard

from .test_booking_fee import _booked, _weekday_after, wedding_offer  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_fee_paid_from_the_booking_page_by_keyboard_at_320_px(page, wedding_offer):  # noqa: F811
    booking, token = _booked(wedding_offer, _weekday_after(240))
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"/termine/t/{token}/")
    keys = Keyboard(page)
    keys.check_page()
    keys.tab_to("a", "Gebühr online bezahlen")
    with page.expect_navigation():
        keys.press("Enter")
    keys.check_page()
    assert page.get_by_role("heading", level=1).inner_text() == "Reservierungsgebühr bezahlen"
    keys.submit("main button[type=submit]", "Jetzt bezahlen")
    assert "/antraege/demo-pay/" in page.url
