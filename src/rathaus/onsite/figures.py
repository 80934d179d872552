"""Figures per location, service and period (read only).

Reads appointments' Booking rows for counts (ADR 0070 allows reading for
statistics) and the own Ticket, CounterSession and LeadTimeSnapshot rows.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone

from rathaus.appointments.models import Booking, BookingStatus

from .models import CounterSession, LeadTimeSnapshot, Ticket, TicketStatus


def bounds(first: date, last: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(first, time.min, tzinfo=tz),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz),
    )


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (what a committee expects: "90 % warteten höchstens …")."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(-(-share * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


def _median(values):
    return statistics.median(values) if values else None


@dataclass
class Figures:
    first: date
    last: date
    bookings: int = 0
    done: int = 0
    cancelled: int = 0
    no_show: int = 0
    walk_ins: int = 0
    appointment_tickets: int = 0
    missed: int = 0
    wait_median: float | None = None
    wait_p90: float | None = None
    processing_median: float | None = None
    lead_avg: float | None = None
    horizon: int | None = None
    utilisation: float | None = None
    per_service: list[dict] = field(default_factory=list)

    @property
    def no_show_rate(self) -> float | None:
        due = self.done + self.no_show
        return round(100 * self.no_show / due, 1) if due else None

    @property
    def cancel_rate(self) -> float | None:
        return round(100 * self.cancelled / self.bookings, 1) if self.bookings else None


def _bookings(municipality, first, last, location=None, service=None):
    start, end = bounds(first, last)
    qs = (
        Booking.objects.for_municipality(municipality)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .exclude(status__in=[BookingStatus.RESERVED, BookingStatus.EXPIRED])
    )
    if location is not None:
        qs = qs.filter(resource__location=location)
    if service is not None:
        qs = qs.filter(service=service)
    return qs


def _tickets(municipality, first, last, location=None, service=None):
    qs = Ticket.objects.for_municipality(municipality).filter(day__gte=first, day__lte=last)
    if location is not None:
        qs = qs.filter(location=location)
    if service is not None:
        # A subquery, not .distinct(): distinct over selected values could merge tickets.
        matching = Ticket.objects.filter(
            Q(group__services=service) | Q(services_handled=service)
        ).values("pk")
        qs = qs.filter(pk__in=matching)
    return qs


def _utilisation(municipality, first, last, location=None) -> float | None:
    """Share of open counter time spent serving (called → finished)."""
    start, end = bounds(first, last)
    sessions = CounterSession.objects.filter(
        counter__municipality=municipality, opened_at__gte=start, opened_at__lt=end
    )
    if location is not None:
        sessions = sessions.filter(counter__location=location)
    now = timezone.now()
    open_seconds = sum(
        ((s.closed_at or min(now, end)) - s.opened_at).total_seconds() for s in sessions
    )
    if open_seconds <= 0:
        return None
    served = _tickets(municipality, first, last, location).filter(
        service_started_at__isnull=False, finished_at__isnull=False
    )
    busy = sum(
        (f - s).total_seconds() for s, f in served.values_list("service_started_at", "finished_at")
    )
    return round(min(100.0, 100 * busy / open_seconds), 1)


def compute(municipality, first: date, last: date, location=None, service=None) -> Figures:
    figures = Figures(first, last)
    counts = _bookings(municipality, first, last, location, service).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=BookingStatus.DONE)),
        cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
        no_show=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
    )
    figures.bookings = counts["total"]
    figures.done = counts["done"]
    figures.cancelled = counts["cancelled"]
    figures.no_show = counts["no_show"]
    tickets = _tickets(municipality, first, last, location, service)
    rows = list(
        tickets.values_list(
            "kind", "status", "created_at", "first_called_at", "service_started_at", "finished_at"
        )
    )
    waits, processing = [], []
    for kind, status, created, called, started, finished in rows:
        if kind == Ticket.Kind.WALK_IN:
            figures.walk_ins += 1
            if called:
                waits.append((called - created).total_seconds() / 60)
        else:
            figures.appointment_tickets += 1
        if status == TicketStatus.MISSED:
            figures.missed += 1
        if status == TicketStatus.DONE and started and finished:
            processing.append((finished - started).total_seconds() / 60)
    figures.wait_median = _median(waits)
    figures.wait_p90 = percentile(waits, 0.9)
    figures.processing_median = _median(processing)
    leads = LeadTimeSnapshot.objects.for_municipality(municipality).filter(
        day__gte=first, day__lte=last
    )
    if location is not None:
        leads = leads.filter(location=location)
    if service is not None:
        leads = leads.filter(service=service)
    lead = leads.aggregate(avg=Avg("lead_days"), horizon=Avg("horizon_days"))
    figures.lead_avg = round(float(lead["avg"]), 1) if lead["avg"] is not None else None
    figures.horizon = round(lead["horizon"]) if lead["horizon"] is not None else None
    figures.utilisation = _utilisation(municipality, first, last, location)
    return figures


def per_service(municipality, first, last, location=None) -> list[dict]:
    """One row per catalog service with bookings, cancellations, no-shows, tickets."""
    bookings = (
        _bookings(municipality, first, last, location)
        .values("service__pk", "service__name")
        .annotate(
            total=Count("pk"),
            cancelled=Count("pk", filter=Q(status=BookingStatus.CANCELLED)),
            no_show=Count("pk", filter=Q(status=BookingStatus.NO_SHOW)),
            done=Count("pk", filter=Q(status=BookingStatus.DONE)),
        )
        .order_by("-total")
    )
    handled = dict(
        _tickets(municipality, first, last, location)
        .filter(status=TicketStatus.DONE)
        .values_list("services_handled__pk")
        .annotate(n=Count("pk"))
        .values_list("services_handled__pk", "n")
    )
    leads = LeadTimeSnapshot.objects.for_municipality(municipality).filter(
        day__gte=first, day__lte=last
    )
    if location is not None:
        leads = leads.filter(location=location)
    lead_by_service = dict(
        leads.values("service").annotate(a=Avg("lead_days")).values_list("service", "a")
    )
    rows = []
    for row in bookings:
        lead = lead_by_service.get(row["service__pk"])
        rows.append(
            {
                "service": row["service__name"],
                "bookings": row["total"],
                "cancelled": row["cancelled"],
                "no_show": row["no_show"],
                "done": row["done"],
                "handled_on_site": handled.get(row["service__pk"], 0),
                "lead_avg": round(float(lead), 1) if lead is not None else None,
            }
        )
    return rows


def lead_time_series(municipality, first, last, location=None) -> list[tuple[date, float, int]]:
    """Daily average lead time and horizon across services: [(day, lead days, horizon)]."""
    leads = LeadTimeSnapshot.objects.for_municipality(municipality).filter(
        day__gte=first, day__lte=last, lead_days__isnull=False
    )
    if location is not None:
        leads = leads.filter(location=location)
    return [
        (row["day"], round(float(row["lead"]), 1), round(row["horizon"]))
        for row in leads.values("day")
        .annotate(lead=Avg("lead_days"), horizon=Avg("horizon_days"))
        .order_by("day")
    ]


def daily_waits(municipality, first, last, location=None) -> list[tuple[date, float | None, int]]:
    """Per day: median walk-in wait and the number of walk-ins."""
    by_day: dict[date, list[float]] = {}
    counts: dict[date, int] = {}
    rows = _tickets(municipality, first, last, location).filter(kind=Ticket.Kind.WALK_IN)
    for day, created, called in rows.values_list("day", "created_at", "first_called_at"):
        counts[day] = counts.get(day, 0) + 1
        if called:
            by_day.setdefault(day, []).append((called - created).total_seconds() / 60)
    return [(d, _median(by_day.get(d, [])), counts[d]) for d in sorted(counts)]
