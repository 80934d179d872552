"""Signed links in e-mails: confirm a hold, manage a booking (django.core.signing).

A token carries the booking id and its code; a changed character breaks the
signature, and every failure looks the same to the caller (nothing revealed).
"""

from datetime import timedelta

from django.core import signing
from django.utils import timezone

from .models import Booking

CONFIRM_SALT = "rathaus.appointments.confirm"
MANAGE_SALT = "rathaus.appointments.manage"
CONFIRM_MAX_AGE = 24 * 3600
#: A manage link works until this long after the appointment ended (then it shows
#: nothing: the booking is past and will be anonymised), and never longer than
#: MANAGE_MAX_AGE after it was issued.
MANAGE_AFTER_END = timedelta(days=30)
MANAGE_MAX_AGE = 2 * 365 * 24 * 3600


class InvalidToken(Exception):
    pass


def _make(booking: Booking, salt: str) -> str:
    return signing.dumps({"b": booking.pk, "c": booking.code}, salt=salt, compress=True)


def confirm_token(booking: Booking) -> str:
    return _make(booking, CONFIRM_SALT)


def manage_token(booking: Booking) -> str:
    return _make(booking, MANAGE_SALT)


def _load(token: str, salt: str, municipality, max_age=None) -> Booking:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
        booking = (
            Booking.objects.for_municipality(municipality)
            .select_related("offer", "service", "resource__location__office", "municipality")
            .get(pk=int(data["b"]), code=str(data["c"]))
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, Booking.DoesNotExist) as exc:
        raise InvalidToken from exc
    return booking


def booking_for_confirm(token: str, municipality) -> Booking:
    return _load(token, CONFIRM_SALT, municipality, CONFIRM_MAX_AGE)


def booking_for_manage(token: str, municipality) -> Booking:
    booking = _load(token, MANAGE_SALT, municipality, MANAGE_MAX_AGE)
    if booking.ends_at + MANAGE_AFTER_END < timezone.now():
        raise InvalidToken
    return booking
