"""The one write path of the applications module.

Every change of state is one function here: one transaction, one audit entry,
e-mails and webhooks enqueued only after commit.
"""

import functools
import hashlib
import secrets
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from rathaus.catalog import fee_rules
from rathaus.catalog import services as catalog_services
from rathaus.catalog.models import Service
from rathaus.core import audit

from . import formengine, representation
from .models import (
    Application,
    CaseEvent,
    FormDefinition,
    Message,
    SubmissionEvent,
    Upload,
    WebhookDelivery,
    WebhookEndpoint,
)


class ApplicationError(Exception):
    """A German message for the citizen or clerk."""


# --- forms and the catalog ---------------------------------------------------------------


def publish_form(form: FormDefinition, *, actor=None) -> FormDefinition:
    """Publish a form version (retiring the previous one) and raise the service's maturity.

    The maturity goes through the catalog's write path (history and audit entry).
    """
    formengine.validate_schema(form.schema)
    check_form_fees(form)
    with transaction.atomic():
        FormDefinition.objects.filter(
            service=form.service, state=FormDefinition.State.PUBLISHED
        ).exclude(pk=form.pk).update(state=FormDefinition.State.RETIRED)
        form.state = FormDefinition.State.PUBLISHED
        form.published_at = timezone.now()
        form.save(update_fields=["state", "published_at"])
        audit.record("applications.form_published", form, actor=actor, data={"v": form.version})
        set_service_maturity(form.service, form.maturity_level, actor=actor, note="Online-Formular")
    return form


def set_service_maturity(service: Service, level: int, *, actor=None, note: str = "") -> bool:
    """Raise a catalog entry's maturity through the catalog's write path; never lowers it."""
    if service.maturity_level >= level:
        return False
    catalog_services.record_maturity(service, level, actor=actor, note=note)
    return True


def published_form_maturity(service: Service) -> tuple[int, str] | None:
    """The maturity a published online form proves (the catalog's import keeps it)."""
    form = published_form(service)
    return (form.maturity_level, "Online-Formular") if form else None


def published_form(service: Service) -> FormDefinition | None:
    return service.form_definitions.filter(state=FormDefinition.State.PUBLISHED).first()


def fee_schedule(service: Service) -> list[dict]:
    """The service's fee rows as the citizen reads them before starting (no sum)."""
    return [
        {
            "label": fee.label,
            "amount": fee.amount,
            "amount_max": fee.amount_max,
            "reduction_percent": fee.reduction_percent,
            "note": fee.note,
        }
        for fee in service.fees.all()
        if fee.amount or fee.amount_max or fee.reduction_percent
    ]


def compute_fee(app: Application) -> tuple[int, list[dict]]:
    """What this applicant owes: the service's fee rules applied to the answers.

    Raises ApplicationError if a rule that applies cannot be charged online (a range).
    """
    try:
        lines = fee_rules.evaluate(app.service.fees.all(), app.data)
    except fee_rules.FeeRuleError as exc:
        raise ApplicationError(
            "Die Gebühr für Ihre Angaben kann nicht online berechnet werden. Bitte wenden "
            f"Sie sich an {app.service.office.name}."
        ) from exc
    return fee_rules.total_cents(lines), [line.as_dict() for line in lines]


def _refresh_fee(app: Application) -> None:
    try:
        app.fee_cents, app.fee_lines = compute_fee(app)
    except ApplicationError:
        app.fee_cents, app.fee_lines = 0, []  # submit refuses with the message


