"""Public yearly figures of the dialogues (issue 18) in Chromium: axe, 320 px, keyboard."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from rathaus.participation.dialogues.models import DialogueEvent, EventTopic, Hint, Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 320])
def test_dialogue_year_axe_clean_fits_and_by_keyboard(page, town_a, width):
    year = timezone.localdate().year
    start = datetime(year, 1, 20, 17, tzinfo=timezone.get_current_timezone())
    event = DialogueEvent.objects.create(
        municipality=town_a,
        kind="dialogue",
        slug="drewitz",
        title="Stadtteildialog Drewitz mit einem recht langen Titel zur Probe",
        venue="Begegnungszentrum",
        district="Drewitz",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        hints_published=True,
    )
    topic = EventTopic.objects.create(event=event, title="Ordnung & Sicherheit", position=1)
    Hint.objects.create(event=event, topic=topic, text="Licht", status="accepted", answer="Ja.")
    Registration.objects.create(event=event, name="A", email="a@x.de", status="confirmed")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto("/beteiligung/dialoge/")
    page.get_by_role("link", name=f"Dialoge {year} in Zahlen").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert f"Dialoge {year} in Zahlen" in page.inner_text("h1")
    assert "Ordnung & Sicherheit: 1" in page.inner_text("main")
    page.check_axe()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name=f"Jahr {year - 1}").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "keine Termine" in page.inner_text("main")
    page.check_axe()
