"""The write path of case handling (Vorgang) and the Postfach.

Clerk actions and citizen replies: one function per change, one transaction, a
CaseEvent in the append-only history, an audit entry, and e-mails/webhooks after commit.
"""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from rathaus.core import audit

from . import formengine
from .models import Application, CaseEvent, Message, Upload
from .services import ApplicationError, _store_upload, emit_event


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
    if not app.applicant_id and not app.guest_email:
        return None
    # A guest has no Postfach: the message is kept with the case (no recipient account,
    # deleted when the case is anonymised) and mailed by id, so the task row holds no
    # address or text (applications.tasks.send_guest_message).
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
    if not app.applicant_id:
        from .tasks import send_guest_message

        transaction.on_commit(lambda pk=message.pk: send_guest_message.enqueue(pk))
        return None
    _notify_new_message(app)
    return message


def _notify_new_message(app):
    from .tasks import send_case_mail

    transaction.on_commit(lambda pk=app.pk: send_case_mail.enqueue(pk, "new_message"))


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

    return HTML(string=notice_html(app, outcome, text, actor)).write_pdf()


def notice_html(app: Application, outcome: str, text: str, actor) -> str:
    """The notice (Bescheid) as HTML, the source of its PDF: always German (a legal
    document), whatever the clerk's page language."""
    from django.utils import translation

    with translation.override("de"):
        return _notice_html(app, outcome, text, actor)


def _notice_html(app: Application, outcome: str, text: str, actor) -> str:
    return render_to_string(
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


def send_message(app: Application, subject: str, body: str, *, actor) -> Message | None:
    """A free Postfach message from the office to the citizen (e.g. a question)."""
    if not subject.strip() or not body.strip():
        raise ApplicationError("Bitte geben Sie Betreff und Nachricht an.")
    with transaction.atomic():
        locked = _lock(app)
        message = _post(
            locked, kind=Message.Kind.INFO, subject=subject.strip(), body=body.strip(), sender=actor
        )
        _event(locked, CaseEvent.Kind.MESSAGE, actor, text=subject.strip(), internal=False)
        audit.record("applications.message_sent", locked, actor=actor)
    return message


def mark_replies_read(app: Application) -> int:
    """The office has seen the citizen's replies (clears the inbox's 'new reply' badge)."""
    return Message.objects.filter(
        application=app, direction=Message.Direction.FROM_CITIZEN, read_at__isnull=True
    ).update(read_at=timezone.now())
