"""E-mails whose recipient is stored nowhere else (see ``ops.models.HeldMail``).

``send_after_commit`` stores the mail in a row and queues a task with the row's id
only; the task sends it and deletes the row. So no task row ever holds the address.
"""

from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task

from .ops.models import HeldMail


@task()
def send_held_mail(pk: int) -> None:
    held = HeldMail.objects.filter(pk=pk).first()
    if held is None:
        return  # sent by an earlier attempt, or pruned
    send_mail(held.subject, held.body, None, [held.recipient])
    held.delete()


def send_after_commit(recipient: str, subject: str, body: str) -> HeldMail:
    """Hold the mail in a row (inside the caller's transaction), send it after commit."""
    held = HeldMail.objects.create(recipient=recipient, subject=subject[:200], body=body)
    transaction.on_commit(lambda: send_held_mail.enqueue(held.pk))
    return held


def prune(now) -> int:
    """Held mails never sent (mail server refused for a week) are deleted."""
    from datetime import timedelta

    deleted, _ = HeldMail.objects.filter(created_at__lt=now - timedelta(days=7)).delete()
    return deleted
