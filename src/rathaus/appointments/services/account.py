"""Bookings in the citizen account ("Meine Termine")."""

from django.db import transaction

from rathaus.core import audit

from ..models import Booking


@transaction.atomic
def claim(booking: Booking, user) -> bool:
    """Add a booking to the logged-in citizen's account.

    Holding the manage link (sent to the booking's e-mail address) is the proof
    that the booking is theirs. A booking that already belongs to an account
    stays with it. Returns whether the booking is now in ``user``'s account.
    """
    locked = Booking.objects.select_for_update().get(pk=booking.pk)
    if locked.account_id is None:
        locked.account = user
        locked.save(update_fields=["account"])
        audit.record("appointments.booking_claimed", locked, actor=user)
        booking.account = user
    return locked.account_id == user.pk
