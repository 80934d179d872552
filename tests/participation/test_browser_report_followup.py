"""Mängelmelder follow-up pages (issue 18) in Chromium: axe-clean, 320 px, keyboard."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rathaus.participation.reports import services
from rathaus.participation.reports.models import Report, ReportUpdate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def open_report(town_a, pothole):
    pothole.service_days = 5
    pothole.save()
    report = services.submit_report(
        town_a,
        category=pothole,
        description="Loch",
        address="Lindenstraße 3",
        latitude=52.4,
        longitude=13.06,
    )
    services.moderate(report, publish=True, actor=None)
    Report.objects.filter(pk=report.pk).update(due_at=timezone.now() - timedelta(days=1))
    services.add_note(report, text="Reparatur ist bestellt.", actor=None, public=True)
    return report


@pytest.mark.parametrize("width", [1280, 320])
def test_update_form_axe_clean_fits_and_by_keyboard(page, open_report, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/beteiligung/maengel/{open_report.pk}/")
    text = page.inner_text("main")
    assert "Reparatur ist bestellt." in text and "über der Frist" in text
    page.check_axe()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.focus("#id_confirmation_0")  # "keine Angabe"
    page.keyboard.press("ArrowDown")  # the arrow key checks "noch da"
    assert page.is_checked("#id_confirmation_1")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_text"
    page.keyboard.type("Noch immer da.")
    page.get_by_role("button", name="Hinweis senden").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "sobald die Moderation" in page.inner_text("main")
    update = ReportUpdate.objects.get(kind="citizen")
    assert update.confirmation == "still_there" and update.text == "Noch immer da."
    page.check_axe()


@pytest.mark.parametrize("width", [1280, 320])
def test_update_errors_are_announced_and_list_statistics_fit(page, open_report, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/beteiligung/maengel/{open_report.pk}/")
    page.get_by_role("button", name="Hinweis senden").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    page.check_axe()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.goto("/beteiligung/maengel/")
    assert "Fristen je Kategorie" in page.inner_text("main")
    page.check_axe()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
