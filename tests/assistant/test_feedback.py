"""Feedback on answers ("hilfreich / nicht hilfreich") and the editors' fix for the next citizen."""

import pytest

from rathaus.assistant import services
from rathaus.assistant.dialogue import respond
from rathaus.assistant.models import Conversation, Feedback, Message
from rathaus.catalog.models import Service
from rathaus.core.models import AuditEntry, Role
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def ask(client, question, conversation=None):
    data = {"question": question, "turn": 0}
    if conversation:
        data["conversation"] = conversation.pk
    client.post("/assistent/", data)
    conversation = Conversation.objects.latest("created_at")
    reply = conversation.messages.filter(role=Message.Role.ASSISTANT).last()
    return conversation, reply


def test_every_answer_offers_feedback_without_javascript(client_a, catalog_a):
    conversation, reply = ask(client_a, "Was kostet ein Reisepass?")
    page = client_a.get(f"/assistent/?c={conversation.pk}").content.decode()
    assert f'action="/assistent/rueckmeldung/{reply.pk}/"' in page
    assert "War diese Antwort hilfreich?" in page and "Was hat gefehlt?" in page
    response = client_a.post(
        f"/assistent/rueckmeldung/{reply.pk}/",
        {"conversation": conversation.pk, "helpful": "nein", "missing": "Gebühr für Kinder"},
    )
    assert response.status_code == 302 and "danke=1" in response["Location"]
    feedback = Feedback.objects.get()
    assert feedback.helpful is False and feedback.missing == "Gebühr für Kinder"
    assert feedback.service.slug == "reisepass-beantragen" and feedback.kind == "service"
    assert "Danke für Ihre Rückmeldung" in client_a.get(response["Location"]).content.decode()


def test_feedback_keeps_only_anonymised_text(client_a, catalog_a):
    conversation, reply = ask(client_a, "Reisepass für Erika, erika@example.org, 0331 123456")
    client_a.post(
        f"/assistent/rueckmeldung/{reply.pk}/",
        {"conversation": conversation.pk, "helpful": "ja", "missing": "ruft mich an: 0171 9876543"},
    )
    feedback = Feedback.objects.get()
    assert "erika@example.org" not in feedback.question and "123456" not in feedback.question
    assert "9876543" not in feedback.missing


def test_a_second_click_updates_the_one_row(client_a, catalog_a):
    conversation, reply = ask(client_a, "Was kostet ein Reisepass?")
    for helpful in ("ja", "nein", "nein"):
        client_a.post(
            f"/assistent/rueckmeldung/{reply.pk}/",
            {"conversation": conversation.pk, "helpful": helpful},
            HTTP_HX_REQUEST="true",
        )
    assert Feedback.objects.count() == 1 and Feedback.objects.get().helpful is False


@pytest.mark.parametrize("helpful", ["", "vielleicht", "²"])
def test_bad_feedback_is_refused_with_400(client_a, catalog_a, helpful):
    conversation, reply = ask(client_a, "Reisepass")
    response = client_a.post(
        f"/assistent/rueckmeldung/{reply.pk}/",
        {"conversation": conversation.pk, "helpful": helpful},
    )
    assert response.status_code == 400 and not Feedback.objects.exists()


def test_feedback_on_another_towns_answer_is_refused(client, catalog_a, catalog_b):
    conversation, _ = services.ask(catalog_a, "Reisepass")
    reply = conversation.messages.filter(role=Message.Role.ASSISTANT).get()
    response = client.post(
        f"/assistent/rueckmeldung/{reply.pk}/",
        {"conversation": conversation.pk, "helpful": "ja"},
        HTTP_HOST="b.test",
    )
    assert response.status_code == 400 and not Feedback.objects.exists()


