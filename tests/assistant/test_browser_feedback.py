"""This session's pages in a real Chromium at 320 px, by keyboard, with axe: a story
answered with its Lebenslage steps, rating an answer, the editors' ratings page, and
„Meine Termine“ in the citizen account."""

import pytest

from rathaus.appointments import services as appointments
from rathaus.assistant.models import Feedback
from rathaus.catalog.demo import load_services
from rathaus.catalog.models import LifeSituation, Topic
from rathaus.catalog.taxonomy import sync_taxonomy
from rathaus.core.models import Role
from tests.appointments.conftest import at, make_offer, make_service, next_weekday
from tests.conftest import make_staff

from .conftest import SERVICES_A, record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 320, "height": 640}
DEATH = [
    record("sterbefall", "Sterbefall beurkunden", life_situations=["todesfall"], popularity=9),
    record(
        "grabstelle",
        "Grabstelle erwerben und Bestattung anmelden",
        synonyms="Beerdigung",
        life_situations=["todesfall"],
    ),
]


@pytest.fixture
def town(town_a):
    sync_taxonomy(Topic, LifeSituation)  # transactional tests flush the taxonomy
    load_services(town_a, SERVICES_A + DEATH)
    return town_a


WIDEST = """[...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
  .map(el => el.tagName + '.' + el.className).slice(-5)"""


def no_sideways_scroll(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"scrolls sideways at 320 px: {width} {page.evaluate(WIDEST)}"


def tab_to(page, predicate: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            return
    raise AssertionError(f"keyboard focus never reached: {predicate}")


def login(page, email):
    page.goto("/anmelden/")
    page.fill("#id_username", email)
    page.fill("#id_password", "geheim-123!")
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_story_steps_and_rating_by_keyboard_at_320px(page, town):
    page.set_viewport_size(PHONE)
    page.goto("/assistent/")
    tab_to(page, "el.name === 'question'")
    page.keyboard.type("Mein Vater ist gestern gestorben, wir müssen die Beerdigung planen")
    page.keyboard.press("Enter")
    answer = page.locator("#chat-log .chat-msg--assistant").first
    answer.wait_for()
    assert "Todesfall" in answer.inner_text()
    assert answer.locator(".chat-steps li").count() == 2
    no_sideways_scroll(page)
    page.check_axe()
    tab_to(page, "el.name === 'helpful' && el.value === 'nein'")
    page.keyboard.press("Enter")
    page.locator(".chat-feedback [role=status]").wait_for()
    assert Feedback.objects.get().helpful is False
    no_sideways_scroll(page)
    page.check_axe()


def test_editors_ratings_page_at_320px(page, town):
    Feedback.objects.create(
        municipality=town,
        message_id=1,
        question="Kraxelerlaubnis?",
        kind="fallback",
        helpful=False,
        missing="die richtige Leistung",
    )
    make_staff(town, "redaktion@a.test", Role.CATALOG_EDITOR)
    page.set_viewport_size(PHONE)
    login(page, "redaktion@a.test")
    page.goto("/assistent/rueckmeldungen/")
    assert "Kraxelerlaubnis?" in page.content()
    no_sideways_scroll(page)
    page.check_axe()
    tab_to(page, "el.name === 'word'")
    page.keyboard.type("Kraxelerlaubnis")


def test_my_bookings_at_320px(page, town, citizen):
    service = make_service(town, slug="hausnummer-termin", name="Hausnummer besprechen")
    offer = make_offer(town, service)
    from django.utils import timezone

    day = next_weekday(timezone.localdate())
    appointments.hold(offer, at(day, 9), name="Erika", email="buerger@example.org", account=citizen)
    page.set_viewport_size(PHONE)
    login(page, "buerger@example.org")
    page.goto("/termine/meine/")
    assert "Hausnummer besprechen" in page.content()
    no_sideways_scroll(page)
    page.check_axe()
    tab_to(page, "el.textContent.includes('Absagen')")
