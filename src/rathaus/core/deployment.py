"""What production refuses to start with, and why (docs/security.md, "Production").

Demo mode (``RATHAUS_MODE=demo``, set by ``rathaus demo``) and the test suite
(``RATHAUS_TESTING=1``) may run on the public demo key, any host name and the demo
payment provider. Everywhere else these are holes: with the public key anyone can
forge signed cookies, kiosk devices and payment webhooks; with ``*`` as allowed host
a password-reset request can name the attacker's host; the demo provider takes any
test card as payment. So ``CoreConfig.ready`` calls ``refuse_unsafe_settings`` and
the app does not start until the operator has set what the message names.
"""

import logging
import os

from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger("rathaus.deployment")
NEW_KEY_HINT = "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


def unsafe_settings(settings) -> list[str]:
    """German/English sentences, one per unsafe setting; empty in demo mode."""
    if getattr(settings, "DEMO_MODE", False):
        return []
    problems = []
    key = settings.SECRET_KEY or ""
    if key == settings.DEMO_SECRET_KEY or len(key) < 32:
        problems.append(
            "SECRET_KEY fehlt, ist zu kurz (unter 32 Zeichen) oder ist der öffentliche "
            "Demo-Schlüssel. Setzen Sie einen eigenen geheimen Schlüssel: "
            f"SECRET_KEY=$({NEW_KEY_HINT})"
            " / SECRET_KEY is missing, shorter than 32 characters or the public demo key; "
            "set a secret key of your own."
        )
    # What the operator configured (core.hosts.TownHosts adds the towns' host names
    # from the database when Django checks a request; they never make `*` acceptable).
    hosts = list(getattr(settings.ALLOWED_HOSTS, "configured", settings.ALLOWED_HOSTS))
    if not hosts or "*" in hosts:
        problems.append(
            "ALLOWED_HOSTS fehlt oder enthält '*'. Setzen Sie die Hostnamen Ihrer Kommunen, "
            "z. B. ALLOWED_HOSTS=www.musterstadt.de,service.musterstadt.de"
            " / ALLOWED_HOSTS is missing or contains '*'; list your host names."
        )
    if getattr(settings, "APPLICATIONS_PAYMENT_PROVIDER", "") == "demo":
        problems.append(
            "APPLICATIONS_PAYMENT_PROVIDER=demo nimmt jede Testkarte als Zahlung an. Setzen Sie "
            "den Zahlungsdienst Ihrer Kommune oder lassen Sie die Variable leer (keine "
            "Online-Zahlung) / the demo payment provider accepts test cards; configure your "
            "provider or leave the variable empty."
        )
    return problems


def refuse_unsafe_settings(settings) -> None:
    """Raise ImproperlyConfigured naming every unsafe setting outside demo mode."""
    if getattr(settings, "HTTPS_LEGACY_NAME_USED", False):
        logger.warning(
            "Die Variable HTTPS ist veraltet (sie kollidiert mit der CGI-Variable gleichen "
            "Namens); bitte RATHAUS_HTTPS setzen / HTTPS is deprecated, set RATHAUS_HTTPS."
        )
    problems = unsafe_settings(settings)
    if problems:
        mode = os.environ.get("RATHAUS_MODE", "production")
        raise ImproperlyConfigured(
            f"Rathaus startet nicht (RATHAUS_MODE={mode}) / Rathaus refuses to start:\n"
            + "\n".join(f"- {p}" for p in problems)
            + "\nNur zum Ausprobieren: RATHAUS_MODE=demo (oder `rathaus demo`)"
            " / for a trial only: RATHAUS_MODE=demo."
        )
