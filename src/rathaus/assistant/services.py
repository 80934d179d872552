"""The write path of the assistant: asking a question, resolving open questions, purging."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rathaus.catalog.models import Service
from rathaus.core import audit

from .anonymise import anonymise
from .composer import Answer
from .dialogue import State, respond
from .models import Conversation, Feedback, Message, OpenQuestion

MAX_QUESTION = 500


def retention_seconds() -> int:
    return int(getattr(settings, "RATHAUS_ASSISTANT_RETENTION_SECONDS", 2 * 3600))


def find_conversation(municipality, conversation_id) -> Conversation | None:
    """The municipality's live conversation with this id, or None (also for bad ids)."""
    if not conversation_id:
        return None
    cutoff = timezone.now() - timedelta(seconds=retention_seconds())
    try:
        return (
            Conversation.objects.for_municipality(municipality)
            .select_related("focus__office")
            .filter(updated_at__gte=cutoff)
            .get(pk=conversation_id)
        )
    except (Conversation.DoesNotExist, ValidationError, ValueError, TypeError):
        return None  # unknown, expired, of another municipality, or not a UUID at all


def answer_payload(answer: Answer) -> dict:
    """What a stored answer needs to be drawn again (no personal data in here)."""
    return {
        "sources": [{"title": s.title, "url": s.url, "kind": s.kind} for s in answer.sources],
        "actions": [{"title": a.title, "url": a.url, "kind": a.kind} for a in answer.actions],
        "suggestions": answer.suggestions,
        "choices": [{"slug": c.slug, "name": c.name} for c in answer.choices],
        "alternatives": [{"slug": c.slug, "name": c.name} for c in answer.alternatives],
        "language": answer.language,
        "confidence": answer.confidence,
        "fallback": answer.fallback,
        "intents": answer.intents,
        "service": answer.service.slug if answer.service is not None else None,
        "steps": [{"slug": c.slug, "name": c.name, "office": c.office} for c in answer.steps],
        "situation": (
            {"title": answer.situation.title, "url": answer.situation.url}
            if answer.situation
            else None
        ),
        "elsewhere": answer.elsewhere.slug if answer.elsewhere is not None else None,
        "kind": answer_kind(answer),
        "german": answer.german,
    }


def answer_kind(answer: Answer) -> str:
    if answer.service is not None:
        return Feedback.Kind.SERVICE
    if answer.steps:
        return Feedback.Kind.STEPS
    if answer.elsewhere is not None:
        return Feedback.Kind.ELSEWHERE
    if answer.choices:
        return Feedback.Kind.CHOICES
    if answer.fallback:
        return Feedback.Kind.FALLBACK
    return Feedback.Kind.PLACE


def ask(
    municipality,
    question: str,
    *,
    conversation_id=None,
    choice: str = "",
    turn: int | None = None,
    default_language: str = "de",
) -> tuple[Conversation, Message]:
    """Answer one question and remember as much as the next follow-up needs.

    ``turn`` is the number of questions the client had seen; a repeated submit of the
    same question (double click, reload) returns the stored answer instead of a second one.
    """
    question = " ".join((question or "").split())[:MAX_QUESTION]
    with transaction.atomic():
        conversation = find_conversation(municipality, conversation_id)
        if conversation is None:
            conversation = Conversation.objects.create(
                municipality=municipality, language=default_language
            )
        else:
            conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
            repeated = _repeated_answer(conversation, question, turn)
            if repeated is not None:
                return conversation, repeated
        state = State(
            focus=conversation.focus,
            pending_choices=list(conversation.pending_choices),
            pending_intents=list(conversation.pending_intents),
            language=conversation.language or default_language,
        )
        result = respond(municipality, question, state, choice=choice)
        Message.objects.create(conversation=conversation, role=Message.Role.CITIZEN, text=question)
        reply = Message.objects.create(
            conversation=conversation,
            role=Message.Role.ASSISTANT,
            text=result.answer.text,
            data=answer_payload(result.answer),
        )
        conversation.focus = result.state.focus
        conversation.pending_choices = result.state.pending_choices
        conversation.pending_intents = result.state.pending_intents
        conversation.language = result.answer.language
        conversation.save()
        _note_open_question(municipality, question, result.answer)
    return conversation, reply


