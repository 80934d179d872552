"""The e-mail backend of production: the configured transport (SMTP by default) with a
record of what each task already sent, and metrics.

A task's e-mails are numbered (``queue.next_mail_key``). A message whose key is in
``SentMail`` was accepted by the mail server in an earlier attempt of the same task and
is not sent again; a message the server refused raises, the task fails transiently and
is queued again with backoff (``ops.queue``). Together: no e-mail is lost and none is
sent twice, except when a worker dies in the instant between the server's "250 OK"
and the row being written (documented in docs/reliability.md).

``EMAIL_TIMEOUT`` bounds every SMTP connection, so a server that accepts and never
answers cannot block the worker.
"""

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction

from . import metrics, queue
from .models import SentMail


class EmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently=False, **kwargs):
        super().__init__(fail_silently=fail_silently)
        self.transport = get_connection(
            settings.RATHAUS_EMAIL_TRANSPORT, fail_silently=fail_silently, **kwargs
        )

    def open(self):
        return self.transport.open()

    def close(self):
        return self.transport.close()

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            key = queue.next_mail_key()
            if key and SentMail.objects.filter(key=key).exists():
                sent += 1  # accepted by the server in an earlier attempt of this task
                continue
            try:
                sent += self.transport.send_messages([message]) or 0
            except Exception:
                metrics.EMAILS.labels(outcome="failed").inc()
                raise
            metrics.EMAILS.labels(outcome="sent").inc()
            if key:
                _remember(key)
        return sent


def _remember(key: str) -> None:
    try:
        with transaction.atomic():
            SentMail.objects.create(key=key)
    except IntegrityError:
        pass  # recorded by an earlier attempt that died before finishing the task
