"""The e-mail backend of a production without mail configuration: it refuses.

Printing e-mails to the console would put confirmation and manage links (tokens)
into the log; refusing makes the missing configuration visible instead.
"""

from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend


class RefuseBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        raise ImproperlyConfigured(
            "Kein E-Mail-Versand konfiguriert (EMAIL_BACKEND=smtp und EMAIL_HOST setzen); "
            "die E-Mail wurde nicht gesendet."
        )


# --- every e-mail of a town goes out through these two (ADR 0215) -------------------


def town_message(municipality, subject: str, body: str, to: list[str], **kwargs):
    """An EmailMessage from the town's sender (``Municipality.mail_sender``, else
    DEFAULT_FROM_EMAIL); links in ``body`` come from ``core.tenancy.public_url``."""
    from django.core.mail import EmailMessage

    from .tenancy import mail_sender

    return EmailMessage(subject, body, mail_sender(municipality), to, **kwargs)


def send_town_mail(municipality, subject: str, body: str, to: list[str]) -> int:
    """Send a plain-text mail from the town's sender (see ``town_message``)."""
    return town_message(municipality, subject, body, to).send()
