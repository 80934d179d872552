"""Rush benchmark (issue 4, docs/performance.md ## rush): 2,000 citizens at a release of 500.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rathaus_rush \
    REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python benchmarks/rush.py --workers 4 --citizens 2000 --concurrency 64

What it does, on loopback only, and stops by itself:

1. Builds a municipality ``rush`` (replaced on each run) with one service at 5
   locations; one day with 10 counters x 10 ten-minute units per location = 500
   places, hidden until a release moment a few seconds after the start.
2. Starts gunicorn (``--workers`` sync processes; gthread with ``--threads`` > 1) on
   127.0.0.1 against the same PostgreSQL and Redis, with ``RATHAUS_LOAD_TEST=1``:
   the ALTCHA check and the per-IP rate limits are off (all simulated citizens
   share 127.0.0.1); the per-contact limit, the availability cache and everything
   else stay on.
3. First come, first served: every citizen reads the availability (JSON API),
   then tries to hold a random free time, up to 3 times (after a 409 it takes one
   of the alternatives). The release opens while the citizens are already polling.
4. Lottery: the same 500 places in a lottery window; every citizen enters once
   (API), the window closes and the draw allocates (in this process, as the
   periodic job would).
5. Prints appointments given, double bookings (checked in SQL), HTTP 5xx,
   p50/p95/p99 latency of all requests, bookings per second, the availability
   cache hit rate, the CPU used per booking and per request by the load generator,
   gunicorn, PostgreSQL and Redis (from /proc, release to last booking), and
   ``pgbench -N`` TPS on the same server in the same run with the ratio
   bookings/s : TPS (goal >= 0.25).
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time as pytime
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
os.environ.setdefault("TASKS_BACKEND", "database")
os.environ.setdefault("EMAIL_BACKEND", "locmem")

LOCATIONS = 5
COUNTERS = 10
UNITS = 10  # 09:00-10:40 in ten-minute units
HOST = "rush.test"
SLUG = "personalausweis-beantragen"
# Addresses differ between runs: the per-person rate limits (kept in Redis) stay on.
RUN = f"{int(pytime.time()):x}"


def build_fixture():
    from django.core.management import call_command
    from django.utils import timezone

    from rathaus.appointments import capacity
    from rathaus.appointments.models import (
        AvailabilityRule,
        Booking,
        Lottery,
        Offer,
        ReleaseSchedule,
        Resource,
        WaitlistEntry,
    )
    from rathaus.catalog.models import Service, Topic
    from rathaus.core.models import Location, Municipality, MunicipalityHost, Office

    call_command("migrate", verbosity=0)
    old = Municipality.objects.filter(slug="rush").first()
    if old:
        Lottery.objects.filter(municipality=old).delete()
        WaitlistEntry.objects.filter(municipality=old).delete()
        Booking.objects.filter(municipality=old).delete()
        ReleaseSchedule.objects.filter(municipality=old).delete()
        Offer.objects.filter(municipality=old).delete()
        Service.objects.filter(municipality=old).delete()
        old.delete()
    town = Municipality.objects.create(
        slug="rush", name="Ansturmstadt", ags="99999998", ars="999999999998", land="BB"
    )
    MunicipalityHost.objects.create(municipality=town, host=HOST)
    office = Office.objects.create(municipality=town, slug="bb", name="Bürgerbüro")
    topic, _ = Topic.objects.get_or_create(slug="rush", defaults={"name": "Rush"})
    service = Service.objects.create(
        municipality=town,
        slug=SLUG,
        name="Personalausweis",
        summary="-",
        topic=topic,
        office=office,
        is_published=True,
    )
    day = timezone.localdate() + timedelta(days=7)
    offers = []
    for i in range(LOCATIONS):
        location = Location.objects.create(
            municipality=town,
            office=office,
            slug=f"ort-{i}",
            name=f"Ort {i}",
            street="Markt 1",
            postcode="14999",
            city="Ansturmstadt",
        )
        resource = Resource.objects.create(
            municipality=town, location=location, slug=f"schalter-{i}", name="Schalter"
        )
        AvailabilityRule.objects.create(
            resource=resource,
            weekdays=[day.weekday()],
            start_time=time(9),
            end_time=time(9 + UNITS * 10 // 60, UNITS * 10 % 60),
            counters=COUNTERS,
            unit_minutes=10,
            valid_from=day,
            valid_until=day,
        )
        offers.append(
            Offer.objects.create(
                municipality=town,
                service=service,
                resource=resource,
                duration_units=1,
                horizon_days=14,
                lead_time_hours=0,
                one_per_person=True,
            )
        )
        capacity.materialise(resource, day, 1)
    return town, offers, day


def hide_until(town, moment):
    from rathaus.appointments.models import Slot

    return Slot.objects.filter(municipality=town).update(visible_from=moment)


def start_gunicorn(port: int, workers: int, threads: int, env: dict):
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "rathaus.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        "--backlog",
        "2048",
        "--timeout",
        "60",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    deadline = pytime.time() + 60
    while pytime.time() < deadline:
        try:
            request("GET", port, "/api/v1/appointments/lotteries")
            return process
        except OSError:
            pytime.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not start")


def request(method, port, path, body=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=data,
        method=method,
        headers={"Host": HOST, "Content-Type": "application/json"},
    )
    started = pytime.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, payload = error.code, error.read()
    elapsed = (pytime.perf_counter() - started) * 1000
    try:
        parsed = json.loads(payload)
    except ValueError:
        parsed = None
    return status, parsed, elapsed


def _process_cpu(pids) -> float:
    """CPU seconds (user + system) used so far by these processes, from /proc."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def _pids(match) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if match(stat):
            found.append(int(name))
    return found


