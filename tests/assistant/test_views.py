"""The chat page without JavaScript (plain form, redirect) and with htmx; editors' list."""

import re

import pytest

from rathaus.assistant.models import Conversation, OpenQuestion
from rathaus.core.models import Role
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def test_chat_page_and_nav_entry(client_a, catalog_a):
    response = client_a.get("/assistent/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="log"' in html and 'aria-live="polite"' in html
    assert 'name="question"' in html and 'hx-post="/assistent/"' in html
    home = client_a.get("/").content.decode()
    assert 'href="/assistent/"' in home


def test_no_js_form_posts_and_redirects_to_the_conversation(client_a, catalog_a):
    response = client_a.post("/assistent/", {"question": "Was kostet ein Reisepass?", "turn": 0})
    assert response.status_code == 302
    conversation = Conversation.objects.get()
    assert response["Location"].startswith(f"/assistent/?c={conversation.pk}#nachricht-")
    page = client_a.get(response["Location"]).content.decode()
    assert "Was kostet ein Reisepass?" in page
    assert "70 €" in page
    assert 'href="/leistungen/reisepass-beantragen/"' in page
    assert f'name="conversation" value="{conversation.pk}"' in page
    follow = client_a.post(
        "/assistent/",
        {"question": "Welche Unterlagen brauche ich?", "conversation": conversation.pk, "turn": 1},
    )
    page = client_a.get(follow["Location"]).content.decode()
    assert "biometrisches Passfoto" in page


def test_suggestion_and_choice_buttons_are_plain_forms(client_a, catalog_a):
    response = client_a.post("/assistent/", {"question": "Gewerbe"}, follow=True)
    html = response.content.decode()
    assert re.search(r'name="choice" value="gewerbe-abmelden"', html)
    conversation = Conversation.objects.get()
    chosen = client_a.post(
        "/assistent/",
        {
            "question": "Gewerbe abmelden",
            "choice": "gewerbe-abmelden",
            "conversation": conversation.pk,
        },
        follow=True,
    )
    assert "15 €" in chosen.content.decode()


def test_empty_question_shows_an_error_summary(client_a, catalog_a):
    response = client_a.post("/assistent/", {"question": "  "})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Bitte geben Sie eine Frage ein." in html and "error-summary" in html
    assert not Conversation.objects.exists()


def test_htmx_answers_inline_with_a_fresh_form(client_a, catalog_a):
    response = client_a.post("/assistent/", {"question": "Reisepass"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    conversation = Conversation.objects.get()
    assert "chat-msg--citizen" in html and "chat-msg--assistant" in html
    assert 'hx-swap-oob="true"' in html
    assert f'name="conversation" value="{conversation.pk}"' in html
    assert "<html" not in html


def test_htmx_empty_question_returns_the_form_with_error(client_a, catalog_a):
    response = client_a.post("/assistent/", {"question": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Bitte geben Sie eine Frage ein." in response.content.decode()


def test_conversation_of_town_a_is_not_shown_in_town_b(client, catalog_a, catalog_b):
    client.defaults["HTTP_HOST"] = "a.test"
    client.post("/assistent/", {"question": "Reisepass"})
    conversation = Conversation.objects.get()
    client.defaults["HTTP_HOST"] = "b.test"
    page = client.get(f"/assistent/?c={conversation.pk}").content.decode()
    assert "Reisepass beantragen" not in page


def test_rate_limit(client_a, catalog_a, settings):
    settings.RATHAUS_ASSISTANT_RATE_LIMIT = 2
    for _ in range(2):
        assert client_a.post("/assistent/", {"question": "Reisepass"}).status_code == 302
    assert client_a.post("/assistent/", {"question": "Reisepass"}).status_code == 429


def test_open_questions_need_the_catalog_editor_role(client_a, catalog_a, citizen):
    OpenQuestion.objects.create(municipality=catalog_a, text="Angelschein?", reason="no_match")
    assert client_a.get("/assistent/offene-fragen/").status_code == 302  # login
    clerk = make_staff(catalog_a, "clerk@a.test", Role.CLERK)
    client_a.force_login(clerk)
    assert client_a.get("/assistent/offene-fragen/").status_code == 403


def test_editor_sees_and_resolves_open_questions(client_a, catalog_a, editor_a, town_b):
    mine = OpenQuestion.objects.create(
        municipality=catalog_a, text="Angelschein?", reason="no_match"
    )
    OpenQuestion.objects.create(municipality=town_b, text="Frage aus B", reason="no_match")
    client_a.force_login(editor_a)
    html = client_a.get("/assistent/offene-fragen/").content.decode()
    assert "Angelschein?" in html and "Frage aus B" not in html
    response = client_a.post(f"/assistent/offene-fragen/{mine.pk}/erledigt/")
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.resolved_at is not None
    assert "Angelschein?" not in client_a.get("/assistent/offene-fragen/").content.decode()


def test_editor_cannot_resolve_another_towns_question(client_a, catalog_a, editor_a, town_b):
    other = OpenQuestion.objects.create(municipality=town_b, text="B", reason="no_match")
    client_a.force_login(editor_a)
    assert client_a.post(f"/assistent/offene-fragen/{other.pk}/erledigt/").status_code == 404


def test_staff_start_page_links_the_open_questions(client_a, catalog_a, editor_a):
    client_a.force_login(editor_a)
    assert 'href="/assistent/offene-fragen/"' in client_a.get("/verwaltung/").content.decode()


def test_chat_page_in_english(client_a, catalog_a):
    client_a.cookies["django_language"] = "en"
    html = client_a.get("/assistent/").content.decode()
    assert "Ask the assistant" in html and "Send question" in html
