"""The search's counter-question (ADR 0064) and an English fee answer (ADR 0067) in a real
Chromium on a 320 px phone screen, by keyboard only: the choices are buttons in reach of
the Tab key, picking one answers about that service, nothing scrolls sideways, axe finds
nothing. The demo catalog (302 services), since the evidence thresholds were learned on it."""

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from rathaus.catalog.models import LifeSituation, Topic
from rathaus.catalog.taxonomy import sync_taxonomy

from ..browser.keyboard import NO_SIDEWAYS_SCROLL
from .test_browser import tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_catalog_town():
    sync_taxonomy(Topic, LifeSituation)  # transactional tests flush the taxonomy
    municipality = None
    for dotted in settings.RATHAUS_DEMO_LOADERS:
        if dotted.split(".")[1] in ("core", "catalog"):
            result = import_string(dotted)(municipality)
            municipality = municipality or result
    return municipality


def ask(page, question: str, nth: int):
    page.focus("#id_question")
    page.keyboard.type(question)
    page.keyboard.press("Enter")
    answer = page.locator("#chat-log .chat-msg--assistant").nth(nth)
    answer.wait_for()
    return answer


def test_search_choices_and_english_fees_at_320px_by_keyboard(page, demo_catalog_town):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/assistent/")
    answer = ask(page, "Grundsteuerbescheid ist falsch", 0)
    assert "Meinen Sie eine dieser Leistungen?" in answer.inner_text()
    assert "115" in answer.inner_text()  # the phone numbers, in case none fits
    buttons = page.locator(".chat-options button")
    names = [name.strip() for name in buttons.all_inner_texts()]
    assert 1 <= len(names) <= 3 and any("Grundsteuer" in name for name in names), names
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.check_axe()

    chosen = next(name for name in names if "Grundsteuer" in name)
    tab_to(page, f"el.tagName === 'BUTTON' && el.textContent.trim() === {chosen!r}")
    page.keyboard.press("Enter")
    picked = page.locator("#chat-log .chat-msg--assistant").nth(1)
    picked.wait_for()
    assert chosen in picked.inner_text()

    english = ask(page, "How much does a new ID card cost?", 2)
    text = english.inner_text()
    assert "Identity card" in text and "Personalausweis unter" not in text, text
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.check_axe()


def test_other_authority_and_a_programme_that_ended_at_320px(page, demo_catalog_town):
    """The list of other authorities (ADR 0065): the pointer with its link, and the note
    of a programme that no longer exists, fit the phone screen and pass axe."""
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/assistent/")
    answer = ask(page, "Wo beantrage ich Kindergeld für mein Baby?", 0)
    text = answer.inner_text()
    assert "Familienkasse" in text and "0800 4 5555 30" in text, text
    link = answer.locator("a[href^='https://www.arbeitsagentur.de']")
    assert link.count() >= 1
    ended = ask(page, "Kann ich noch Baukindergeld beantragen?", 1)
    assert "2021" in ended.inner_text() or "2020" in ended.inner_text(), ended.inner_text()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.check_axe()
