"""Brute-force protection of every login (django-axes): per account and per client.

Every login path ends in ``django.contrib.auth.authenticate`` through core's login
page (the admin's login URL redirects there), so django-axes sees every attempt.
After ``AXES_FAILURE_LIMIT`` failures for one e-mail address, or from one client
address, further attempts are refused for ``AXES_COOLOFF_TIME`` with a German page
(429). The client address is ``ratelimit.client_ip`` (trusted proxies honoured).
Failures live in the cache (axes' cache handler), so nothing of a failed login's form
data reaches the database. Unlock: ``rathaus axes_reset_username <e-mail>``,
``rathaus axes_reset_ip <ip>``, or a town administrator's "Anmeldesperre aufheben"
action on staff roles (docs/security.md).
"""

import ipaddress
import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from axes.utils import reset
from django.shortcuts import render

from . import ratelimit


class ThrottleBackend(AxesStandaloneBackend):
    """Refuses locked-out logins; lets programmatic calls without a request pass
    (the next backend still checks the password). Web logins always carry one."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str:
    """``ratelimit.client_ip`` as a valid IP address: axes stores it in an inet column, and
    requests made in code (e.g. the test client's force_login) carry no REMOTE_ADDR."""
    address = ratelimit.client_ip(request) if request is not None else ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return "0.0.0.0"


def username_of(request, credentials) -> str:
    """E-mail addresses count case-insensitively: Max@x and max@x are one account."""
    credentials = credentials or {}
    value = credentials.get("username") or request.POST.get("username", "")
    return str(value).strip().lower()


def locked_out(request, original_response=None, credentials=None):
    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 15
    message = (
        "Zu viele fehlgeschlagene Anmeldeversuche. Die Anmeldung ist für dieses Konto oder "
        f"diesen Zugang für {minutes} Minuten gesperrt. Haben Sie Ihr Passwort vergessen, "
        "können Sie es zurücksetzen; Mitarbeitende wenden sich an die Administration ihrer "
        "Kommune, die die Sperre aufheben kann."
    )
    response = render(request, "core/rate_limited.html", {"message": message}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def unlock(email: str) -> int:
    """Lift the lockout of one account; returns the number of attempts removed."""
    return reset(username=email.strip().lower())
