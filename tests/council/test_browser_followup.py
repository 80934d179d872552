"""Issue 18's public pages in Chromium: Beschlussverfolgung and Anfragen are axe-clean,
usable by keyboard and fit 320 CSS px without horizontal scrolling."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from rathaus.core.models import Office
from rathaus.council import services, services_inquiries
from rathaus.council.models import Consultation, Paper

from .conftest import at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def followed_up(council_a):
    c = council_a
    office = Office.objects.for_municipality(c.town).first()
    paper = services.create_paper(
        c.town,
        name="Transparenz der Tätigkeit von Beiräten – Darstellung aller Beiräte im Internet",
        paper_type=Paper.Type.MOTION,
        text="Der Oberbürgermeister wird beauftragt, alle Beiräte darzustellen.",
        lead_office=office,
        tracking_requested=True,
        tracking_due_date=date(2023, 3, 1),
    )
    meeting = services.create_meeting(c.council, name="SVV", start=at(2023, 2, 1))
    consultation = services.add_consultation(
        paper, c.council, Consultation.Role.DECISION, meeting=meeting
    )
    item = services.put_paper_on_agenda(consultation, meeting)
    services.publish_agenda(meeting)
    services.record_result(item, result="beschlossen", resolution_text="Beschlossen wie Antrag.")
    services.update_task(item.tasks.get(), status="in_progress", report="Seiten im Aufbau")
    today = timezone.localdate()
    for name, days, answered in (
        ("Digitalisierungsstrategie", 60, False),
        ("Bibliothek", 50, True),
    ):
        inquiry = services.create_paper(
            c.town, name=name, paper_type="Anfrage", date=today - timedelta(days=days)
        )
        if answered:
            services_inquiries.answer_inquiry(inquiry, text="Samstags ab März geöffnet.")
    c.tracked_paper = paper
    return c


def fits_320(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1280, 320])
def test_followup_pages_are_axe_clean_and_fit(page, followed_up, width):
    page.set_viewport_size({"width": width, "height": 900})
    for path in (
        "/rat/beschluesse/",
        "/rat/beschluesse/?status=ueberfaellig",
        f"/rat/beschluesse/?drucksache={followed_up.tracked_paper.pk}",
        "/rat/anfragen/",
        "/rat/anfragen/?status=ueberfaellig",
        f"/rat/vorlagen/{followed_up.tracked_paper.pk}/",
    ):
        page.goto(path)
        page.check_axe()
        assert fits_320(page), path


def test_filter_and_overdue_list_by_keyboard(page, followed_up):
    page.goto("/rat/beschluesse/")
    page.focus("#task-status")
    page.select_option("#task-status", "ueberfaellig")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "status=ueberfaellig" in page.url
    assert "Seiten im Aufbau" in page.inner_text("main")
    page.goto("/rat/anfragen/")
    page.get_by_role("link", name="Überfällige Anfragen (1)").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    main = page.inner_text("main")
    assert "Digitalisierungsstrategie" in main and "Bibliothek" not in main
    page.check_axe()
