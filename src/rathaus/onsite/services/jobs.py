"""Periodic jobs: daily lead-time snapshot, retention of personal data."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rathaus.appointments import capacity
from rathaus.appointments.models import Offer
from rathaus.core import audit
from rathaus.core.models import Municipality

from ..models import LeadTimeSnapshot, Ticket


def record_lead_times(now=None) -> int:
    """Days until the next free online appointment, per location and service, once a day.

    Safe to run often: today's row is updated in place (the last value of the day wins).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    offers = Offer.objects.filter(is_active=True, resource__is_active=True).select_related(
        "service", "resource__location"
    )
    # Several resources may offer the same service at one location: the earliest counts.
    best: dict[tuple[int, int], tuple] = {}
    for offer in offers:
        found = capacity.earliest_anywhere([offer], 1, now=now)
        lead = (found[0][1] - now).total_seconds() / 86400 if found else None
        key = (offer.resource.location_id, offer.service_id)
        previous = best.get(key)
        if previous is None or (lead is not None and (previous[1] is None or lead < previous[1])):
            best[key] = (offer, lead)
    for (location_id, service_id), (offer, lead) in best.items():
        LeadTimeSnapshot.objects.update_or_create(
            day=today,
            location_id=location_id,
            service_id=service_id,
            defaults={
                "municipality_id": offer.municipality_id,
                "horizon_days": offer.horizon_days,
                "lead_days": None if lead is None else Decimal(str(round(lead, 1))),
            },
        )
    count = len(best)
    return count


def retention_days() -> int:
    return int(getattr(settings, "ONSITE_RETENTION_DAYS", 90))


def apply_retention(now=None) -> dict:
    """Drop the personal side of tickets finished ``retention_days`` ago.

    Tickets keep their times, group, kind and handled services (the figures), but
    lose the link to the booking. Bookings have their own retention row
    (``appointments.bookings``, core.retention).
    """
    now = now or timezone.now()
    before = now - timedelta(days=retention_days())
    tickets = 0
    for municipality in Municipality.objects.all():
        due = Ticket.objects.filter(
            municipality=municipality, day__lt=timezone.localdate(before), anonymised=False
        )
        with transaction.atomic():
            here = due.update(booking=None, anonymised=True)
            if here:
                audit.record(
                    "onsite.anonymised",
                    municipality,
                    municipality=municipality,
                    data={"tickets": here},
                )
        tickets += here
    return {"tickets": tickets}
