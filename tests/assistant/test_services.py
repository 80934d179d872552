"""Storing conversations: anonymous, follow-ups across requests, retention, open questions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rathaus.assistant import services
from rathaus.assistant.models import Conversation, Message, OpenQuestion
from rathaus.core.models import AuditEntry
from rathaus.core.retention import rules

pytestmark = pytest.mark.django_db


def test_conversation_keeps_the_focus_between_requests(catalog_a):
    conversation, first = services.ask(catalog_a, "Reisepass beantragen")
    assert first.data["service"] == "reisepass-beantragen"
    again, cost = services.ask(catalog_a, "und was kostet das?", conversation_id=conversation.pk)
    assert again.pk == conversation.pk
    assert cost.data["service"] == "reisepass-beantragen" and "70 €" in cost.text
    assert conversation.messages.count() == 4


def test_conversation_stores_nothing_personal(catalog_a):
    conversation, _ = services.ask(catalog_a, "Reisepass")
    field_names = {f.name for f in Conversation._meta.get_fields()}
    assert not field_names & {"user", "ip", "ip_address", "session", "session_key"}
    assert set(Message.objects.get(role="assistant", conversation=conversation).data) >= {
        "sources",
        "fallback",
    }


def test_conversation_of_another_municipality_is_not_continued(catalog_a, catalog_b):
    conversation, _ = services.ask(catalog_b, "Hundesteuer")
    other, answer = services.ask(catalog_a, "was kostet das?", conversation_id=conversation.pk)
    assert other.pk != conversation.pk and other.municipality == catalog_a
    assert answer.data["service"] is None


def test_unknown_or_garbage_conversation_id_starts_a_new_one(catalog_a):
    conversation, _ = services.ask(catalog_a, "Reisepass", conversation_id="kein-uuid")
    assert Conversation.objects.filter(pk=conversation.pk).exists()


def test_repeated_submit_is_answered_once(catalog_a):
    conversation, first = services.ask(catalog_a, "Reisepass", turn=0)
    _, again = services.ask(catalog_a, "Reisepass", conversation_id=conversation.pk, turn=0)
    assert again.pk == first.pk
    assert conversation.messages.count() == 2


def test_retention_deletes_idle_conversations(catalog_a, settings):
    settings.RATHAUS_ASSISTANT_RETENTION_SECONDS = 3600
    old, _ = services.ask(catalog_a, "Reisepass")
    fresh, _ = services.ask(catalog_a, "Personalausweis")
    Conversation.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(hours=2))
    assert services.find_conversation(catalog_a, old.pk) is None  # expired is gone for use
    job = next(r for r in rules() if r.key == "assistant.purge_conversations")
    assert job.run(timezone.now() - timedelta(minutes=61)) == 0  # clock before the period
    assert job.run() == 1
    assert not Conversation.objects.filter(pk=old.pk).exists()
    assert not Message.objects.filter(conversation_id=old.pk).exists()
    assert Conversation.objects.filter(pk=fresh.pk).exists()


def test_unanswered_questions_are_kept_anonymised(catalog_a):
    services.ask(
        catalog_a, "Wo bekomme ich einen Angelschein? Gruß, Erika Muster, erika@example.org"
    )
    services.ask(catalog_a, "Gewerbe")
    services.ask(catalog_a, "Was kostet die Anmeldung des Wohnsitzes?")
    services.ask(catalog_a, "Reisepass")  # answered well: not listed
    questions = {q.reason: q for q in OpenQuestion.objects.for_municipality(catalog_a)}
    assert set(questions) == {"no_match", "unclear", "no_data"}
    text = questions["no_match"].text
    assert "Angelschein" in text and "Erika" not in text and "example.org" not in text
    assert questions["no_data"].service.slug == "wohnsitz-anmelden"


def test_resolving_an_open_question_is_audited(catalog_a, editor_a):
    services.ask(catalog_a, "Angelschein")
    question = OpenQuestion.objects.get()
    services.resolve_open_question(question, actor=editor_a)
    services.resolve_open_question(question, actor=editor_a)  # twice: no second entry
    question.refresh_from_db()
    assert question.resolved_at is not None
    assert AuditEntry.objects.filter(action="assistant.open_question.resolved").count() == 1
