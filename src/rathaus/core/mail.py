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
