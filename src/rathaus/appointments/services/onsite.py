"""Small public functions the Vor-Ort app (rathaus.onsite) needs from the Terminvergabe.

Kept in their own module so the appointments services stay untouched (ADR 0070).
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from rathaus.core import audit
from rathaus.core.models import Municipality

from ..models import Booking, BookingStatus

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


#: Finished states whose personal data the retention job removes.
FINISHED_STATES = [
    BookingStatus.DONE,
    BookingStatus.NO_SHOW,
    BookingStatus.CANCELLED,
    BookingStatus.EXPIRED,
]


def anonymise_finished(before: datetime) -> int:
    """Erase name and contact of finished bookings that ended before ``before``.

    The rows stay (service, times, status) so bookings, cancellations and no-shows
    can still be counted; ``person_key``/``limit_key`` go too, so nothing links back.
    """
    due = Booking.objects.filter(ends_at__lt=before, status__in=FINISHED_STATES).exclude(
        Q(name="") & Q(email="") & Q(phone="") & Q(person_key="")
    )
    count = 0
    for municipality_id in due.values_list("municipality_id", flat=True).distinct():
        municipality = Municipality.objects.get(pk=municipality_id)
        with transaction.atomic():
            here = due.filter(municipality_id=municipality_id).update(
                name="", email="", phone="", person_key="", limit_key=None, note=""
            )
            audit.record(
                "appointments.anonymised",
                municipality,
                municipality=municipality,
                data={"count": here, "before": before.isoformat()},
            )
        count += here
    return count
