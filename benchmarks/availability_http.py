"""Availability over HTTP: one service, 10 locations x 14 days, cache hit and miss (issue 24).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rathaus_bench \
    REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python benchmarks/availability_http.py [--requests 300] [--concurrency 4]

Builds the ``bench`` town of ``benchmarks/booking.py`` (replaced on each run), starts
gunicorn (sync workers) on loopback and asks
``GET /api/v1/appointments/availability?service=…`` (14 days from today, all 10
locations) with ``Accept-Encoding: gzip``, a new connection per request:

- **hit**: the same question again and again (the answer is in the cache);
- **miss**: before each request the load generator bumps the cache version of one
  (resource, day) in range, as a booking does, so every answer is computed anew; with
  several clients a request may find up to one changed day per client (each client's
  bump since the last answer was stored) and concurrent requests compute the same piece;
- **one booker** (``--one-booker``, added): one client bumps one (resource, day) before
  each of its ``--requests`` requests, as after each booking, while the other clients
  keep reading the same answer (mostly hits); printed are the booker's latencies (a miss
  with one changed day, unless a reader computed it first) and the readers' latencies;
``--before-src DIR`` also starts a second server on another source tree (e.g.
``git archive main src | tar -x -C /tmp/before``) against the same database and cache,
and measures both alternately in the same run.

Prints bytes on the wire (gzip) and unpacked, p50/p95/p99 per kind, the app server's
CPU per request (from /proc) and the cache's hit/miss counts. The machine is shared:
compare figures of one run.
"""

import argparse
import gzip
import http.client
import os
import random
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
HOST = "bench.test"


def get(port: int, path: str):
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Host": HOST, "Accept-Encoding": "gzip"})
        response = conn.getresponse()
        body = response.read()
        encoding = response.getheader("Content-Encoding")
    finally:
        conn.close()
    return response.status, body, encoding, (time.perf_counter() - started) * 1000


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def run(port, path, requests, concurrency, before=None):
    latencies, statuses = [], {}
    lock = threading.Lock()
    per_thread = requests // concurrency

    def worker():
        for _ in range(per_thread):
            if before:
                before()
            status, _body, _enc, elapsed = get(port, path)
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses


def run_one_booker(port, path, requests, concurrency, bump):
    """Client 0 bumps before each request; the others read until it is done."""
    booker, readers = [], []
    lock = threading.Lock()
    done = threading.Event()

    def book():
        for _ in range(requests):
            bump()
            booker.append(get(port, path)[3])
        done.set()

    def read():
        while not done.is_set():
            elapsed = get(port, path)[3]
            with lock:
                readers.append(elapsed)

    threads = [threading.Thread(target=book)]
    threads += [threading.Thread(target=read) for _ in range(concurrency - 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return booker, readers


def measured(server, load, *args):
    """``load(*args)``'s result, the server's CPU seconds meanwhile and the cache's counts."""
    from rush import CpuMeter  # after main() has set Django up

    from rathaus.appointments import cache as availability_cache

    availability_cache.reset_stats()
    meter = CpuMeter(server.pid)
    meter.start()
    result = load(*args)
    meter.stop()
    return result, meter.ended["gunicorn"] - meter.started["gunicorn"], availability_cache.stats()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8751)
    parser.add_argument("--before-src", help="a second source tree to compare with")
    parser.add_argument(
        "--one-booker", action="store_true", help="also: one client bumping, the others reading"
    )
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Bitte DATABASE_URL=postgres://... und REDIS_URL=redis://... setzen.")
    import booking
    import floor

    booking.setup_django()
    from datetime import timedelta

    from django.utils import timezone

    from rathaus.appointments import cache as availability_cache

    _town, offers = booking.build_fixture(1)
    resources = [o.resource_id for o in offers]
    today = timezone.localdate()
    days = [today + timedelta(days=d) for d in range(14)]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "RATHAUS_LOAD_TEST": "1",
        "RATHAUS_MODE": "demo",
        "ALLOWED_HOSTS": "*",
    }
    servers = [("this tree", args.port, env)]
    if args.before_src:
        before_env = {**env, "PYTHONPATH": str(Path(args.before_src).resolve())}
        servers.insert(0, (f"before ({args.before_src})", args.port + 1, before_env))
    started = [
        floor.start_gunicorn("rathaus.wsgi:application", port, args.workers, e, ROOT)
        for _label, port, e in servers
    ]
    print(
        f"gunicorn {args.workers} sync workers per server; {args.concurrency} concurrent "
        f"clients, {args.requests} requests per kind; load average "
        f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )

    def bump():
        availability_cache.bump(random.choice(resources), [random.choice(days)])

    path = "/api/v1/appointments/availability?service=personalausweis-beantragen"
    try:
        for (label, port, _env), server in zip(servers, started, strict=True):
            for _ in range(2 * args.workers):  # every worker past its first request
                get(port, path)
            status, body, encoding, _ms = get(port, path)
            plain = gzip.decompress(body) if encoding == "gzip" else body
            print(
                f"\n{label}: status {status}, {len(body):,} bytes on the wire "
                f"({encoding or 'identity'}), {len(plain):,} bytes of JSON"
            )
            for kind, before in (("hit", None), ("miss", bump)):
                (latencies, statuses), cpu, stats = measured(
                    server, run, port, path, args.requests, args.concurrency, before
                )
                print(
                    f"  {kind:4}: p50 {percentile(latencies, 50):6.1f} ms  "
                    f"p95 {percentile(latencies, 95):6.1f} ms  "
                    f"p99 {percentile(latencies, 99):6.1f} ms  "
                    f"server CPU {cpu / len(latencies) * 1000:5.2f} ms/request  {statuses}  "
                    f"cache (this tree's counters) {stats['hits']} hits / {stats['misses']} misses"
                )
            if args.one_booker:
                (booker, readers), cpu, stats = measured(
                    server, run_one_booker, port, path, args.requests, args.concurrency, bump
                )
                for kind, latencies in (("one booker", booker), ("its readers", readers)):
                    print(
                        f"  {kind}: p50 {percentile(latencies, 50):6.1f} ms  "
                        f"p95 {percentile(latencies, 95):6.1f} ms  "
                        f"p99 {percentile(latencies, 99):6.1f} ms  {len(latencies)} requests"
                    )
                print(
                    f"  (both: server CPU {cpu / (len(booker) + len(readers)) * 1000:5.2f} "
                    f"ms/request, cache {stats['hits']} hits / {stats['misses']} misses)"
                )
    finally:
        for server in started:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    print(f"Run at {datetime.now(UTC).isoformat(timespec='seconds')}")


if __name__ == "__main__":
    main()