def test_feedback_through_the_api(client_a, catalog_a):
    answer = client_a.post(
        "/api/v1/assistant/ask", {"question": "Reisepass"}, content_type="application/json"
    ).json()
    ok = client_a.post(
        "/api/v1/assistant/feedback",
        {
            "conversation_id": answer["conversation_id"],
            "message_id": answer["message_id"],
            "helpful": True,
        },
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json() == {"received": True}
    missing = client_a.post(
        "/api/v1/assistant/feedback",
        {"conversation_id": answer["conversation_id"], "message_id": 999999, "helpful": True},
        content_type="application/json",
    )
    assert missing.status_code == 404 and missing.json()["reason"] == "not_found"


def test_editor_teaches_a_synonym_that_fixes_the_question(client_a, catalog_a, editor_a):
    question = "Ich brauche eine Kraxelerlaubnis"
    assert respond(catalog_a, question).answer.fallback
    conversation, reply = ask(client_a, question)
    client_a.post(
        f"/assistent/rueckmeldung/{reply.pk}/", {"conversation": conversation.pk, "helpful": "nein"}
    )
    feedback = Feedback.objects.get()
    assert feedback.kind == "fallback"
    client_a.force_login(editor_a)
    page = client_a.get("/assistent/rueckmeldungen/").content.decode()
    assert "Kraxelerlaubnis" in page
    service = Service.objects.get(municipality=catalog_a, slug="gewerbe-anmelden")
    response = client_a.post(
        f"/assistent/rueckmeldungen/{feedback.pk}/lernen/",
        {"service": service.pk, "word": "Kraxelerlaubnis", "situation": "gewerbegruendung"},
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert "Kraxelerlaubnis" in service.synonyms
    assert service.life_situations.filter(slug="gewerbegruendung").exists()
    actions = set(AuditEntry.objects.filter(actor=editor_a).values_list("action", flat=True))
    assert {"catalog.synonym_added", "catalog.life_situation_linked"} <= actions
    feedback.refresh_from_db()
    assert feedback.resolved_at is not None
    fixed = respond(catalog_a, question).answer
    assert fixed.service is not None and fixed.service.slug == "gewerbe-anmelden"


def test_feedback_pages_need_the_editor_role_and_stay_in_the_town(
    client_a, catalog_a, catalog_b, editor_a
):
    other = Feedback.objects.create(
        municipality=catalog_b, message_id=1, question="Frage aus B", kind="fallback", helpful=False
    )
    assert client_a.get("/assistent/rueckmeldungen/").status_code == 302  # login first
    client_a.force_login(make_staff(catalog_a, "clerk@a.test", Role.CLERK))
    assert client_a.get("/assistent/rueckmeldungen/").status_code == 403
    client_a.force_login(editor_a)
    assert "Frage aus B" not in client_a.get("/assistent/rueckmeldungen/").content.decode()
    foreign = Service.objects.get(municipality=catalog_b, slug="hund-anmelden")
    assert client_a.post(f"/assistent/rueckmeldungen/{other.pk}/erledigt/").status_code == 404
    mine = Feedback.objects.create(
        municipality=catalog_a, message_id=2, question="Hund?", kind="fallback", helpful=False
    )
    client_a.post(
        f"/assistent/rueckmeldungen/{mine.pk}/lernen/", {"service": foreign.pk, "word": "Wauwau"}
    )
    foreign.refresh_from_db()
    assert "Wauwau" not in foreign.synonyms  # a service of another town is never changed


def test_feedback_is_purged_with_the_open_questions(catalog_a, settings):
    from datetime import timedelta

    from django.utils import timezone

    item = Feedback.objects.create(
        municipality=catalog_a, message_id=3, question="alt", kind="service", helpful=True
    )
    Feedback.objects.filter(pk=item.pk).update(created_at=timezone.now() - timedelta(days=181))
    services.purge_expired()
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("value", ["²", "1" + "0" * 40, "2026-02-30", "a\x00b", "x" * 10_000])
def test_hostile_values_never_give_a_server_error(client_a, catalog_a, editor_a, value):
    conversation, reply = ask(client_a, "Reisepass")
    for path, data in [
        (f"/assistent/rueckmeldung/{reply.pk}/", {"conversation": value, "helpful": "ja"}),
        (
            f"/assistent/rueckmeldung/{reply.pk}/",
            {"conversation": conversation.pk, "helpful": value},
        ),
        (
            f"/assistent/rueckmeldung/{reply.pk}/",
            {"conversation": conversation.pk, "helpful": "nein", "missing": value},
        ),
        ("/assistent/rueckmeldung/" + "9" * 40 + "/", {"conversation": conversation.pk}),
    ]:
        assert client_a.post(path, data).status_code in (302, 400, 404)
    item = Feedback.objects.create(
        municipality=catalog_a, message_id=99, question="?", kind="fallback", helpful=False
    )
    client_a.force_login(editor_a)
    for data in (
        {"service": value, "word": "x"},
        {"service": "1", "word": value, "situation": value},
    ):
        response = client_a.post(f"/assistent/rueckmeldungen/{item.pk}/lernen/", data)
        assert response.status_code in (302, 400, 404)
    assert client_a.post("/assistent/rueckmeldungen/" + "9" * 40 + "/erledigt/").status_code == 404
