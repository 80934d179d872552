"""The one write path of the applications module.

Every change of state is one function here: one transaction, one audit entry,
e-mails and webhooks enqueued only after commit.
"""

import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone

from rathaus.catalog.models import MaturityChange, Service
from rathaus.core import audit

from . import formengine
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

    The catalog has no write service yet, so this module writes Service.maturity_level
    and MaturityChange itself (with an audit entry), see docs/adr/0030.
    """
    formengine.validate_schema(form.schema)
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
    """Record a maturity change of a catalog entry; only upwards from an online form."""
    if service.maturity_level >= level:
        return False
    with transaction.atomic():
        old = service.maturity_level
        Service.objects.filter(pk=service.pk).update(maturity_level=level)
        service.maturity_level = level
        MaturityChange.objects.create(
            service=service, level=level, changed_on=timezone.localdate(), note=note
        )
        audit.record(
            "catalog.maturity_changed", service, actor=actor, data={"from": old, "to": level}
        )
    return True


def published_form(service: Service) -> FormDefinition | None:
    return service.form_definitions.filter(state=FormDefinition.State.PUBLISHED).first()


def fee_cents(service: Service) -> int:
    """The fixed fees of the catalog entry (ranges are charged at their lower bound)."""
    total = service.fees.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return int((total * 100).quantize(Decimal("1")))


# --- drafts and submission ---------------------------------------------------------------


def start_draft(form: FormDefinition, *, user=None, guest_email: str = "") -> Application:
    with transaction.atomic():
        app = Application.objects.create(
            municipality=form.municipality,
            form=form,
            service=form.service,
            applicant=user if getattr(user, "is_authenticated", False) else None,
            guest_email=guest_email,
            fee_cents=fee_cents(form.service),
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
                if isinstance(old, dict):
                    Upload.objects.filter(application=locked, pk=old.get("upload")).delete()
                data[name] = _store_upload(locked, name, uploaded, user)
        done = [k for k in data.get("_steps_done", []) if k != step_key] + [step_key]
        data["_steps_done"] = done
        locked.data = formengine.prune_hidden(locked.form.schema, data)
        locked.save(update_fields=["data", "updated_at"])
        _drop_orphan_uploads(locked)
    app.refresh_from_db()


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


def submit(app: Application, *, user=None) -> tuple[Application, bool]:
    """Submit a draft exactly once: a repeated or concurrent call returns the same application.

    The row lock (PostgreSQL) or the write transaction (SQLite) makes the second
    caller see the first one's result, so a double click never creates two cases.
    """
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update().select_related("form", "service").get(pk=app.pk)
        )
        if not locked.is_draft:
            return locked, False
        missing = formengine.missing_steps(locked.form.schema, locked.data)
        if missing:
            raise ApplicationError("Bitte beantworten Sie zuerst alle Fragen.")
        statuses = locked.form.statuses()
        now = timezone.now()
        locked.state = Application.State.SUBMITTED
        locked.reference = new_reference(locked)
        locked.submitted_at = now
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
    return locked, True


def _confirm_by_email(app: Application) -> None:
    from .tasks import send_email

    email = app.contact_email
    if not email:
        return
    body = render_to_string("applications/email/submitted.txt", {"app": app})
    subject = f"Ihr Antrag {app.reference}: {app.service.name}"
    transaction.on_commit(lambda: send_email.enqueue(email, subject, body))


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
        transaction.on_commit(lambda pk=delivery.pk: deliver_webhook.enqueue(pk))


# --- the case --------------------------------------------------------------------------


def _event(app, kind, actor, *, status="", text="", internal=True):
    return CaseEvent.objects.create(
        application=app,
        kind=kind,
        actor=actor,
        actor_label=str(actor) if actor else "",
        status=status,
        text=text,
        internal=internal,
    )


def _post(app, *, kind, subject, body, sender=None, attachments=()):
    if not app.applicant_id:
        if app.guest_email:
            from .tasks import send_email

            email, ids = app.guest_email, [a.pk for a in attachments]
            guest_body = f"{body}\n\nAktenzeichen: {app.reference}\n{app.municipality.name}"
            transaction.on_commit(lambda: send_email.enqueue(email, subject, guest_body, ids))
        return None
    message = Message.objects.create(
        municipality=app.municipality,
        application=app,
        recipient_id=app.applicant_id,
        direction=Message.Direction.TO_CITIZEN,
        kind=kind,
        subject=subject,
        body=body,
        sender=sender,
    )
    if attachments:
        message.attachments.set(attachments)
    _notify_new_message(app)
    return message


def _notify_new_message(app):
    from .tasks import send_email

    email = app.contact_email
    subject = f"Neue Nachricht zu Ihrem Antrag {app.reference}"
    body = render_to_string("applications/email/new_message.txt", {"app": app})
    transaction.on_commit(lambda: send_email.enqueue(email, subject, body))


def _lock(app: Application) -> Application:
    locked = Application.objects.select_for_update().get(pk=app.pk)
    if locked.is_draft:
        raise ApplicationError("Entwürfe können nicht bearbeitet werden.")
    return locked


def change_status(app: Application, status: str, *, actor, notify: bool = True) -> None:
    keys = [k for k, _ in app.form.statuses()]
    if status not in keys:
        raise ApplicationError("Diesen Bearbeitungsstand gibt es für diese Leistung nicht.")
    with transaction.atomic():
        locked = _lock(app)
        if locked.case_status == status:
            return
        locked.case_status = status
        if status == keys[-1]:
            locked.closed_at = timezone.now()
        locked.save(update_fields=["case_status", "closed_at", "updated_at"])
        label = locked.form.status_label(status)
        _event(locked, CaseEvent.Kind.STATUS, actor, status=status, text=label, internal=False)
        audit.record("applications.status_changed", locked, actor=actor, data={"status": status})
        if notify:
            _post(
                locked,
                kind=Message.Kind.STATUS,
                subject=f"Neuer Stand Ihres Antrags {locked.reference}: {label}",
                body=f"Der Bearbeitungsstand Ihres Antrags „{locked.service.name}“ ist jetzt: "
                f"{label}.",
                sender=actor,
            )
        emit_event(locked, "case.status_changed")
    app.refresh_from_db()


def add_note(app: Application, text: str, *, actor) -> None:
    if not text.strip():
        raise ApplicationError("Die Notiz ist leer.")
    with transaction.atomic():
        locked = _lock(app)
        _event(locked, CaseEvent.Kind.NOTE, actor, text=text.strip())
        audit.record("applications.note_added", locked, actor=actor)


def assign(app: Application, assignee, *, actor) -> None:
    with transaction.atomic():
        locked = _lock(app)
        locked.assignee = assignee
        locked.save(update_fields=["assignee", "updated_at"])
        text = f"Zugewiesen an {assignee}" if assignee else "Zuweisung aufgehoben"
        _event(locked, CaseEvent.Kind.ASSIGN, actor, text=text)
        audit.record(
            "applications.assigned", locked, actor=actor, data={"to": getattr(assignee, "pk", None)}
        )
    app.refresh_from_db()


def set_due_date(app: Application, due, *, actor) -> None:
    with transaction.atomic():
        locked = _lock(app)
        locked.due_date = due
        locked.save(update_fields=["due_date", "updated_at"])
        _event(locked, CaseEvent.Kind.DUE, actor, text=f"Frist: {due:%d.%m.%Y}" if due else "")
        audit.record("applications.due_set", locked, actor=actor, data={"due": str(due)})
    app.refresh_from_db()


REQUEST_STATUS = "unterlagen_nachgefordert"


def request_documents(app: Application, text: str, *, actor) -> Message | None:
    """Ask the citizen for more documents: Postfach message, case status, history."""
    if not text.strip():
        raise ApplicationError("Bitte beschreiben Sie, welche Unterlagen fehlen.")
    with transaction.atomic():
        locked = _lock(app)
        if locked.is_closed:
            raise ApplicationError("Der Vorgang ist abgeschlossen.")
        _event(locked, CaseEvent.Kind.REQUEST, actor, text=text.strip(), internal=False)
        if REQUEST_STATUS in dict(locked.form.statuses()):
            locked.case_status = REQUEST_STATUS
            locked.save(update_fields=["case_status", "updated_at"])
            _event(locked, CaseEvent.Kind.STATUS, actor, status=REQUEST_STATUS, internal=False)
        message = _post(
            locked,
            kind=Message.Kind.REQUEST,
            subject=f"Bitte reichen Sie Unterlagen nach ({locked.reference})",
            body=text.strip()
            + "\n\nSie können die Unterlagen als Antwort auf diese Nachricht hochladen.",
            sender=actor,
        )
        audit.record("applications.documents_requested", locked, actor=actor)
    app.refresh_from_db()
    return message


def citizen_reply(app: Application, text: str, files, *, user) -> Message:
    """A citizen answers in the Postfach, optionally with files (e.g. requested documents)."""
    if not text.strip() and not files:
        raise ApplicationError("Bitte schreiben Sie eine Nachricht oder laden Sie eine Datei hoch.")
    with transaction.atomic():
        locked = _lock(app)
        if locked.anonymised_at:
            raise ApplicationError("Dieser Vorgang ist archiviert.")
        message = Message.objects.create(
            municipality=locked.municipality,
            application=locked,
            recipient=user,
            direction=Message.Direction.FROM_CITIZEN,
            kind=Message.Kind.REPLY,
            subject=f"Antwort zu {locked.reference}",
            body=text.strip(),
            sender=user,
            read_at=None,
        )
        uploads = []
        for uploaded in files:
            info = _store_upload(locked, "", uploaded, user)
            uploads.append(info["upload"])
        if uploads:
            message.attachments.set(uploads)
            _event(
                locked,
                CaseEvent.Kind.DOCUMENTS,
                user,
                text=f"{len(uploads)} Datei(en) nachgereicht.",
                internal=False,
            )
            if locked.case_status == REQUEST_STATUS:
                back = "in_bearbeitung" if "in_bearbeitung" in dict(locked.form.statuses()) else ""
                if back:
                    locked.case_status = back
                    locked.save(update_fields=["case_status", "updated_at"])
                    _event(locked, CaseEvent.Kind.STATUS, user, status=back, internal=False)
        audit.record("applications.citizen_reply", locked, actor=user, data={"files": uploads})
    return message


def render_notice_pdf(app: Application, outcome: str, text: str, actor) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "applications/notice_pdf.html",
        {
            "app": app,
            "outcome": dict(Application.Outcome.choices).get(outcome, outcome),
            "outcome_key": outcome,
            "text": text,
            "clerk": actor,
            "answers": formengine.answers(app.form.schema, app.data),
            "today": timezone.localdate(),
            "municipality": app.municipality,
            "office": app.service.office,
        },
    )
    return HTML(string=html).write_pdf()


def decide(app: Application, outcome: str, text: str, *, actor) -> Message | None:
    """Decide the case: outcome field, a Bescheid as PDF, Postfach delivery, status change."""
    if outcome not in {o for o in Application.Outcome.values if o}:
        raise ApplicationError("Bitte wählen Sie ein Ergebnis.")
    if not text.strip():
        raise ApplicationError("Bitte begründen Sie die Entscheidung.")
    with transaction.atomic():
        locked = _lock(app)
        if locked.outcome:
            raise ApplicationError("Über diesen Antrag wurde bereits entschieden.")
        locked.outcome = outcome
        locked.decided_at = timezone.now()
        keys = [k for k, _ in locked.form.statuses()]
        if "entschieden" in keys:
            locked.case_status = "entschieden"
        locked.save(update_fields=["outcome", "decided_at", "case_status", "updated_at"])
        pdf = render_notice_pdf(locked, outcome, text.strip(), actor)
        notice = Upload(
            application=locked,
            original_name=f"Bescheid-{locked.reference}.pdf",
            content_type="application/pdf",
            size=len(pdf),
            sha256=hashlib.sha256(pdf).hexdigest(),
            is_notice=True,
            uploaded_by=actor,
        )
        notice.file.save(notice.original_name, ContentFile(pdf), save=False)
        notice.save()
        label = locked.get_outcome_display()
        _event(
            locked,
            CaseEvent.Kind.DECISION,
            actor,
            status=locked.case_status,
            text=f"{label}: {text.strip()}",
            internal=False,
        )
        message = _post(
            locked,
            kind=Message.Kind.NOTICE,
            subject=f"Bescheid zu Ihrem Antrag {locked.reference}",
            body=f"Über Ihren Antrag „{locked.service.name}“ wurde entschieden: {label}. "
            "Den Bescheid finden Sie als PDF im Anhang.",
            sender=actor,
            attachments=[notice],
        )
        audit.record("applications.decided", locked, actor=actor, data={"outcome": outcome})
        emit_event(locked, "case.decided")
    app.refresh_from_db()
    return message


def mark_read(message: Message) -> None:
    if message.read_at is None:
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())


def acknowledge(app: Application, *, client_name: str) -> bool:
    """A case-management system confirms it has taken over the submission (idempotent)."""
    with transaction.atomic():
        locked = _lock(app)
        if locked.acknowledged_at:
            return False
        locked.acknowledged_at = timezone.now()
        locked.save(update_fields=["acknowledged_at", "updated_at"])
        CaseEvent.objects.create(
            application=locked, kind=CaseEvent.Kind.ACK, actor_label=client_name, text=client_name
        )
        audit.record("applications.acknowledged", locked, actor_label=client_name)
    return True


# --- privacy ---------------------------------------------------------------------------


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
        locked.data = {}
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
    """Periodic job: anonymise closed cases past their form's retention period; drop old drafts."""
    now = now or timezone.now()
    done = 0
    closed = (
        Application.objects.filter(anonymised_at__isnull=True, state=Application.State.SUBMITTED)
        .exclude(closed_at__isnull=True, decided_at__isnull=True)
        .select_related("form")
    )
    for app in closed.iterator():
        end = app.closed_at or app.decided_at
        if end + timedelta(days=app.form.retention_days) <= now:
            anonymise(app)
            done += 1
    stale = Application.objects.filter(
        state=Application.State.DRAFT, updated_at__lt=now - timedelta(days=30)
    )
    for app in stale:
        for upload in app.uploads.all():
            upload.file.delete(save=False)
        audit.record("applications.draft_expired", app, actor_label="Löschfrist")
        app.delete()
        done += 1
    return done