def check_form_fees(form: FormDefinition) -> None:
    """Refuse a form whose service's fee rows cannot be charged from its answers.

    With more than one row, every row needs a rule (rows are alternatives, not a sum:
    the dog-tax bug); rules may only read answers the form asks; ranges cannot be charged.
    """
    rows = list(form.service.fees.all())
    fields = formengine.answer_names(form.schema)
    for row in rows:
        if len(rows) > 1 and not row.rule:
            raise ApplicationError(
                f"Gebührenzeile „{row.label}“ hat keine Regel, wann sie gilt. Bei mehreren "
                "Gebührenzeilen braucht jede eine Regel."
            )
        if row.amount_max is not None and "ermaessigung_prozent" not in (row.rule or {}):
            raise ApplicationError(f"Gebührenzeile „{row.label}“ ist eine Spanne.")
        for name in fee_rules.referenced_fields(row.rule):
            if name not in fields:
                raise ApplicationError(
                    f"Gebührenzeile „{row.label}“ liest die Antwort „{name}“, die das "
                    "Formular nicht erfragt."
                )


# --- drafts and submission ---------------------------------------------------------------


def start_draft(form: FormDefinition, *, user=None, guest_email: str = "") -> Application:
    with transaction.atomic():
        app = Application.objects.create(
            municipality=form.municipality,
            form=form,
            service=form.service,
            applicant=user if getattr(user, "is_authenticated", False) else None,
            guest_email=guest_email,
        )
        SubmissionEvent.objects.create(application=app, state=Application.State.DRAFT)
        audit.record("applications.draft_started", app, actor=user)
    return app


