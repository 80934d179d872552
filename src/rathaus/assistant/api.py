"""JSON API of the assistant: ask a question, get an answer with sources."""

from uuid import UUID

from django.conf import settings
from django.utils.translation import get_language
from ninja import Field, Router, Schema, Status

from rathaus.core.parsing import ParseError, clean_text
from rathaus.core.ratelimit import client_ip, hit, too_many

from . import services

router = Router(tags=["Assistent"])


class QuestionIn(Schema):
    question: str = Field(..., min_length=1, max_length=services.MAX_QUESTION)
    conversation_id: UUID | None = Field(
        None, description="Von der vorigen Antwort, damit Rückfragen den Zusammenhang kennen."
    )
    choice: str | None = Field(
        None, max_length=120, description="Slug einer angebotenen Auswahl (choices/alternatives)."
    )


class FeedbackIn(Schema):
    conversation_id: UUID
    message_id: int = Field(..., ge=1, le=2**63 - 1, description="Nummer der Antwort (message_id)")
    helpful: bool
    missing: str = Field("", max_length=500, description="Was hat gefehlt? (freiwillig)")


class FeedbackOut(Schema):
    received: bool


class LinkOut(Schema):
    title: str
    url: str
    kind: str


class ChoiceOut(Schema):
    slug: str
    name: str
    office: str = ""


class AnswerOut(Schema):
    conversation_id: UUID
    answer: str
    language: str = Field(..., description="'de' oder 'en', die Sprache der Frage")
    service: str | None = Field(None, description="Slug der Leistung, um die es geht")
    intents: list[str]
    sources: list[LinkOut]
    actions: list[LinkOut] = Field(..., description="Termin buchen, Online-Antrag")
    suggestions: list[str]
    choices: list[ChoiceOut] = Field(..., description="Rückfrage: welche Leistung gemeint ist")
    alternatives: list[ChoiceOut] = Field(
        ..., description="Weitere, fast ebenso passende Leistungen (als choice verwendbar)"
    )
    confidence: float
    fallback: bool = Field(..., description="Keine passende Leistung: Hinweis auf Telefon")
    message_id: int = Field(..., description="Nummer dieser Antwort, für die Rückmeldung")
    steps: list[ChoiceOut] = Field(
        ..., description="Bei einer Lebenslage: die Leistungen in der empfohlenen Reihenfolge"
    )
    elsewhere: str | None = Field(
        None, description="Zuständig ist eine andere Stelle (Kennung des Eintrags)"
    )


class ErrorOut(Schema):
    detail: str
    field: str | None
    reason: str


def _absolute(request, links: list[dict]) -> list[dict]:
    return [{**link, "url": request.build_absolute_uri(link["url"])} for link in links]


@router.post(
    "/ask",
    response={200: AnswerOut, 422: ErrorOut, 429: ErrorOut},
    summary="Frage stellen",
    auth=None,
)
def ask(request, payload: QuestionIn):
    """Beantwortet eine Frage aus den Leistungen der Kommune (anonym, ohne Konto)."""
    limit = getattr(settings, "RATHAUS_ASSISTANT_RATE_LIMIT", 30)
    verdict = hit("assistant-api", client_ip(request), limit, 60)
    if not verdict.allowed:
        return too_many(request, verdict)
    if not payload.question.strip():
        return Status(
            422,
            {
                "detail": "Bitte geben Sie eine Frage ein.",
                "field": "question",
                "reason": "required",
            },
        )
    # Stored with the conversation: a NUL was a 500 on PostgreSQL (ADR 0122).
    question = clean_text(
        payload.question, "question", max_length=services.MAX_QUESTION, multiline=True
    )
    choice = clean_text(payload.choice, "choice", max_length=120)
    conversation, reply = services.ask(
        request.municipality,
        question,
        conversation_id=payload.conversation_id,
        choice=choice,
        default_language=(get_language() or "de")[:2],
    )
    data = reply.data
    return {
        "conversation_id": conversation.pk,
        "answer": reply.text,
        "language": data.get("language", "de"),
        "service": data.get("service"),
        "intents": data.get("intents", []),
        "sources": _absolute(request, data.get("sources", [])),
        "actions": _absolute(request, data.get("actions", [])),
        "suggestions": data.get("suggestions", []),
        "choices": data.get("choices", []),
        "alternatives": data.get("alternatives", []),
        "confidence": data.get("confidence", 0.0),
        "fallback": data.get("fallback", False),
        "message_id": reply.pk,
        "steps": data.get("steps", []),
        "elsewhere": data.get("elsewhere"),
    }


@router.post(
    "/feedback",
    response={200: FeedbackOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Antwort bewerten",
    auth=None,
)
def feedback(request, payload: FeedbackIn):
    """„Hilfreich / nicht hilfreich“ zu einer Antwort; gespeichert wird nur anonymisierter Text."""
    verdict = hit("assistant-feedback", client_ip(request), 60, 60)
    if not verdict.allowed:
        return too_many(request, verdict)
    try:
        missing = clean_text(payload.missing, "missing", max_length=500, multiline=True)
    except ParseError as error:
        return Status(422, {"detail": error.reason, "field": error.field, "reason": error.code})
    try:
        services.give_feedback(
            request.municipality,
            payload.conversation_id,
            payload.message_id,
            helpful=payload.helpful,
            missing=missing,
        )
    except services.FeedbackError as error:
        return Status(
            404,
            {
                "detail": "Diese Antwort gibt es nicht (mehr).",
                "field": str(error),
                "reason": "not_found",
            },
        )
    return {"received": True}
