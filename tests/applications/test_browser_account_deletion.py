"""Deleting one's account in a real browser: keyboard only, error summary, axe, 320 px."""

import pytest

from rathaus.core.models import User

from .test_browser import _login, press_button, press_space_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_delete_account_by_keyboard_at_320_px(page, citizen, town_a):
    page.set_viewport_size({"width": 320, "height": 800})
    _login(page, citizen.email, "geheim-123!")
    page.goto("/antraege/konto/loeschen/")
    page.check_axe()
    assert page.evaluate("document.documentElement.scrollWidth <= 320")
    press_button(page, "Konto endgültig löschen")  # not confirmed: error summary
    assert page.get_by_role("alert").first.is_visible()
    page.check_axe()
    assert User.objects.filter(pk=citizen.pk).exists()
    press_space_on(page, "Ja, ich möchte mein Konto endgültig löschen.")
    press_button(page, "Konto endgültig löschen")
    assert page.url.endswith("/antraege/konto/geloescht/")
    page.check_axe()
    assert not User.objects.filter(pk=citizen.pk).exists()
