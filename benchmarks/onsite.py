"""Vor-Ort benchmark (issue 5, docs/performance.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rathaus_onsite \
        .venv/bin/python benchmarks/onsite.py

On a throw-away test database with the Musterstadt demo (three Bürgerbüros, ~90
days of simulated tickets, bookings and lead-time snapshots) it measures:

1. ``services.estimated_wait`` per location (what the location page and the kiosk
   call on every view): p50/p95.
2. ``figures.compute`` over 90 days for all locations (the statistics page and
   the report, which computes two periods).
3. "Call next" throughput: 8 counters in 8 threads (own connections) calling and
   finishing 400 waiting tickets; calls/s and the check that no ticket was called
   twice.
"""

import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _django import load_demo_municipality, setup_django_with_test_db  # noqa: E402

COUNTERS = 8
TICKETS = 400


def timed(fn, repeat):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]


def main():
    setup_django_with_test_db()
    from django.db import connection
    from django.utils import timezone

    from rathaus.appointments import demo as appointments_demo
    from rathaus.core.models import Location
    from rathaus.onsite import demo, figures, services
    from rathaus.onsite.models import Counter, ServiceGroup, Ticket

    town = load_demo_municipality()
    appointments_demo.load(town)
    demo.load(town)
    print(f"database: {connection.vendor}; tickets: {Ticket.objects.count()}")

    locations = list(Location.objects.filter(service_groups__isnull=False).distinct())
    p50, p95 = timed(lambda: [services.estimated_wait(loc) for loc in locations], 50)
    print(f"estimated_wait, {len(locations)} locations: p50 {p50:.1f} ms, p95 {p95:.1f} ms")

    today = timezone.localdate()
    p50, p95 = timed(lambda: figures.compute(town, today - timedelta(days=90), today), 10)
    print(f"figures.compute, 90 days, all locations: p50 {p50:.0f} ms, p95 {p95:.0f} ms")

    location = locations[0]
    group = ServiceGroup.objects.filter(location=location).first()
    ServiceGroup.objects.filter(pk=group.pk).update(daily_contingent=10_000)
    Ticket.objects.filter(location=location, day=today).update(status="done")
    Counter.objects.filter(location=location).update(opened_at=None)
    desks = [
        Counter.objects.get_or_create(
            municipality=town, location=location, number=100 + n, defaults={"name": f"B{n}"}
        )[0]
        for n in range(COUNTERS)
    ]
    for desk in desks:
        services.open_counter(desk, actor=None)
        desk.groups.clear()
    for _ in range(TICKETS):
        services.draw(group)
    called: list[int] = []
    lock = threading.Lock()
    service = list(group.services.all()[:1])

    def worker(desk):
        try:
            while True:
                ticket = services.call_next(desk, actor=None)
                if ticket is None:
                    return
                services.finish(desk, ticket, service, actor=None)
                with lock:
                    called.append(ticket.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(d,)) for d in desks]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    assert len(called) == len(set(called)) == TICKETS, (len(called), len(set(called)))
    print(
        f"call next + finish, {COUNTERS} counters in parallel, {TICKETS} tickets: "
        f"{TICKETS / seconds:.0f} tickets/s, none twice"
    )


if __name__ == "__main__":
    main()