class CpuMeter:
    """Where the CPU went during a phase: load generator, app server, PostgreSQL, Redis.

    PostgreSQL and Redis are counted whole (other databases on the same server too),
    so their share is an upper bound.
    """

    def __init__(self, server_pid: int):
        group = os.getpgid(server_pid)
        self.parts = {
            "load generator": lambda: [os.getpid()],
            "gunicorn": lambda: _pids(lambda st: int(st.rsplit(")", 1)[1].split()[2]) == group),
            "PostgreSQL": lambda: _pids(lambda st: "(postgres)" in st),
            "Redis": lambda: _pids(lambda st: "(redis-server)" in st),
        }
        self.started = self.ended = None

    def start(self) -> None:
        self.started = self._sample()

    def stop(self) -> None:
        if self.started is not None and self.ended is None:
            self.ended = self._sample()

    def _sample(self) -> dict:
        sample = {name: _process_cpu(pids()) for name, pids in self.parts.items()}
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:]]
        sample["machine busy"] = (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")
        sample["wall"] = pytime.perf_counter()
        return sample

    def report(self, bookings: int, requests: int) -> None:
        if self.started is None:
            return
        self.stop()
        wall = self.ended["wall"] - self.started["wall"]
        print(f"  CPU from the release to the last booking ({wall:.2f} s, {requests} requests):")
        for name in [*self.parts, "machine busy"]:
            used = self.ended[name] - self.started[name]
            print(
                f"    {name:15} {used:6.2f} s = {used / wall * 100:4.0f} % of one core, "
                f"{used / max(bookings, 1) * 1000:5.1f} ms per booking, "
                f"{used / max(requests, 1) * 1000:5.2f} ms per request"
            )


class Stats:
    def __init__(self, meter=None, places=0):
        self.lock = threading.Lock()
        self.latencies, self.statuses = [], {}
        self.booked_at = []
        self.meter, self.places = meter, places
        self.requests_at_release = self.requests_at_last_booking = 0

    def booked(self) -> None:
        with self.lock:
            self.booked_at.append(pytime.time())
            if len(self.booked_at) == self.places and self.meter is not None:
                self.meter.stop()
                self.requests_at_last_booking = len(self.latencies)

    def released(self) -> None:
        if self.meter is not None:
            self.meter.start()
        self.requests_at_release = len(self.latencies)

    def add(self, status, elapsed):
        with self.lock:
            self.latencies.append(elapsed)
            self.statuses[status] = self.statuses.get(status, 0) + 1

    def percentile(self, p):
        values = sorted(self.latencies)
        return values[min(len(values) - 1, int(len(values) * p / 100))] if values else 0.0

    @property
    def errors_5xx(self):
        return sum(n for s, n in self.statuses.items() if s >= 500)


def fcfs_citizen(i, port, day, release_at, stats):
    """Poll the availability until the release, then try up to three times to hold."""
    query = f"/api/v1/appointments/availability?service={SLUG}&date_from={day}&date_to={day}"
    free = []
    for _ in range(200):
        status, body, elapsed = request("GET", port, query)
        stats.add(status, elapsed)
        free = (
            [(o["resource"], t) for o in (body or []) for t in o["free"]] if status == 200 else []
        )
        if free or pytime.time() > release_at + 5:
            break
        pytime.sleep(random.uniform(0.2, 0.5))
    for _attempt in range(3):
        if not free:
            return False
        resource, start = random.choice(free)
        status, body, elapsed = request(
            "POST",
            port,
            "/api/v1/appointments/holds",
            {
                "service": SLUG,
                "resource": resource,
                "start": start,
                "name": f"Person {i}",
                "email": f"person{i}.{RUN}@example.org",
                "idempotency_key": f"rush-{RUN}-{i}",
            },
        )
        stats.add(status, elapsed)
        if status == 201:
            stats.booked()
            return True
        free = [(resource, t) for t in (body or {}).get("alternatives", [])]
        if not free:  # re-read the availability (from the cache, bumped by the change)
            status, body, elapsed = request("GET", port, query)
            stats.add(status, elapsed)
            free = (
                [(o["resource"], t) for o in (body or []) for t in o["free"]]
                if status == 200
                else []
            )
    return False


def lottery_citizen(i, port, lottery_id, stats):
    status, _body, elapsed = request(
        "POST",
        port,
        f"/api/v1/appointments/lotteries/{lottery_id}/entries",
        {"service": SLUG, "name": f"Person {i}", "email": f"los{i}.{RUN}@example.org"},
    )
    stats.add(status, elapsed)
    return status == 201


def double_bookings(town) -> tuple[int, int]:
    """Units over capacity, and units where active bookings outnumber the places (SQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM appointments_slot WHERE municipality_id = %s "
            "AND booked > capacity",
            [town.pk],
        )
        over = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM (SELECT s.id FROM appointments_slot s "
            "JOIN appointments_booking b ON b.resource_id = s.resource_id "
            "AND b.starts_at <= s.starts_at AND b.ends_at > s.starts_at "
            "AND b.status IN ('reserved','confirmed','arrived','called') "
            "WHERE s.municipality_id = %s GROUP BY s.id, s.capacity "
            "HAVING count(*) > s.capacity) AS x",
            [town.pk],
        )
        return over, cursor.fetchone()[0]


def report(title, stats, given, seconds, town):
    over, crowded = double_bookings(town)
    print(f"\n{title}")
    print(f"  appointments given: {given} of {LOCATIONS * COUNTERS * UNITS}")
    print(f"  double bookings (SQL): {over} units over capacity, {crowded} units over-booked")
    print(f"  HTTP 5xx: {stats.errors_5xx}   status counts: {dict(sorted(stats.statuses.items()))}")
    print(
        f"  latency of {len(stats.latencies)} requests: p50 {stats.percentile(50):.0f} ms  "
        f"p95 {stats.percentile(95):.0f} ms  p99 {stats.percentile(99):.0f} ms"
    )
    rate = given / seconds if seconds else 0.0
    print(f"  bookings per second: {rate:.0f} ({given} in {seconds:.2f} s)")
    return rate


def run_fcfs(args, port, server_pid):
    from django.utils import timezone

    from rathaus.appointments import cache as availability_cache
    from rathaus.appointments.models import Booking

    town, _offers, day = build_fixture()
    release = timezone.now().replace(microsecond=0) + timedelta(seconds=args.lead_seconds)
    hide_until(town, release)
    availability_cache.reset_stats()
    stats = Stats(CpuMeter(server_pid), LOCATIONS * COUNTERS * UNITS)
    started = pytime.time()
    at_release = threading.Timer(release.timestamp() - pytime.time(), stats.released)
    at_release.start()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        list(
            pool.map(
                lambda i: fcfs_citizen(i, port, day, release.timestamp(), stats),
                range(args.citizens),
            )
        )
    at_release.cancel()
    given = Booking.objects.filter(municipality=town).count()
    span = (max(stats.booked_at) - release.timestamp()) if stats.booked_at else 0
    rate = report(
        f"First come, first served: {args.citizens} citizens, concurrency {args.concurrency}, "
        f"{pytime.time() - started:.1f} s in total",
        stats,
        given,
        span,
        town,
    )
    stats.meter.report(given, stats.requests_at_last_booking - stats.requests_at_release)
    cache = availability_cache.stats()
    if cache["rate"] is not None:
        print(
            f"  availability cache: {cache['hits']} hits, {cache['misses']} misses "
            f"({cache['rate'] * 100:.1f} % hit rate)"
        )
    return rate, stats.errors_5xx, double_bookings(town)


def run_lottery(args, port):
    from django.utils import timezone

    from rathaus.appointments import capacity, lottery
    from rathaus.appointments.models import Booking, Lottery, ReleaseSchedule

    town, offers, day = build_fixture()
    hide_until(town, capacity.FAR_FUTURE)
    schedule = ReleaseSchedule.objects.create(
        municipality=town,
        name="Verlosung",
        at_time=time(18),
        mode=ReleaseSchedule.Mode.LOTTERY,
    )
    schedule.resources.set([o.resource for o in offers])
    now = timezone.now()
    draw = Lottery.objects.create(
        municipality=town,
        schedule=schedule,
        opens_at=now - timedelta(seconds=1),
        closes_at=now + timedelta(minutes=15),
        first_day=day,
        last_day=day,
    )
    stats = Stats()
    started = pytime.time()
    with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        entered = sum(
            pool.map(lambda i: lottery_citizen(i, port, draw.pk, stats), range(args.citizens))
        )
    entry_seconds = pytime.time() - started
    Lottery.objects.filter(pk=draw.pk).update(closes_at=timezone.now())
    draw.refresh_from_db()
    draw_started = pytime.perf_counter()
    lottery.draw(draw)
    draw_seconds = pytime.perf_counter() - draw_started
    given = Booking.objects.filter(municipality=town).count()
    print(
        f"\nLottery: {entered} entries in {entry_seconds:.1f} s "
        f"({entered / entry_seconds:.0f} entries/s), draw took {draw_seconds:.2f} s"
    )
    rate = report("Lottery draw", stats, given, draw_seconds, town)
    draw.refresh_from_db()
    print(f"  seed {draw.seed}, result {draw.result}")
    return rate, stats.errors_5xx, double_bookings(town)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--citizens", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--lead-seconds", type=int, default=5)
    parser.add_argument("--port", type=int, default=8711)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--no-pgbench", action="store_true")
    # Sync workers, 4 processes: on the 2-vCPU box (shared with PostgreSQL, Redis and
    # this load generator) they beat gthread 4 x 4, 2 x 4 and sync 3 / 6 (docs/performance.md
    # ## rush: 90 vs 65-80 bookings/s, p99 0.4 s vs 0.5-0.8 s). Threads only add GIL
    # switching when every request is CPU work; 4 processes keep both cores busy while one
    # waits for the database.
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (1: sync workers)"
    )
    parser.add_argument("--fcfs-only", action="store_true", help="skip the lottery")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Bitte DATABASE_URL=postgres://... und REDIS_URL=redis://... setzen.")
    import django

    django.setup()
    build_fixture()  # migrations before the servers start
    env = {
        **os.environ,
        "RATHAUS_LOAD_TEST": "1",
        "RATHAUS_MODE": "demo",  # demo key and any host name (core.deployment)
        "ALLOWED_HOSTS": "*",
        "PYTHONPATH": str(ROOT / "src"),
    }
    server = start_gunicorn(args.port, args.workers, args.threads, env)
    try:
        kind = f"{args.threads} threads (gthread)" if args.threads > 1 else "1 thread (sync)"
        print(
            f"gunicorn: {args.workers} workers x {kind} on 127.0.0.1:{args.port}; "
            f"PostgreSQL {database_url.rsplit('/', 1)[-1]}; Redis {os.environ['REDIS_URL']}; "
            f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
        )
        fcfs_rate, fcfs_5xx, fcfs_doubles = run_fcfs(args, args.port, server.pid)
        lottery_rate, lottery_5xx, lottery_doubles = 0.0, 0, (0, 0)
        if not args.fcfs_only:
            lottery_rate, lottery_5xx, lottery_doubles = run_lottery(args, args.port)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    ok = fcfs_5xx == 0 and lottery_5xx == 0 and fcfs_doubles == (0, 0) == lottery_doubles
    print(f"\nChecks: 5xx = 0 and no double bookings: {'OK' if ok else 'FAILED'}")
    if not args.no_pgbench:
        from booking import pgbench_tps

        tps = pgbench_tps(database_url, 32, args.pgbench_seconds)
        print(f"pgbench -N -c 32 -j 2 -T {args.pgbench_seconds} (same server): {tps:.0f} TPS")
        print(f"Ratio FCFS bookings/s : pgbench TPS = {fcfs_rate / tps:.2f} (goal >= 0.25)")
        print(f"Ratio lottery allocations/s : pgbench TPS = {lottery_rate / tps:.2f}")
    print(f"Run at {datetime.now(UTC).isoformat(timespec='seconds')}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
