"""React to a location's closure entered in the core (OpeningException): no appointments
that day, and bookings already made are cancelled with a rebooking link."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from rathaus.core.models import OpeningException


@receiver(post_save, sender=OpeningException)
def location_closed(sender, instance: OpeningException, **kwargs):
    if not instance.closed:
        return
    from . import services

    transaction.on_commit(lambda: services.close_location_day(instance))
