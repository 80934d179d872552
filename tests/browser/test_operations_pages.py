"""The operations pages (Betrieb, Betriebsart) and the incident notice in Chromium:
axe-core finds nothing, nothing scrolls sideways at 320 CSS px, keyboard works."""

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rathaus.core.models import Role

from ..conftest import make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_operations_pages_and_the_incident_notice(page, town_a):
    admin = make_staff(town_a, "admin@a.test", Role.ADMINISTRATOR)
    admin.is_superuser = True
    admin.save()
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="rathaus.applications.tasks.send_email",
        backend_name="default",
        run_after=timezone.now(),
        status="FAILED",
        worker_ids=["w"],
        exception_class_path="smtplib.SMTPServerDisconnected",
    )
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto("/anmelden/?next=/verwaltung/betrieb/")
    page.fill("#id_username", "admin@a.test")
    page.fill("#id_password", "geheim-123!")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Fehlgeschlagene Aufgaben" in page.content()
    page.check_axe()
    assert no_horizontal_scroll(page)

    page.goto("/verwaltung/betrieb/modus/")
    page.select_option("#id_mode", "incident")
    page.fill("#id_notice", "IT-Störung seit 8 Uhr.")
    page.fill("#id_alternatives", "Bürgertelefon 0331 289-0")
    with page.expect_navigation():
        page.click("#inhalt button[type=submit]")
    assert "kern-alert--success" in page.content(), page.content()[-3000:]
    page.check_axe()
    for path in ("/aemter/", "/hinweis/"):
        page.goto(path)
        assert "IT-Störung seit 8 Uhr." in page.content() or "Bürgertelefon" in page.content()
        page.check_axe()
        assert no_horizontal_scroll(page)
