"""Kiosk → ticket → call display → workstation, keyboard only, axe on every page."""

import re

import pytest

from rathaus.onsite.models import Ticket, TicketStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, text: str, limit: int = 80) -> None:
    """Press Tab until the focused element's text or value contains ``text``."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(document.activeElement.innerText || document.activeElement.value || '').trim()"
        )
        if text in focused:
            return
    raise AssertionError(f"could not reach {text!r} by keyboard")


def tab_to_id(page, element_id: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            return
    raise AssertionError(f"could not reach #{element_id} by keyboard")


def enter(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.check_axe()


def login(page, email):
    page.goto("/anmelden/")
    page.fill("#id_username", email)
    page.fill("#id_password", "geheim-123!")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_kiosk_ticket_display_workstation(
    page, live_server, location_a, groups, counters, rules, clerk_a, settings
):
    settings.ONSITE_KIOSK_DEVICE_REQUIRED = True
    page.goto(f"/vor-ort/{location_a.slug}/kiosk/")  # not yet a kiosk: no numbers
    assert "nicht online" in page.content()
    page.check_axe()
    # A clerk switches this device on as the location's kiosk.
    login(page, clerk_a.email)
    page.goto("/vor-ort/schalter/")
    page.check_axe()
    tab_to(page, "Dieses Gerät als Kiosk freischalten")
    enter(page)
    assert page.url.endswith(f"/vor-ort/{location_a.slug}/kiosk/")
    # Kiosk: draw a number by keyboard; the ticket page shows it.
    tab_to(page, "Ausweise")
    enter(page)
    assert page.locator(".ticket__number").inner_text() == "A001"
    page.goto(f"/vor-ort/{location_a.slug}/kiosk/?lang=en")
    assert "ID cards" in page.content()
    page.check_axe()

    # Call display in a second tab, waiting for the call.
    display = page.context.new_page()
    display.check_axe = page.check_axe
    display.goto(f"/vor-ort/{location_a.slug}/anzeige/")
    from tests.conftest import check_axe

    check_axe(display)
    display.get_by_role("button", name="Ton aktivieren").click()
    assert display.get_by_role("button", name="Ton ist an").get_attribute("aria-pressed") == "true"

    # Workstation: the clerk opens counter 1 and calls by keyboard.
    page.goto(f"/vor-ort/{location_a.slug}/schalter/1/")
    page.check_axe()
    tab_to(page, "Schalter öffnen")
    enter(page)
    tab_to(page, "Nächste Person aufrufen")
    enter(page)
    assert "A001" in page.locator(".onsite-current__number").inner_text()

    # The display picks the call up by polling, flashes and announces it.
    display.locator(".display__number", has_text="A001").wait_for(timeout=10_000)
    display.locator("body.display--flash").wait_for(state="attached", timeout=5_000)
    assert "Schalter 1" in display.locator("[data-announce]").inner_text()
    check_axe(display)

    # Finish with the handled service.
    tab_to_id(page, f"svc-{groups[0].services.first().pk}")
    page.keyboard.press("Space")
    tab_to(page, "Abschließen")
    enter(page)
    assert Ticket.objects.get().status == TicketStatus.DONE
    assert re.search(r"A001 abgeschlossen", page.content())


def test_staff_pages_and_location_page_are_axe_clean(page, town_a, location_a, groups, counters):
    from rathaus.core.models import Role
    from tests.conftest import make_staff

    make_staff(town_a, "mgr@a.test", Role.APPOINTMENT_MANAGER)
    login(page, "mgr@a.test")
    for path in (
        "/vor-ort/",
        "/vor-ort/schalter/",
        "/vor-ort/statistik/",
        "/vor-ort/statistik/?first=2020-02-01&last=2020-01-01",
        "/vor-ort/bericht/",
        f"/standorte/{location_a.slug}/",
    ):
        page.goto(path)
        page.check_axe()
