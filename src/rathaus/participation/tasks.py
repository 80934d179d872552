"""Background work of the participation module (e-mails), enqueued after commit.

A task row carries the kind of mail and row ids, never an address or a text: the
mail is rendered from the rows when the task runs (as the appointment and application
mails are). A row deleted or anonymised in between gets no mail. Task rows are pruned
a week after they ran (retention row ``core.finished_tasks``).
"""

from django.db import transaction
from django.utils.module_loading import import_string
from django_tasks import task

from rathaus.core.mail import send_town_mail

#: kind -> function(pk, ids) returning (subject, body, recipient, municipality) or None;
#: the mail goes out from the town's sender (core.mail.send_town_mail).
MAILS = {
    "report_received": "rathaus.participation.reports.services.received_mail",
    "report_to_office": "rathaus.participation.reports.services.office_mail",
    "report_rejected": "rathaus.participation.reports.services.rejected_mail",
    "report_status": "rathaus.participation.reports.services.status_mail",
    "alert_confirm": "rathaus.participation.reports.alerts.confirm_mail",
    "alert_digest": "rathaus.participation.reports.alerts.digest_mail",
    "neighbourhood_confirm": "rathaus.participation.neighbourhood.services.confirm_mail",
    "neighbourhood_digest": "rathaus.participation.neighbourhood.services.digest_mail",
    "dialogue_confirm": "rathaus.participation.dialogues.services.confirm_request_mail",
    "dialogue_status": "rathaus.participation.dialogues.services.status_mail",
}


@task()
def send_mail_about(kind: str, pk: int, ids: list[int] | None = None) -> None:
    """Render mail ``kind`` for row ``pk`` (plus row ``ids``, e.g. reports of a digest)."""
    render = import_string(MAILS[kind])
    message = render(pk, ids or [])
    if message is None:
        return
    subject, body, recipient, municipality = message
    if recipient:
        send_town_mail(municipality, subject, body, [recipient])


def mail_after_commit(kind: str, pk: int, ids: list[int] | None = None) -> None:
    """Queue mail ``kind`` about row ``pk`` once the surrounding transaction has committed."""
    if kind not in MAILS:
        raise KeyError(kind)
    transaction.on_commit(lambda: send_mail_about.enqueue(kind, pk, list(ids or [])))


@task()
def send_email(subject: str, body: str, recipient: str) -> None:
    """Kept only so that task rows queued before ids-only mails still run; not enqueued
    (no town is known: the installation's sender)."""
    send_town_mail(None, subject, body, [recipient])
