"""Booking engine benchmark on PostgreSQL (issue 3, docs/performance.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rathaus_bench \
        .venv/bin/python benchmarks/booking.py

1. Availability: free start times of one service over 14 days at 10 locations
   (one call of ``capacity.free_starts_by_resource``), repeated; p50/p95/p99.
2. Bookings per second through the service layer (``services.hold``: guarded
   update on the unit rows, booking row, audit entry, e-mail task enqueued) with
   32 concurrent workers (threads spread over worker processes), each with its
   own connection; ``--units 2`` books two units per booking.
3. ``pgbench -N -c 32 -j 2 -T 10`` on a scratch database of the same server in
   the same run, and the ratio bookings/s : pgbench TPS (goal >= 0.3).

It creates (and on each run replaces) a municipality ``bench`` in the database
given by DATABASE_URL; run it against a dedicated database, not production.
"""

import argparse
import multiprocessing as mp
import os
import random
import re
import resource
import subprocess
import sys
import time as pytime
from datetime import time, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
os.environ.setdefault("TASKS_BACKEND", "database")
os.environ.setdefault("EMAIL_BACKEND", "locmem")

LOCATIONS = 10
DAYS = 14  # the availability read
BOOKING_DAYS = 28  # enough free units for 10 s of bookings of 2 units
COUNTERS = 4


def setup_django():
    import django

    django.setup()


def build_fixture(units: int = 1):
    """A municipality with 10 locations, one offer each, 29 days of 10-minute units;
    a booking takes ``units`` units."""
    from django.core.management import call_command
    from django.utils import timezone

    from rathaus.appointments import capacity
    from rathaus.appointments.models import AvailabilityRule, Booking, Offer, Resource
    from rathaus.catalog.models import Service, Topic
    from rathaus.core.models import Location, Municipality, MunicipalityHost, Office

    call_command("migrate", verbosity=0)
    old = Municipality.objects.filter(slug="bench").first()
    if old:  # PROTECT foreign keys: remove dependants first
        Booking.objects.filter(municipality=old).delete()
        Offer.objects.filter(municipality=old).delete()
        Service.objects.filter(municipality=old).delete()
        old.delete()
        clean_up_after_earlier_runs()
    town = Municipality.objects.create(
        slug="bench", name="Benchstadt", ags="99999999", ars="999999999999", land="BB"
    )
    MunicipalityHost.objects.create(municipality=town, host="bench.test")
    office = Office.objects.create(municipality=town, slug="bb", name="Bürgerbüro")
    topic, _ = Topic.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    service = Service.objects.create(
        municipality=town,
        slug="personalausweis-beantragen",
        name="Personalausweis",
        summary="-",
        topic=topic,
        office=office,
    )
    offers = []
    for i in range(LOCATIONS):
        location = Location.objects.create(
            municipality=town,
            office=office,
            slug=f"standort-{i}",
            name=f"Standort {i}",
            street="Markt 1",
            postcode="14999",
            city="Benchstadt",
        )
        resource = Resource.objects.create(
            municipality=town, location=location, slug=f"schalter-{i}", name="Schalter"
        )
        AvailabilityRule.objects.create(
            resource=resource,
            weekdays=list(range(7)),
            start_time=time(8),
            end_time=time(18),
            counters=COUNTERS,
            unit_minutes=10,
            valid_from=timezone.localdate(),
        )
        offers.append(
            Offer.objects.create(
                municipality=town,
                service=service,
                resource=resource,
                duration_units=units,
                horizon_days=BOOKING_DAYS,
                lead_time_hours=0,
                one_per_person=True,
            )
        )
        capacity.materialise(resource, timezone.localdate(), BOOKING_DAYS + 1)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh statistics, as autovacuum would keep them
        cursor.execute("ANALYZE appointments_slot")
    return town, offers


