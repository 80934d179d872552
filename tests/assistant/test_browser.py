"""The chat in a real Chromium: keyboard only, htmx inline answers, axe; and without JS."""

import pytest

from rathaus.catalog.demo import load_services
from rathaus.catalog.models import LifeSituation, Topic
from rathaus.catalog.taxonomy import sync_taxonomy

from .conftest import SERVICES_A

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chat_town(town_a):
    sync_taxonomy(Topic, LifeSituation)  # transactional tests flush the taxonomy
    load_services(town_a, SERVICES_A)
    return town_a


def tab_to(page, predicate: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {predicate}; }})()"):
            return
    raise AssertionError(f"keyboard focus never reached: {predicate}")


def test_chat_by_keyboard_only_with_htmx(page, chat_town):
    page.goto("/")
    tab_to(page, "el.getAttribute('href') === '/assistent/'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.check_axe()
    tab_to(page, "el.name === 'question'")
    page.keyboard.type("Was kostet ein Reisepass?")
    page.keyboard.press("Enter")
    answer = page.locator("#chat-log .chat-msg--assistant").first
    answer.wait_for()
    assert "70 €" in answer.inner_text()
    assert page.url.endswith("/assistent/")  # answered inline, no reload
    # The question field is ready for the follow-up and keeps the conversation.
    page.wait_for_function("document.activeElement && document.activeElement.name === 'question'")
    assert page.input_value("#id_question") == ""
    page.keyboard.type("Welche Unterlagen brauche ich?")
    page.keyboard.press("Enter")
    page.locator("#chat-log .chat-msg--assistant").nth(1).wait_for()
    assert "biometrisches Passfoto" in page.locator("#chat-log").inner_text()
    assert page.get_attribute("#chat-log", "aria-live") == "polite"
    page.check_axe()


def test_choice_buttons_by_keyboard(page, chat_town):
    page.goto("/assistent/")
    page.focus("#id_question")
    page.keyboard.type("Gewerbe")
    page.keyboard.press("Enter")
    page.locator(".chat-options button").first.wait_for()
    tab_to(page, "el.tagName === 'BUTTON' && el.textContent.trim() === 'Gewerbe abmelden'")
    page.keyboard.press("Enter")
    page.locator("#chat-log .chat-msg--assistant").nth(1).wait_for()
    assert "15 €" in page.locator("#chat-log").inner_text()
    page.check_axe()


def test_chat_works_without_javascript(_browser, live_server, chat_town):
    context = _browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/assistent/")
        page.fill("#id_question", "Ich bin umgezogen")
        with page.expect_navigation():
            page.click("#chat-form button[type=submit]")
        assert "?c=" in page.url
        assert "Wohnsitz anmelden" in page.inner_text("#chat-log")
        page.fill("#id_question", "Was kostet das?")
        with page.expect_navigation():
            page.click("#chat-form button[type=submit]")
        assert "keine Gebühren angegeben" in page.inner_text("#chat-log")
    finally:
        context.close()
