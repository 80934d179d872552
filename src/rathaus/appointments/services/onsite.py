"""Small public functions the Vor-Ort app (rathaus.onsite) needs from the Terminvergabe.

Kept in their own module so the appointments services stay untouched (ADR 0070).
"""

from __future__ import annotations

import re

from ..models import Booking

_QR_PREFIX = "RATHAUS-TERMIN:"
_CODE = re.compile(r"^[A-Z0-9]{4,12}$")


def code_from_scan(text: str) -> str | None:
    """The booking code from a typed code or the QR content ``RATHAUS-TERMIN:CODE``."""
    value = (text or "").strip().upper().replace(" ", "").replace("-", "")
    value = value.removeprefix(_QR_PREFIX.replace("-", ""))
    return value if _CODE.match(value) else None


def booking_by_code(municipality, code: str) -> Booking | None:
    return (
        Booking.objects.for_municipality(municipality)
        .select_related("service", "resource__location")
        .filter(code=code)
        .first()
    )
