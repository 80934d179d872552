"""Keeping bots out without annoying people (ADR 0022).

ALTCHA proof of work: the widget fetches a signed challenge (HMAC with a key
derived from SECRET_KEY, expiring after ``RATHAUS_ALTCHA_EXPIRES_SECONDS``),
the browser searches the number, the server verifies the solution and
remembers its signature in the shared cache until the challenge would have
expired, so a solved challenge is accepted exactly once (replay protection
across all app processes when the cache is Redis).

The accessible fallback for people without JavaScript (or who can't use the
widget) is a delayed submission: the form carries a signed, single-use
"slow path" token; the server accepts it only after
``RATHAUS_ALTCHA_FALLBACK_SECONDS``. No puzzle, no image, nothing to perceive
or type; waiting costs a script as much as the proof of work costs a browser.

Rate limits count per client IP and per normalised contact (``person_key``),
shared across processes through the cache.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from datetime import timedelta

from altcha import create_challenge_v1, verify_solution_v1
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils import timezone

from rathaus.core.ratelimit import Verdict, client_ip, hit_in_order

from .services import person_key

SLOW_SALT = "appointments.slow-path"


def _key() -> str:
    return hashlib.sha256(f"altcha:{settings.SECRET_KEY}".encode()).hexdigest()


def challenge() -> dict:
    expires = timezone.now() + timedelta(seconds=settings.RATHAUS_ALTCHA_EXPIRES_SECONDS)
    made = create_challenge_v1(
        hmac_key=_key(), max_number=settings.RATHAUS_ALTCHA_MAX_NUMBER, expires=expires
    )
    return made.to_dict()


def _signature(payload: str) -> str | None:
    try:
        data = json.loads(base64.b64decode(payload, validate=False))
    except (ValueError, TypeError):
        return None
    return data.get("signature") if isinstance(data, dict) else None


def verify_altcha(payload: str | None) -> bool:
    """A valid, unexpired solution seen for the first time."""
    if not payload or len(payload) > 4000:
        return False
    try:
        ok, _error = verify_solution_v1(payload, _key(), check_expires=True)
    except Exception:  # malformed payloads must never become a 500
        return False
    signature = _signature(payload)
    if not ok or not signature:
        return False
    return cache.add(
        f"altcha:used:{signature}", 1, timeout=settings.RATHAUS_ALTCHA_EXPIRES_SECONDS + 60
    )


def slow_token() -> str:
    return signing.dumps(
        {"t": time.time(), "n": hashlib.sha256(str(time.time_ns()).encode()).hexdigest()[:16]},
        salt=SLOW_SALT,
    )


def form_context(token: str | None = None) -> dict:
    """What ``_proof.html`` needs: the slow-path token (a kept one, or new) and the wait."""
    return {
        "slow_token": token or slow_token(),
        "fallback_seconds": settings.RATHAUS_ALTCHA_FALLBACK_SECONDS,
    }


def slow_wait_seconds(token: str | None) -> int | None:
    """Seconds still to wait for a slow-path token; 0 = accepted now; None = invalid."""
    if not token:
        return None
    try:
        data = signing.loads(
            token, salt=SLOW_SALT, max_age=settings.RATHAUS_ALTCHA_EXPIRES_SECONDS * 3
        )
    except signing.BadSignature:
        return None
    waited = time.time() - float(data.get("t", 0))
    remaining = int(settings.RATHAUS_ALTCHA_FALLBACK_SECONDS - waited + 0.999)
    return max(0, remaining)


def use_slow_token(token: str) -> bool:
    return cache.add(
        f"altcha:slow:{hashlib.sha256(token.encode()).hexdigest()}",
        1,
        timeout=settings.RATHAUS_ALTCHA_EXPIRES_SECONDS * 3,
    )


class Proof:
    """The outcome of checking a form or API request for a proof of humanity."""

    def __init__(self, ok: bool, message: str = "", wait: int = 0):
        self.ok, self.message, self.wait = ok, message, wait


def check(data) -> Proof:
    """ALTCHA payload (field ``altcha``) or a ripe slow-path token (field ``langsam``)."""
    if settings.RATHAUS_LOAD_TEST:
        return Proof(True)
    if data.get("altcha"):
        if verify_altcha(data.get("altcha")):
            return Proof(True)
        return Proof(
            False,
            "Die Prüfung, dass Sie ein Mensch sind, ist abgelaufen oder wurde schon verwendet. "
            "Bitte senden Sie das Formular noch einmal.",
        )
    token = data.get("langsam")
    wait = slow_wait_seconds(token)
    if wait is None:
        return Proof(False, "Bitte bestätigen Sie, dass Sie ein Mensch sind.")
    if wait > 0:
        return Proof(
            False,
            f"Die Prüfung gegen automatisierte Anfragen ist noch nicht fertig. Ihre Angaben "
            f"bleiben erhalten: Bitte senden Sie das Formular in {wait} Sekunden noch einmal ab.",
            wait,
        )
    if not use_slow_token(token):
        return Proof(False, "Dieses Formular wurde schon abgeschickt. Bitte laden Sie es neu.")
    return Proof(True)


def limit(request, scope: str, email: str = "", phone: str = "") -> Verdict | None:
    """Count one attempt per IP and per normalised contact; the refusing verdict or None.

    Both counters in one round trip; the contact is not counted when the IP is refused."""
    limits = settings.RATHAUS_APPOINTMENTS_LIMITS
    counted = []
    if not settings.RATHAUS_LOAD_TEST:
        count, window = limits[f"{scope}_ip"]
        counted.append((f"appointments-{scope}", client_ip(request), count, window))
    key = person_key(email, phone)
    if key:
        count, window = limits[f"{scope}_contact"]
        contact = hashlib.sha256(key.encode()).hexdigest()
        counted.append((f"appointments-{scope}-contact", contact, count, window))
    if not counted:
        return None
    refused = [v for v in hit_in_order(counted, request=request) if not v.allowed]
    return refused[0] if refused else None