def _store_upload(app: Application, name: str, uploaded, user) -> dict:
    content = uploaded.read()
    upload = Upload(
        application=app,
        field=name,
        original_name=uploaded.name[:200],
        content_type=getattr(uploaded, "detected_type", "application/octet-stream"),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    upload.file.save(uploaded.name, ContentFile(content), save=False)
    upload.save()
    return {"upload": upload.pk, "name": upload.original_name}


def save_step(app: Application, step_key: str, form: formengine.StepForm, *, user=None) -> None:
    """Store one valid step of a draft (files included) and mark the step done."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=app.pk)
        if not locked.is_draft:
            raise ApplicationError("Dieser Antrag wurde bereits abgeschickt.")
        data = dict(locked.data)
        data.update(form.json_data())
        for name, spec in form.specs.items():
            uploaded = form.cleaned_data.get(name) if spec["type"] == "file" else None
            if uploaded:
                old = data.get(name)
                if isinstance(old, dict) and old.get("upload") is not None:
                    Upload.objects.filter(application=locked, pk=old["upload"]).delete()
                data[name] = _store_upload(locked, name, uploaded, user)
        done = [k for k in data.get("_steps_done", []) if k != step_key] + [step_key]
        data["_steps_done"] = done
        locked.data = formengine.prune_hidden(locked.form.schema, data)
        locked.acting_as, locked.represented = representation.record(locked.data)
        _refresh_fee(locked)
        locked.save(
            update_fields=[
                "data",
                "acting_as",
                "represented",
                "fee_cents",
                "fee_lines",
                "updated_at",
            ]
        )
        _drop_orphan_uploads(locked)
    app.refresh_from_db()


def discard_draft(app: Application, *, user=None) -> bool:
    """Delete a draft with its uploads (the citizen's "Entwurf löschen"); False if submitted."""
    if not app.is_draft:
        return False
    for upload in app.uploads.all():
        upload.file.delete(save=False)
    with transaction.atomic():
        audit.record("applications.draft_discarded", app, actor=user)
        app.delete()
    return True


def _drop_orphan_uploads(app: Application) -> None:
    kept = {v["upload"] for v in app.data.values() if isinstance(v, dict) and "upload" in v}
    app.uploads.filter(field__gt="", is_notice=False).exclude(pk__in=kept).filter(
        messages__isnull=True
    ).delete()


def new_reference(app: Application) -> str:
    """Short, unguessable, readable: e.g. HUND-2026-7K3F9Q (no 0/O/1/I)."""
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    prefix = "".join(ch for ch in app.service.slug.split("-")[0].upper() if ch.isalpha())[:4]
    while True:
        code = "".join(secrets.choice(alphabet) for _ in range(6))
        reference = f"{prefix or 'ANT'}-{timezone.localdate().year}-{code}"
        if not Application.objects.filter(
            municipality=app.municipality, reference=reference
        ).exists():
            return reference


def submit(
    app: Application, *, user=None, shown_fee_cents: int | None = None
) -> tuple[Application, bool]:
    """Submit a draft exactly once: a repeated or concurrent call returns the same application.

    The row lock (PostgreSQL) or the write transaction (SQLite) makes the second
    caller see the first one's result, so a double click never creates two cases.
    The fee is computed from the final answers and fixed here; if the citizen was
    shown another amount (``shown_fee_cents``), nothing is submitted.
    """
    stale_fee = None
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update().select_related("form", "service").get(pk=app.pk)
        )
        if not locked.is_draft:
            return locked, False
        missing = formengine.missing_steps(locked.form.schema, locked.data)
        if missing:
            raise ApplicationError("Bitte beantworten Sie zuerst alle Fragen.")
        fee, lines = compute_fee(locked)
        locked.fee_cents, locked.fee_lines = fee, lines
        if shown_fee_cents is not None and fee != shown_fee_cents:
            locked.save(update_fields=["fee_cents", "fee_lines", "updated_at"])
            stale_fee = fee
        else:
            _mark_submitted(locked, user)
    if stale_fee is not None:  # outside the block: the new amount stays for the check page
        raise ApplicationError(
            f"Die Gebühr beträgt jetzt {_euros(stale_fee)} (statt {_euros(shown_fee_cents or 0)}). "
            "Bitte prüfen Sie den Betrag und senden Sie den Antrag erneut ab."
        )
    return locked, True


def _mark_submitted(locked: Application, user) -> None:
    """The state change of ``submit``, inside its transaction and row lock."""
    statuses = locked.form.statuses()
    locked.state = Application.State.SUBMITTED
    locked.reference = new_reference(locked)
    locked.submitted_at = timezone.now()
    locked.case_status = statuses[0][0]
    locked.due_date = timezone.localdate() + timedelta(days=locked.form.processing_days)
    locked.save()
    SubmissionEvent.objects.create(application=locked, state=Application.State.SUBMITTED)
    CaseEvent.objects.create(
        application=locked,
        kind=CaseEvent.Kind.STATUS,
        status=statuses[0][0],
        actor=user if getattr(user, "is_authenticated", False) else None,
        actor_label="Antragsteller/in",
        text="Antrag online eingereicht.",
        internal=False,
    )
    audit.record("applications.submitted", locked, actor=user, data={"ref": locked.reference})
    _confirm_by_email(locked)
    if not locked.fee_cents:
        announce_ready(locked)


def _euros(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d} €"


def _confirm_by_email(app: Application) -> None:
    from .tasks import send_case_mail

    if app.contact_email:
        transaction.on_commit(functools.partial(send_case_mail.enqueue, app.pk, "submitted"))


def announce_ready(app: Application) -> None:
    """The submission is complete (and paid): tell the citizen's Postfach and the webhooks."""
    if app.applicant_id:
        Message.objects.create(
            municipality=app.municipality,
            application=app,
            recipient_id=app.applicant_id,
            direction=Message.Direction.TO_CITIZEN,
            kind=Message.Kind.STATUS,
            subject=f"Antrag {app.reference} eingegangen",
            body=(
                f"Ihr Antrag „{app.service.name}“ ist vollständig bei uns eingegangen. "
                f"Aktenzeichen: {app.reference}. Sie erhalten hier Nachricht, sobald sich "
                "etwas ändert."
            ),
        )
    emit_event(app, "submission.ready")


def emit_event(app: Application, event: str) -> None:
    """Create signed deliveries for every active webhook and enqueue them after commit."""
    from .tasks import deliver_webhook

    payload = {
        "event": event,
        "reference": app.reference,
        "service": app.service.slug,
        "status": app.case_status,
        "outcome": app.outcome,
        "occurred_at": timezone.now().isoformat(),
    }
    for endpoint in WebhookEndpoint.objects.for_municipality(app.municipality).filter(
        is_active=True
    ):
        if endpoint.events and event not in endpoint.events:
            continue
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, payload=payload)
        transaction.on_commit(functools.partial(deliver_webhook.enqueue, delivery.pk))


