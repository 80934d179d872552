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


#: Persons who booked and did not drop out: an appointment still to come, or one
#: marked as arrived, called or done. Expired (never confirmed, or not marked in a
#: day view before it was closed), cancelled and no-show bookings do not count.
ATTENDING = [
    BookingStatus.CONFIRMED,
    BookingStatus.ARRIVED,
    BookingStatus.CALLED,
    BookingStatus.DONE,
]


def persons_booked(windows) -> dict:
    """Read API for other modules: booked persons per ``(key, offer_id, start, end)``.

    ``windows`` is an iterable of such tuples; the result maps each key to the sum of
    ``persons`` of the offer's bookings that start in ``[start, end)`` with a status
    in ``ATTENDING``. One query for all windows (participation's year plan passes
    one window per consultation hour held as appointment slots).
    """
    from django.db.models import Q, Sum

    windows = list(windows)
    result = {key: 0 for key, *_rest in windows}
    if not windows:
        return result
    condition = Q()
    for _key, offer_id, start, end in windows:
        condition |= Q(offer_id=offer_id, starts_at__gte=start, starts_at__lt=end)
    rows = (
        Booking.objects.filter(condition, status__in=ATTENDING)
        .values_list("offer_id", "starts_at")
        .annotate(n=Sum("persons"))
    )
    for offer_id, starts_at, n in rows:
        for key, w_offer, start, end in windows:
            if w_offer == offer_id and start <= starts_at < end:
                result[key] += n or 0
    return result
