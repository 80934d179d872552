"""Booked appointments per service and month for the OZG dashboard (catalog.usage)."""

from collections import defaultdict
from datetime import date

from django.utils import timezone

from rathaus.catalog.usage import month_key

from .models import Booking, BookingStatus

#: Appointments that were really made (not unconfirmed holds, expired or cancelled ones).
COUNTED = [
    BookingStatus.CONFIRMED,
    BookingStatus.ARRIVED,
    BookingStatus.CALLED,
    BookingStatus.DONE,
    BookingStatus.NO_SHOW,
]


def figures(municipality, since: date) -> dict:
    result: dict = defaultdict(dict)
    rows = Booking.objects.for_municipality(municipality).filter(
        starts_at__date__gte=since, status__in=COUNTED
    )
    for service_id, starts in rows.values_list("service_id", "starts_at"):
        cell = result[(service_id, month_key(timezone.localtime(starts)))]
        cell["appointments"] = cell.get("appointments", 0) + 1
    return result
