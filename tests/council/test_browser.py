"""Public council pages in Chromium: axe-clean, and usable with the keyboard alone."""

import pytest

from rathaus.council import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def council(council_a):
    c = council_a
    services.publish_agenda(c.meeting)
    services.record_result(c.item, result="erledigt durch Verwaltungshandeln", unanimous=True)
    services.generate_minutes(c.meeting)
    services.approve_minutes(c.meeting)
    return c


def test_public_pages_are_axe_clean(page, council):
    c = council
    for path in (
        "/rat/",
        "/rat/sitzungen/?jahr=2023&monat=1",
        f"/rat/sitzungen/{c.meeting.pk}/",
        f"/rat/sitzungen/{c.meeting.pk}/niederschrift/",
        f"/rat/vorlagen/{c.paper.pk}/",
        "/rat/vorlagen/",
        "/rat/suche/?q=Beiräte",
        "/rat/beiraete/",
        f"/rat/gremien/{c.board.pk}/",
        f"/rat/gremien/{c.committee.pk}/",
        "/rat/personen/",
        f"/rat/personen/{c.chair.pk}/",
        "/rat/benachrichtigung/",
    ):
        page.goto(path)
        page.check_axe()


def test_calendar_filter_and_meeting_by_keyboard(page, council):
    page.goto("/rat/sitzungen/")
    page.focus("#f-monat")
    page.select_option("#f-monat", "1")
    page.fill("#f-jahr", "2023")
    page.focus("#f-gremium")
    page.keyboard.press("Tab")  # to the submit button
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Januar 2023" in page.inner_text("h1")
    link = page.get_by_role("link", name="25. öffentliche Sitzung des Ausschusses")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Transparenz der Tätigkeit von Beiräten" in page.inner_text("main")
    assert "Geheimweg" not in page.content()
    page.check_axe()
    # From the agenda to the paper with its consultation path.
    page.get_by_role("link", name="22/SVV/0792").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Beratungsfolge" in page.inner_text("main")
    assert "erledigt durch Verwaltungshandeln" in page.inner_text("main")
    page.check_axe()


def test_alert_form_errors_by_keyboard(page, council):
    page.goto("/rat/benachrichtigung/")
    page.focus("#id_query")
    page.keyboard.type("Radverkehr")
    page.keyboard.press("Tab")
    page.keyboard.type("kein-mail")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The error summary takes focus and links to the field.
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert "name@beispiel.de" in page.inner_text(".error-summary")
    page.check_axe()


def test_staff_pages_are_axe_clean(page, council, live_server):
    c = council
    page.goto("/anmelden/")
    page.fill("#id_username", "ratsbuero@a.test")
    page.fill("#id_password", "geheim-123!")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for path in (
        "/rat/verwaltung/",
        "/rat/verwaltung/vorlagen/neu/",
        f"/rat/verwaltung/vorlagen/{c.paper.pk}/",
        f"/rat/verwaltung/sitzungen/{c.meeting.pk}/",
        f"/rat/verwaltung/sitzungen/{c.meeting.pk}/anwesenheit/",
        f"/rat/verwaltung/top/{c.item.pk}/",
        f"/rat/verwaltung/sitzungen/{c.meeting.pk}/veroeffentlichen/",
        "/rat/beschluesse/",
    ):
        page.goto(path)
        page.check_axe()
