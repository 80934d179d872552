"""Paying a booking's reservation fee online (issue 15: the wedding calendar's 60 €).

The payment module lives in the applications app, which depends on this one. It
registers here (``register``) how the citizen reaches its payment page for a booking;
this app only shows the link and records the payment through ``services.record_fee_paid``.
"""

from collections.abc import Callable

from django.utils import timezone

from .models import Booking, BookingStatus

_pay_url: list[Callable[[str], str]] = []

#: Bookings whose fee can be paid online: made, and the appointment still ahead.
PAYABLE_STATES = {BookingStatus.CONFIRMED}


def register(pay_url: Callable[[str], str]) -> None:
    """``pay_url(manage_token)`` -> the URL of the payment page for that booking."""
    _pay_url[:] = [pay_url]


def payable(booking: Booking) -> bool:
    return (
        booking.fee is not None
        and booking.fee > 0
        and booking.fee_paid_at is None
        and booking.status in PAYABLE_STATES
        and booking.starts_at > timezone.now()
    )


def pay_url(booking: Booking, token: str) -> str | None:
    """Where to pay this booking's fee online, or None (nothing owed, or no payment module)."""
    if not _pay_url or not payable(booking):
        return None
    return _pay_url[0](token)
