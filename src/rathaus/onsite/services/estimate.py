"""Waiting-time estimate: people ahead × recent processing time ÷ counters open now."""

from __future__ import annotations

import math
import statistics
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from rathaus.core import walkin

from ..models import Counter, ServiceGroup, Ticket, TicketStatus

RECENT_DAYS = 14
RECENT_TICKETS = 60


def processing_minutes(group: ServiceGroup, now: datetime | None = None) -> float:
    """Median processing time of the group's recent finished tickets, else its default."""
    now = now or timezone.now()
    rows = (
        Ticket.objects.filter(
            group=group,
            status=TicketStatus.DONE,
            finished_at__gte=now - timedelta(days=RECENT_DAYS),
            service_started_at__isnull=False,
        )
        .order_by("-finished_at")
        .values_list("service_started_at", "finished_at")[:RECENT_TICKETS]
    )
    minutes = [(end - start).total_seconds() / 60 for start, end in rows if end > start]
    if len(minutes) < 5:
        return float(group.default_minutes)
    return statistics.median(minutes)


def open_counters_for(group: ServiceGroup) -> int:
    return (
        Counter.objects.filter(location_id=group.location_id, opened_at__isnull=False)
        .filter(Q(groups=group) | Q(groups__isnull=True))
        .distinct()
        .count()
    )


def group_wait(group: ServiceGroup, now: datetime | None = None) -> int | None:
    """Minutes a new walk-in of ``group`` would wait; None when no counter serves it now."""
    now = now or timezone.now()
    counters = open_counters_for(group)
    if not counters:
        return None
    ahead = Ticket.objects.filter(
        group=group, day=timezone.localdate(now), status=TicketStatus.WAITING
    ).count()
    return int(math.ceil(ahead * processing_minutes(group, now) / counters))


def estimated_wait(location, service=None, now: datetime | None = None) -> int | None:
    """Public: current walk-in waiting time at ``location`` in minutes, or None.

    With ``service`` (a catalog Service) the group handling it; otherwise the
    longest wait of the location's groups. None when no counter is open (or the
    service is not handled there) and when the location is closed: a counter left
    open after closing must not announce a wait to nobody. Used by the kiosk, the
    location page, the overview and the chat assistant.
    """
    if not open_for_visitors(location, now):
        return None
    groups = ServiceGroup.objects.filter(location=location)
    if service is not None:
        groups = groups.filter(services=service)
    waits = [w for w in (group_wait(g, now) for g in groups) if w is not None]
    return max(waits) if waits else None


def open_for_visitors(location, now: datetime | None = None) -> bool:
    """Open now by the opening hours (``core.walkin``); always, if the rule is switched off."""
    if not getattr(settings, "ONSITE_DRAW_ONLY_WHEN_OPEN", True):
        return True
    return walkin.is_open_at(location, now or timezone.now())


def rounded(minutes: int | None) -> int | None:
    """For display: "ca. 25 Minuten" in steps of five."""
    if minutes is None:
        return None
    return max(5, int(5 * math.ceil(minutes / 5)))
