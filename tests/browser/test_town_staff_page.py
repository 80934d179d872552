"""The town administrators' staff page (issue 21) at 320 px: axe clean, no horizontal
scrolling, the invitation form usable by keyboard, errors announced."""

import pytest

from rathaus.core.models import Role, StaffRole
from tests.conftest import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_page_at_320px_by_keyboard(page, town_a):
    make_staff(town_a, "admin@a.test", Role.ADMINISTRATOR)
    make_staff(town_a, "clerk@a.test", Role.CLERK)
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/anmelden/?next=/verwaltung/personal/")
    page.fill("#id_username", "admin@a.test")
    page.fill("#id_password", "geheim-123!")
    with page.expect_navigation():
        page.press("#id_password", "Enter")
    assert "Mitarbeitende und Rollen" in page.content()
    page.check_axe()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page.focus("#id_email")
    page.keyboard.type("keine-adresse")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Bitte korrigieren Sie Ihre Angaben" in page.content()
    page.check_axe()
    page.fill("#id_email", "neu@a.test")
    page.select_option("#id_role", Role.MODERATOR)
    with page.expect_navigation():
        page.press("#id_email", "Enter")
    assert "Die Einladung an neu@a.test ist unterwegs" in page.content()
    assert StaffRole.objects.filter(user__email="neu@a.test", role=Role.MODERATOR).exists()
    page.check_axe()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