# --- privacy ---------------------------------------------------------------------------

#: Drafts nobody touched for this many days are deleted.
DRAFT_DAYS = 30


def anonymise(app: Application) -> None:
    """Delete personal data of a closed case; the figures (service, dates, outcome) stay."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=app.pk)
        if locked.anonymised_at:
            return
        for upload in locked.uploads.all():
            upload.file.delete(save=False)
        locked.uploads.all().delete()
        locked.messages.all().delete()
        # Notes, requests and decision texts are free text about the person: cleared.
        # (the one sanctioned change of the append-only history: retention, ADR 0170)
        locked.case_events.exclude(text="").update(text="")
        locked.data = {}
        locked.represented = {}  # the capacity (acting_as) stays for the statistics
        locked.applicant = None
        locked.guest_email = ""
        locked.anonymised_at = timezone.now()
        locked.save()
        CaseEvent.objects.create(
            application=locked,
            kind=CaseEvent.Kind.ANONYMISED,
            actor_label="Löschfrist",
            text="Personenbezogene Daten nach Ablauf der Aufbewahrungsfrist gelöscht.",
        )
        audit.record("applications.anonymised", locked, actor_label="Löschfrist")


def apply_retention(now=None) -> int:
    """Both retention jobs of the module (closed cases, stale drafts); returns how many."""
    now = now or timezone.now()
    return anonymise_closed_cases(now) + delete_stale_drafts(now)


def anonymise_closed_cases(now) -> int:
    """Retention job: anonymise closed cases past their form's retention period."""
    done = 0
    closed = (
        Application.objects.filter(anonymised_at__isnull=True, state=Application.State.SUBMITTED)
        .exclude(closed_at__isnull=True, decided_at__isnull=True)
        .select_related("form")
    )
    for app in closed.iterator():
        end = app.closed_at or app.decided_at
        if end is not None and end + timedelta(days=app.form.retention_days) <= now:
            anonymise(app)
            done += 1
    return done


def delete_stale_drafts(now) -> int:
    """Retention job: drafts untouched for 30 days are deleted (their files with them)."""
    done = 0
    stale = Application.objects.filter(
        state=Application.State.DRAFT, updated_at__lt=now - timedelta(days=DRAFT_DAYS)
    )
    for app in stale:
        with transaction.atomic():
            audit.record("applications.draft_expired", app, actor_label="Löschfrist")
            app.uploads.all().delete()  # each file goes with its row (core.files)
            app.delete()
        done += 1
    return done


def retry_webhooks(now=None) -> int:
    """Periodic job: enqueue undelivered webhook deliveries again (at most 5 tries, 2 days)."""
    from .tasks import deliver_webhook

    now = now or timezone.now()
    pending = WebhookDelivery.objects.filter(
        delivered_at__isnull=True,
        attempts__gt=0,
        attempts__lt=5,
        created_at__gte=now - timedelta(days=2),
    ).values_list("pk", flat=True)
    for pk in pending:
        deliver_webhook.enqueue(pk)
    return len(pending)


