"""Appointment figures for ``/metrics`` (core.ops.metrics): active bookings and holds,
lottery draws, per municipality. Read at scrape time, so right with any number of
app servers."""

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily

from .models import ACTIVE_STATES, Booking
from .release_models import Lottery


def collect():
    bookings = GaugeMetricFamily(
        "rathaus_bookings_active",
        "Appointments holding capacity, by status (reserved = holds)",
        labels=["municipality", "status"],
    )
    rows = (
        Booking.objects.filter(status__in=ACTIVE_STATES)
        .values_list("municipality__slug", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for town, status, number in rows:
        bookings.add_metric([town, status], number)
    yield bookings
    draws = GaugeMetricFamily(
        "rathaus_lotteries", "Lotteries by status", labels=["municipality", "status"]
    )
    rows = (
        Lottery.objects.values_list("municipality__slug", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for town, status, number in rows:
        draws.add_metric([town, status], number)
    yield draws