def clean_up_after_earlier_runs():
    """Each run starts from the same state, not from the last run's debris.

    The e-mail tasks of deleted bench bookings were never sent (no worker runs
    here); the deleted rows leave dead tuples that autovacuum would remove, but
    autovacuum is off on the development machine, and the bloated tables
    and indexes slowed later runs by up to a fifth.
    """
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    from rathaus.appointments import tasks
    from rathaus.appointments.models import Booking, Slot
    from rathaus.core.models import AuditEntry

    mails = [tasks.send_hold_link.module_path, tasks.send_confirmation.module_path]
    table, bookings = DBTaskResult._meta.db_table, Booking._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} t WHERE status = 'READY' AND task_path = ANY(%s) "
            f"AND NOT EXISTS (SELECT 1 FROM {bookings} b "
            "WHERE b.id = (t.args_kwargs->'args'->>0)::bigint)",
            [mails],
        )
        for model in (Booking, Slot, AuditEntry, DBTaskResult):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def measure_availability(offers, rounds: int) -> list[float]:
    from django.utils import timezone

    from rathaus.appointments import capacity

    timings = []
    for _ in range(rounds):
        now = timezone.now()
        started = pytime.perf_counter()
        found = capacity.free_starts_by_resource(offers, 1, now, now + timedelta(days=DAYS))
        timings.append((pytime.perf_counter() - started) * 1000)
        assert len(found) == LOCATIONS
    return timings


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def booking_process(index, work, threads, ready, start_event, stop_at_holder, results):
    """One process running ``threads`` booking workers, each with its own connection."""
    setup_django()
    import threading
    from datetime import datetime

    from django.db import connection

    from rathaus.appointments import services
    from rathaus.appointments.models import Offer

    offers = {
        o.pk: o
        for o in Offer.objects.select_related("resource").filter(pk__in={w[0] for w in work})
    }
    connection.close()
    counts = []

    def worker(number, share):
        connection.ensure_connection()
        booked = refused = 0
        gate.wait()
        for n, (offer_id, start_iso) in enumerate(share):
            if pytime.time() >= stop_at_holder.value:
                break
            try:
                services.hold(
                    offers[offer_id],
                    datetime.fromisoformat(start_iso),
                    name=f"Person {index}-{number}-{n}",
                    email=f"p{index}.{number}.{n}@bench.example",
                )
                booked += 1
            except services.BookingError:
                refused += 1
        counts.append((booked, refused))
        connection.close()

    gate = threading.Barrier(threads + 1)
    pool = [threading.Thread(target=worker, args=(t, work[t::threads])) for t in range(threads)]
    for thread in pool:
        thread.start()
    ready.put(index)
    start_event.wait()
    gate.wait()
    for thread in pool:
        thread.join()
    results.put((sum(c[0] for c in counts), sum(c[1] for c in counts)))


def non_overlapping(starts, k: int) -> list:
    """Every k-th start of each day, so that bookings of k units don't overlap."""
    chosen, day, index = [], None, 0
    for start in sorted(starts):
        if start.date() != day:
            day, index = start.date(), 0
        if index % k == 0:
            chosen.append(start)
        index += 1
    return chosen


def measure_bookings(offers, workers: int, seconds: float, processes: int):
    """``workers`` concurrent workers (threads spread over ``processes`` processes, each
    worker with its own database connection) book random free units for ``seconds``."""
    from django.db import connections
    from django.utils import timezone

    from rathaus.appointments import capacity

    now = timezone.now()
    found = capacity.free_starts_by_resource(offers, 1, now, now + timedelta(days=BOOKING_DAYS))
    units = [
        (o.pk, s.isoformat())
        for o in offers
        for s in non_overlapping(found[o.pk], o.duration_units)
        for _ in range(COUNTERS)
    ]
    random.Random(1).shuffle(units)
    connections.close_all()
    ctx = mp.get_context("spawn")
    start_event = ctx.Event()
    stop_at = ctx.Value("d", 0.0)
    results = ctx.Queue()
    ready = ctx.Queue()
    processes = max(1, min(processes, workers))
    shares = [units[i::processes] for i in range(processes)]
    threads = [
        workers // processes + (1 if i < workers % processes else 0) for i in range(processes)
    ]
    procs = [
        ctx.Process(
            target=booking_process,
            args=(i, shares[i], threads[i], ready, start_event, stop_at, results),
        )
        for i in range(processes)
    ]
    for p in procs:
        p.start()
    for _ in procs:  # every worker has imported Django and connected
        ready.get()
    began = pytime.time()
    stop_at.value = began + seconds
    start_event.set()
    totals = [results.get() for _ in procs]
    elapsed = pytime.time() - began
    for p in procs:
        p.join()
    booked = sum(t[0] for t in totals)
    refused = sum(t[1] for t in totals)
    return booked / elapsed, booked, refused, elapsed