def anonymise_booking_payments(now) -> int:
    """Retention job: once a booking's personal data are gone (the appointments app's
    period after the appointment), its fee payment loses the reference that leads back
    to the booking – the old booking code in the purpose and the provider's page link.
    Amount, status, provider id and dates stay as the cash office's record."""
    from rathaus.appointments.services.retention import retention_days
    from rathaus.core.models import Municipality

    from .models import Payment

    due = Payment.objects.filter(
        booking__isnull=False, booking__ends_at__lt=now - timedelta(days=retention_days())
    ).exclude(description=BOOKING_PAYMENT_ANONYMISED, next_url="")
    done = 0
    for town_id in set(due.values_list("municipality_id", flat=True)):
        with transaction.atomic():
            count = due.filter(municipality_id=town_id).update(
                description=BOOKING_PAYMENT_ANONYMISED, next_url=""
            )
            audit.record(
                "applications.booking_payments_anonymised",
                Municipality.objects.get(pk=town_id),
                data={"count": count},
                actor_label="Löschfrist",
            )
        done += count
    return done


#: The purpose of a booking payment after its retention period (no booking code).
BOOKING_PAYMENT_ANONYMISED = "Reservierungsgebühr (Termin anonymisiert)"


# --- pick-up (ADR 0029) ------------------------------------------------------------------


def mark_ready_for_pickup(app: Application, *, actor=None) -> bool:
    """The clerk marks the document ready for pick-up: once. The citizen gets one mail
    with a signed link to book a pick-up slot (or the walk-in hours); a second call
    (double click, second clerk) changes nothing and sends nothing. Returns True once."""
    from .tasks import send_pickup_mail

    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=app.pk)
        if locked.is_draft or locked.anonymised_at:
            raise ApplicationError("Dieser Antrag kann nicht als abholbereit gemeldet werden.")
        if locked.pickup_ready_at:
            return False
        locked.pickup_ready_at = timezone.now()
        locked.save(update_fields=["pickup_ready_at", "updated_at"])
        CaseEvent.objects.create(
            application=locked,
            kind=CaseEvent.Kind.NOTE,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            actor_label="Sachbearbeitung",
            text="Liegt zur Abholung bereit. Die antragstellende Person wurde benachrichtigt.",
            internal=False,
        )
        audit.record("applications.pickup_ready", locked, actor=actor)
        if locked.contact_email:
            transaction.on_commit(functools.partial(send_pickup_mail.enqueue, locked.pk))
    app.refresh_from_db()
    return True


def book_pickup(app: Application, offer, starts_at):
    """Book the pick-up slot for a case that is ready: one per case (a second call returns
    the first booking while it is active). The link proved the address, so the booking
    is confirmed at once; it is recorded on the case and in its history."""
    from rathaus.appointments import services as appointment_services

    with transaction.atomic():
        # no outer join under FOR UPDATE (PostgreSQL refuses the nullable side)
        locked = Application.objects.select_for_update().get(pk=app.pk)
        if not locked.pickup_ready_at or locked.anonymised_at:
            raise ApplicationError("Für diesen Antrag liegt nichts zur Abholung bereit.")
        current = locked.pickup_booking
        if current is not None and current.is_active:
            return current
        booking = appointment_services.hold(
            offer,
            starts_at,
            name=_applicant_name(locked),
            email=locked.contact_email,
            preconfirmed=True,
            idempotency_key=f"abholung-{locked.key}-{starts_at:%Y%m%d%H%M}",
        )
        locked.pickup_booking = booking
        locked.save(update_fields=["pickup_booking", "updated_at"])
        CaseEvent.objects.create(
            application=locked,
            kind=CaseEvent.Kind.NOTE,
            actor_label="Antragsteller/in",
            text=f"Abholtermin gebucht: {timezone.localtime(booking.starts_at):%d.%m.%Y %H:%M} "
            f"Uhr, {booking.resource.location.name} (Buchungscode {booking.code}).",
            internal=False,
        )
        audit.record("applications.pickup_booked", locked, data={"booking": booking.code})
    return booking


def _applicant_name(app: Application) -> str:
    if app.applicant is not None and app.applicant.get_full_name():
        return app.applicant.get_full_name()
    name = f"{app.data.get('vorname', '')} {app.data.get('nachname', '')}".strip()
    return name or app.reference
