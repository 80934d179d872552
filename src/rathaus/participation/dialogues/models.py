"""Stadtteildialoge, Stadtteilwanderungen, Bürgersprechstunden: events, registrations, hints."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import TenantModel


class DialogueEvent(TenantModel):
    class Kind(models.TextChoices):
        DIALOGUE = "dialogue", _("Stadtteildialog")
        WALK = "walk", _("Stadtteilwanderung")
        CONSULTATION = "consultation", _("Bürgersprechstunde der Oberbürgermeisterin")
        TALK = "talk", _("Talkrunde")

    kind = models.CharField(_("Format"), max_length=20, choices=Kind.choices)
    slug = models.SlugField(max_length=120)
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    district = models.CharField(_("Stadtteil"), max_length=120, blank=True)
    venue = models.CharField(_("Ort"), max_length=200)
    starts_at = models.DateTimeField(_("Beginn"))
    ends_at = models.DateTimeField(_("Ende"))
    capacity = models.PositiveIntegerField(_("Plätze"), default=30)
    registration_open = models.BooleanField(_("Anmeldung geöffnet"), default=True)
    hints_published = models.BooleanField(_("Hinweise veröffentlicht"), default=False)
    summary = models.TextField(_("Auswertung"), blank=True)
    # Consultation hours book fixed-length slots through the appointments engine
    # (dialogues.slots); then the plain registration above is not used.
    appointment_offer = models.ForeignKey(
        "appointments.Offer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Terminangebot (Gesprächstermine)"),
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("Länge eines Gesprächstermins (Minuten)"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("Dialogveranstaltung")
        verbose_name_plural = _("Dialogveranstaltungen")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="dialogue_slug"),
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="dialogue_starts_first"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EventTopic(models.Model):
    event = models.ForeignKey(DialogueEvent, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("Thema"), max_length=120)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Registration(models.Model):
    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("E-Mail noch nicht bestätigt")
        CONFIRMED = "confirmed", _("Angemeldet")
        WAITLISTED = "waitlisted", _("Warteliste")
        CANCELLED = "cancelled", _("Abgemeldet")

    event = models.ForeignKey(DialogueEvent, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("Name"), max_length=120)
    email = models.EmailField(_("E-Mail-Adresse"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNCONFIRMED)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["confirmed_at", "id"]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.event}: {self.name}"


class Hint(models.Model):
    """A Hinweis from a citizen on one topic; visible once the event's hints are published."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Eingegangen")
        ACCEPTED = "accepted", _("Angenommen")
        HIDDEN = "hidden", _("Nicht veröffentlicht")

    event = models.ForeignKey(DialogueEvent, on_delete=models.CASCADE, related_name="hints")
    topic = models.ForeignKey(EventTopic, on_delete=models.CASCADE, related_name="hints")
    text = models.TextField(_("Ihr Hinweis"))
    answer = models.TextField(_("Antwort der Verwaltung"), blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["topic__position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class YearPlanPaper(TenantModel):
    """The council paper draft made from a year's dialogue plan (one per town and year,
    so a second click finds the first draft instead of making another)."""

    year = models.PositiveSmallIntegerField(_("Jahr"))
    paper = models.ForeignKey(
        "council.Paper",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("Drucksache im Ratsinformationssystem"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Jahresplan als Drucksache")
        verbose_name_plural = _("Jahrespläne als Drucksachen")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="year_plan_paper_once")
        ]

    def __str__(self) -> str:
        return f"{self.year}"