class CpuMeter:
    """CPU seconds of this script's child processes and of the local PostgreSQL server.

    The server's share is read from its postmaster (``/proc``, Linux, server on this
    machine): ended backends count there once the workers disconnect. None where
    it can't be read.
    """

    def __init__(self):
        self.postmaster = self._postmaster()

    @staticmethod
    def _postmaster():
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        try:
            stat = Path(f"/proc/{backend}/stat").read_text()
        except OSError:
            return None
        return int(stat.rsplit(")", 1)[1].split()[1])  # the parent: the postmaster

    def read(self) -> tuple[float, float | None]:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        mine = children.ru_utime + children.ru_stime
        if self.postmaster is None:
            return mine, None
        fields = Path(f"/proc/{self.postmaster}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
        return mine, ticks / os.sysconf("SC_CLK_TCK")


def cpu_per_item(before, after, items: int) -> str:
    if not items:
        return "-"
    workers = (after[0] - before[0]) / items * 1000
    if before[1] is None:
        return f"client processes {workers:.2f} ms"
    server = (after[1] - before[1]) / items * 1000
    return f"PostgreSQL {server:.2f} ms, client processes {workers:.2f} ms"


def check_no_double_booking(town) -> int:
    from django.db.models import F

    from rathaus.appointments.models import Slot

    return Slot.objects.filter(municipality=town, booked__gt=F("capacity")).count()


def pgbench_tps(database_url: str, clients: int, seconds: int) -> float:
    url = urlparse(database_url)
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
    base = [
        "-h",
        url.hostname or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
    ]
    scratch = "rathaus_pgbench_scratch"
    subprocess.run(["dropdb", *base, "--if-exists", scratch], env=env, check=True)
    subprocess.run(["createdb", *base, scratch], env=env, check=True)
    subprocess.run(
        ["pgbench", *base, "-i", "-q", "-s", "10", scratch],
        env=env,
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        ["pgbench", *base, "-N", "-c", str(clients), "-j", "2", "-T", str(seconds), scratch],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    subprocess.run(["dropdb", *base, scratch], env=env, check=True)
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument(
        "--processes",
        type=int,
        default=os.cpu_count() or 2,
        help="worker processes the workers (threads) are spread over",
    )
    parser.add_argument(
        "--units",
        type=int,
        default=1,
        help="units per booking (1: the inline update; more: the function, ADR 0024)",
    )
    parser.add_argument("--no-pgbench", action="store_true", help="skip the pgbench comparison")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        sys.exit("Bitte DATABASE_URL=postgres://... setzen (eigene Benchmark-Datenbank).")
    setup_django()
    town, offers = build_fixture(args.units)
    from rathaus.appointments.models import Offer

    offers = list(Offer.objects.filter(pk__in=[o.pk for o in offers]).select_related("resource"))
    measure_availability(offers, 20)  # warm-up
    timings = measure_availability(offers, args.rounds)
    print(
        f"Availability, 1 service x {LOCATIONS} locations x {DAYS} days "
        f"({LOCATIONS * DAYS * 60} unit rows), {args.rounds} calls:"
    )
    print(
        f"  p50 {percentile(timings, 50):.2f} ms  p95 {percentile(timings, 95):.2f} ms  "
        f"p99 {percentile(timings, 99):.2f} ms  (goal p95 < 20 ms)"
    )
    meter = CpuMeter()
    before = meter.read()
    rate, booked, refused, elapsed = measure_bookings(
        offers, args.workers, args.seconds, args.processes
    )
    after = meter.read()
    doubles = check_no_double_booking(town)
    print(
        f"Bookings of {args.units} unit(s) through services.hold, {args.workers} concurrent "
        f"workers (threads with own "
        f"connections in {min(args.processes, args.workers)} processes), {elapsed:.1f} s:"
    )
    print(
        f"  {booked} booked, {refused} refused (unit just taken), {rate:.0f} bookings/s, "
        f"units over capacity: {doubles}"
    )
    print(f"  CPU per booking (incl. worker start-up): {cpu_per_item(before, after, booked)}")
    if args.no_pgbench:
        return
    before = meter.read()
    tps = pgbench_tps(database_url, 32, int(args.seconds))
    after = meter.read()
    print(
        f"pgbench -N -c 32 -j 2 -T {int(args.seconds)} (same server, scratch database): "
        f"{tps:.0f} TPS"
    )
    transactions = int(tps * int(args.seconds))
    print(f"  CPU per transaction (incl. set-up): {cpu_per_item(before, after, transactions)}")
    print(f"Ratio bookings/s : pgbench TPS = {rate / tps:.2f} (goal >= 0.3)")


if __name__ == "__main__":
    main()
