"""Refusals, the identity of a person, and the bounded retry of the write path (ADR 0023)."""

from __future__ import annotations

import functools
import time as pytime

from django.db import OperationalError

BUSY_MESSAGE = "Gerade ist viel los. Bitte versuchen Sie es gleich noch einmal."


class BookingError(Exception):
    """A refusal with a German message and a machine reason."""

    def __init__(self, message: str, reason: str, *, field: str | None = None, alternatives=()):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.field = field
        self.alternatives = list(alternatives)


def normalise_email(email: str) -> str:
    """The identity of an e-mail address: lower case, without a '+tag' in the local part."""
    email = (email or "").strip().lower()
    if "@" not in email:
        return email
    local_part, domain = email.rsplit("@", 1)
    return f"{local_part.split('+', 1)[0]}@{domain}"


def normalise_phone(phone: str) -> str:
    """E.164-like digits: +49 170 … , 0049 170 … and 0170 … are the same number."""
    phone = (phone or "").strip()
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not digits:
        return ""
    if phone.startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return "49" + digits[1:]  # a national German number
    return digits


def person_key(email: str, phone: str = "") -> str:
    """One person = normalised e-mail, else normalised phone (for limits and one-per-person)."""
    if email:
        return normalise_email(email)
    digits = normalise_phone(phone)
    return f"tel:{digits}" if digits else ""


#: SQLSTATEs worth retrying: serialisation failure, deadlock, lock not available,
#: too many connections (a short queue in front of the pool).
TRANSIENT_SQLSTATES = ("40001", "40P01", "55P03", "53300")


def is_transient(exc: Exception) -> bool:
    """A database error that a retry a moment later may not hit again."""
    cause = getattr(exc, "__cause__", None)
    code = getattr(cause, "sqlstate", None) or getattr(exc, "sqlstate", None)
    if code in TRANSIENT_SQLSTATES:
        return True
    # SQLite under write contention ("database is locked") is transient as well.
    return "database is locked" in str(exc)


def retry_on_conflict(attempts: int = 3):
    """Retry a transaction aborted for a deadlock, serialisation failure or lock timeout.

    After ``attempts`` tries the caller gets ``BookingError(reason="busy")``: a German
    "busy, please try again" (HTTP 503 in the API), never a 500. The wrapped
    function's writes run in their own ``atomic`` block (a savepoint inside an outer
    transaction), so a retry starts from a clean state.
    """

    def decorator(fn):
        @functools.wraps(fn)
        def wrapped(*args, **kwargs):
            for attempt in range(attempts):
                try:
                    return fn(*args, **kwargs)
                except OperationalError as exc:
                    if not is_transient(exc):
                        raise
                    if attempt == attempts - 1:
                        raise BookingError(BUSY_MESSAGE, "busy") from exc
                    pytime.sleep(0.01 * (attempt + 1))
            raise AssertionError("unreachable")

        return wrapped

    return decorator
