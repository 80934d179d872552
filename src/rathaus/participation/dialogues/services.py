"""The one write path of dialogues: registration with double opt-in and waiting list, hints."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from rathaus.core import audit, tenancy

from ..tasks import mail_after_commit
from .models import DialogueEvent, Hint, Registration

Status = Registration.Status
ACTIVE = (Status.UNCONFIRMED, Status.CONFIRMED, Status.WAITLISTED)


def manage_url(registration) -> str:
    path = reverse("participation:registration", args=[registration.token])
    return tenancy.public_url(registration.event.municipality, path)


def seats_taken(event) -> int:
    return event.registrations.filter(status=Status.CONFIRMED).count()


def registration_open(event) -> bool:
    """Plain registration; consultation hours with slots book through the Terminvergabe."""
    if event.appointment_offer_id is not None:
        return False
    return event.registration_open and event.starts_at > timezone.now()


@transaction.atomic
def register(event, *, name: str, email: str) -> Registration:
    """Step one of the double opt-in. The same address twice: the mail is sent again."""
    if event.appointment_offer_id is not None:
        raise ValidationError("Für die Sprechstunde buchen Sie bitte einen Gesprächstermin.")
    if not registration_open(event):
        raise ValidationError("Für diese Veranstaltung ist keine Anmeldung (mehr) möglich.")
    email = email.strip().lower()
    registration = event.registrations.filter(email=email, status__in=ACTIVE).first()
    if registration is None:
        registration = Registration.objects.create(event=event, name=name.strip(), email=email)
        audit.record(
            "participation.dialogue.registered",
            registration,
            municipality=event.municipality,
            actor_label="Bürger/in",
        )
    mail_after_commit("dialogue_confirm", registration.pk)
    return registration


def _registration(pk) -> Registration | None:
    return Registration.objects.select_related("event__municipality").filter(pk=pk).first()


def confirm_request_mail(pk, ids=()):
    """Step one's mail, rendered when the task runs (the task row has the id only)."""
    registration = _registration(pk)
    if registration is None or registration.status != Status.UNCONFIRMED:
        return None
    event = registration.event
    return (
        f"Bitte bestätigen Sie Ihre Anmeldung: {event.title}",
        f"Guten Tag {registration.name},\n\nbitte bestätigen Sie Ihre Anmeldung zu „{event.title}“ "
        f"am {timezone.localtime(event.starts_at):%d.%m.%Y um %H:%M} Uhr ({event.venue}):\n"
        f"{manage_url(registration)}\n\nOhne Bestätigung verfällt die Anmeldung nach 48 Stunden.",
        registration.email,
        event.municipality,
    )


def _lock_event(event) -> DialogueEvent:
    return DialogueEvent.objects.select_for_update().get(pk=event.pk)


@transaction.atomic
def confirm(registration) -> Registration:
    """Step two: a seat if one is free (counted under a row lock), else the waiting list."""
    event = _lock_event(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != Status.UNCONFIRMED:
        return registration  # double click
    if not registration_open(event):
        raise ValidationError("Die Anmeldung ist geschlossen.")
    registration.confirmed_at = timezone.now()
    registration.status = (
        Status.CONFIRMED if seats_taken(event) < event.capacity else Status.WAITLISTED
    )
    registration.save()
    audit.record(
        "participation.dialogue.confirmed",
        registration,
        municipality=event.municipality,
        data={"status": registration.status},
    )
    _mail_status(registration)
    return registration


@transaction.atomic
def cancel(registration) -> Registration:
    event = _lock_event(registration.event)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status == Status.CANCELLED:
        return registration
    freed = registration.status == Status.CONFIRMED
    registration.status = Status.CANCELLED
    registration.save()
    audit.record("participation.dialogue.cancelled", registration, municipality=event.municipality)
    if freed:
        _promote_from_waiting_list(event)
    return registration


def _promote_from_waiting_list(event) -> None:
    if seats_taken(event) >= event.capacity:
        return
    waiting = event.registrations.filter(status=Status.WAITLISTED).order_by("confirmed_at", "id")
    nxt = waiting.select_for_update().first()
    if nxt is None:
        return
    nxt.status = Status.CONFIRMED
    nxt.save(update_fields=["status"])
    audit.record("participation.dialogue.promoted", nxt, municipality=event.municipality)
    _mail_status(nxt)


def _mail_status(registration) -> None:
    mail_after_commit("dialogue_status", registration.pk)


def status_mail(pk, ids=()):
    """Seat or waiting list, as the registration stands when the task runs."""
    registration = _registration(pk)
    if registration is None or registration.status not in (Status.CONFIRMED, Status.WAITLISTED):
        return None
    event = registration.event
    when = f"{timezone.localtime(event.starts_at):%d.%m.%Y um %H:%M} Uhr"
    if registration.status == Status.CONFIRMED:
        text = f"Sie sind angemeldet: „{event.title}“ am {when}, {event.venue}."
    else:
        text = (
            f"Alle Plätze für „{event.title}“ sind vergeben. Sie stehen auf der Warteliste; "
            "wird ein Platz frei, rücken Sie automatisch nach und erhalten eine E-Mail."
        )
    return (
        f"{registration.get_status_display()}: {event.title}",
        f"Guten Tag {registration.name},\n\n{text}\n\nAnmeldung ansehen oder absagen: "
        f"{manage_url(registration)}",
        registration.email,
        event.municipality,
    )


@transaction.atomic
def submit_hint(event, *, topic, text: str) -> Hint:
    if topic.event_id != event.pk:
        raise ValidationError("Dieses Thema gehört nicht zur Veranstaltung.")
    if event.hints_published:
        raise ValidationError("Die Hinweise zu dieser Veranstaltung sind bereits ausgewertet.")
    hint = Hint.objects.create(event=event, topic=topic, text=text.strip())
    audit.record("participation.dialogue.hint", hint, municipality=event.municipality)
    return hint


@transaction.atomic
def review_hint(hint, *, actor, status: str, answer: str = "") -> Hint:
    if status not in Hint.Status.values:
        raise ValidationError("Unbekannter Status.")
    hint.status = status
    hint.answer = answer.strip()
    hint.save()
    audit.record(
        "participation.dialogue.hint_reviewed",
        hint,
        actor=actor,
        municipality=hint.event.municipality,
        data={"status": status},
    )
    return hint


@transaction.atomic
def publish_hints(event, *, actor, summary: str = "") -> DialogueEvent:
    event = _lock_event(event)
    event.hints_published = True
    if summary:
        event.summary = summary.strip()
    event.save()
    audit.record("participation.dialogue.hints_published", event, actor=actor)
    return event
