"""Background work of the participation module (e-mails), enqueued after commit."""

from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(subject: str, body: str, recipient: str) -> None:
    send_mail(subject, body, None, [recipient])


def email_after_commit(subject: str, body: str, recipient: str) -> None:
    """Queue an e-mail once the surrounding transaction has committed."""
    from django.db import transaction

    if recipient:
        transaction.on_commit(lambda: send_email.enqueue(subject, body, recipient))
