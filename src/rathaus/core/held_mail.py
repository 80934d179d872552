"""E-mails whose recipient is stored nowhere else (see ``ops.models.HeldMail``).

``send_after_commit`` stores the mail in a row and queues a task with the row's id
only; the task sends it and deletes the row. So no task row ever holds the address.
"""

from django.db import transaction
from django_tasks import task

from .mail import send_town_mail
from .ops.models import HeldMail


@task()
def send_held_mail(pk: int) -> None:
    held = HeldMail.objects.select_related("municipality").filter(pk=pk).first()
    if held is None:
        return  # sent by an earlier attempt, or pruned
    send_town_mail(held.municipality, held.subject, held.body, [held.recipient])
    held.delete()


def send_after_commit(recipient: str, subject: str, body: str, municipality=None) -> HeldMail:
    """Hold the mail in a row (inside the caller's transaction), send it after commit
    from ``municipality``'s sender."""
    held = HeldMail.objects.create(
        recipient=recipient, municipality=municipality, subject=subject[:200], body=body
    )
    transaction.on_commit(lambda: send_held_mail.enqueue(held.pk))
    return held


def prune(now) -> int:
    """Held mails never sent (mail server refused for a week) are deleted."""
    from datetime import timedelta

    deleted, _ = HeldMail.objects.filter(created_at__lt=now - timedelta(days=7)).delete()
    return deleted
