"""Conversations of the assistant (anonymous, short-lived) and the questions it could not answer.

A conversation has no IP address, no user and no session: only a random id that the
client sends back. It keeps the service in focus so follow-ups work, and it is
deleted after ``RATHAUS_ASSISTANT_RETENTION_SECONDS`` (see periodic.py).
Unanswered questions are stored separately, already anonymised, for catalog editors.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.catalog.models import Service
from rathaus.core.models import TenantModel


class Conversation(TenantModel):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    language = models.CharField(max_length=2, default="de")
    focus = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Services offered as choices in the last answer (slugs) and the intent that was
    # asked, so a choice can be answered without repeating the question.
    pending_choices = models.JSONField(default=list, blank=True)
    pending_intents = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("Unterhaltung")
        verbose_name_plural = _("Unterhaltungen")

    def __str__(self) -> str:
        return str(self.id)


class Message(models.Model):
    class Role(models.TextChoices):
        CITIZEN = "citizen", _("Frage")
        ASSISTANT = "assistant", _("Antwort")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    text = models.TextField()
    # The rendered answer parts (sources, suggestions, choices) so the page can be redrawn.
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.role}: {self.text[:40]}"


class OpenQuestion(TenantModel):
    """An anonymised question the assistant could not answer well, for catalog editors."""

    class Reason(models.TextChoices):
        NO_MATCH = "no_match", _("Keine passende Leistung")
        UNCLEAR = "unclear", _("Mehrere Leistungen möglich")
        NO_DATA = "no_data", _("Angabe fehlt im Katalog")

    text = models.CharField(_("Frage (anonymisiert)"), max_length=500)
    reason = models.CharField(_("Grund"), max_length=10, choices=Reason.choices)
    language = models.CharField(_("Sprache"), max_length=2, default="de")
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Leistung"),
    )
    confidence = models.FloatField(_("Sicherheit"), default=0.0)
    asked_at = models.DateTimeField(_("gefragt am"), auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Unbeantwortete Frage")
        verbose_name_plural = _("Unbeantwortete Fragen")
        ordering = ["-asked_at"]

    def __str__(self) -> str:
        return self.text


class Feedback(TenantModel):
    """A citizen's "hilfreich / nicht hilfreich" on one answer, anonymised like open questions.

    Stored without the conversation (which is deleted after two hours): the question's
    wording with personal data removed, what kind of answer it got, for which service,
    and the optional "was hat gefehlt?". One row per answer: a second click updates it.
    """

    class Kind(models.TextChoices):
        SERVICE = "service", _("Leistung")
        STEPS = "steps", _("Lebenslage mit Schritten")
        ELSEWHERE = "elsewhere", _("Andere Stelle zuständig")
        CHOICES = "choices", _("Rückfrage")
        FALLBACK = "fallback", _("Keine Antwort")
        PLACE = "place", _("Ort und Öffnungszeiten")

    message_id = models.BigIntegerField(_("Antwort-Nr."))
    question = models.CharField(_("Frage (anonymisiert)"), max_length=500)
    kind = models.CharField(_("Art der Antwort"), max_length=10, choices=Kind.choices)
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Leistung"),
    )
    helpful = models.BooleanField(_("hilfreich"))
    missing = models.CharField(_("Was hat gefehlt (anonymisiert)"), max_length=500, blank=True)
    language = models.CharField(_("Sprache"), max_length=2, default="de")
    created_at = models.DateTimeField(_("eingegangen am"), auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Rückmeldung zum Assistenten")
        verbose_name_plural = _("Rückmeldungen zum Assistenten")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "message_id"], name="assistant_feedback_once_per_answer"
            )
        ]

    def __str__(self) -> str:
        return f"{'+' if self.helpful else '-'} {self.question}"