def _repeated_answer(conversation, question: str, turn: int | None) -> Message | None:
    if turn is None:
        return None
    asked = conversation.messages.filter(role=Message.Role.CITIZEN)
    if asked.count() <= turn:
        return None
    last_question = asked.last()
    if last_question is None or last_question.text != question:
        return None
    return conversation.messages.filter(role=Message.Role.ASSISTANT).last()


def _note_open_question(municipality, question: str, answer: Answer) -> None:
    """Keep an anonymised copy of questions the catalog could not answer well."""
    if answer.fallback:
        reason = OpenQuestion.Reason.NO_MATCH
    elif answer.choices:
        reason = OpenQuestion.Reason.UNCLEAR
    elif answer.missing:
        reason = OpenQuestion.Reason.NO_DATA
    else:
        return
    text = anonymise(question)[:500]
    if text:
        OpenQuestion.objects.create(
            municipality=municipality,
            text=text,
            reason=reason,
            language=answer.language,
            service=answer.service,
            confidence=answer.confidence,
        )


class FeedbackError(ValueError):
    """The answer to rate is unknown, expired or not an answer."""


MAX_MISSING = 500


@transaction.atomic
def give_feedback(
    municipality, conversation_id, message_id: int, *, helpful: bool, missing: str = ""
) -> Feedback:
    """Record (or update) a citizen's rating of one answer of a live conversation.

    Idempotent per answer: clicking twice, or adding "was hat gefehlt?" afterwards,
    updates the one row. Only anonymised text is kept.
    """
    conversation = find_conversation(municipality, conversation_id)
    if conversation is None:
        raise FeedbackError("conversation")
    reply = conversation.messages.filter(pk=message_id, role=Message.Role.ASSISTANT).first()
    if reply is None:
        raise FeedbackError("message")
    question = conversation.messages.filter(role=Message.Role.CITIZEN, pk__lt=reply.pk).last()
    data = reply.data or {}
    service = None
    if data.get("service"):
        service = (
            Service.objects.for_municipality(municipality).filter(slug=data["service"]).first()
        )
    feedback, created = Feedback.objects.update_or_create(
        municipality=municipality,
        message_id=reply.pk,
        defaults={
            "question": anonymise(question.text if question else "")[:500],
            "kind": data.get("kind") or Feedback.Kind.SERVICE,
            "service": service,
            "helpful": helpful,
            "missing": anonymise((missing or "")[:MAX_MISSING])[:500],
            "language": data.get("language", "de"),
            "resolved_at": None,
        },
    )
    audit.record(
        "assistant.feedback_given" if created else "assistant.feedback_changed",
        feedback,
        data={"helpful": helpful, "kind": feedback.kind},
    )
    return feedback


@transaction.atomic
def _mark_resolved(item, action: str, actor):
    """An editor dealt with an open question or a rating (idempotent, audited once)."""
    if item.resolved_at is None:
        item.resolved_at = timezone.now()
        item.save(update_fields=["resolved_at"])
        audit.record(action, item, actor=actor)
    return item


def resolve_feedback(feedback: Feedback, *, actor) -> Feedback:
    return _mark_resolved(feedback, "assistant.feedback_resolved", actor)


def resolve_open_question(question: OpenQuestion, *, actor) -> OpenQuestion:
    return _mark_resolved(question, "assistant.open_question.resolved", actor)


def purge_expired(now=None) -> int:
    """Delete conversations idle longer than the retention time; returns how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=retention_seconds())
    _, per_model = Conversation.objects.filter(updated_at__lt=cutoff).delete()
    # Anonymised open questions are kept longer, but not forever.
    keep_days = int(getattr(settings, "RATHAUS_ASSISTANT_OPEN_QUESTION_DAYS", 180))
    OpenQuestion.objects.filter(asked_at__lt=now - timedelta(days=keep_days)).delete()
    Feedback.objects.filter(created_at__lt=now - timedelta(days=keep_days)).delete()
    return per_model.get(Conversation._meta.label, 0)
