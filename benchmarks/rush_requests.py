"""Per-request cost of the two rush requests through the whole Django stack, in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rathaus_rush \
    REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python benchmarks/rush_requests.py [--profile] [--requests 300]

Builds the ``rush`` town of ``benchmarks/rush.py`` (units visible), then calls the
WSGI application directly (every middleware, tenancy, django-ninja, JSON), one
request at a time: ``GET /api/v1/appointments/availability`` (answered from the
availability cache after the first call) and ``POST /api/v1/appointments/holds``
(each a new person). Prints wall time and this process's CPU time per request;
with ``--profile`` the cProfile of each kind. No HTTP server, no concurrency: what
one request costs the app tier, without the load generator and the contention of
a full run (docs/performance.md ## rush).

``--floor-mix`` instead runs the API citizen of ``benchmarks/floor.py`` in process, on
its ``bench`` town (10 locations, 27 bookable days): read the availability of one random
day (``Accept-Encoding: gzip``, as floor.py sends), hold one of its free times, repeated
``--requests`` times. A hold bumps its day, so about half of the reads patch one
location (ADR 0102), as in floor.py's run. Prints the CPU per read and per hold (summed
around each call) and the reads' cache hits; ``--profile`` profiles the CPU time.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from datetime import time as dtime
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import rush  # noqa: E402  (sets up the paths and settings module)

SLUG = "personalausweis-beantragen"  # the service of booking.py's (and floor.py's) town


def wsgi_call(application, method: str, path: str, body=None) -> int:
    return wsgi_answer(application, method, path, body)[0]


def wsgi_answer(application, method: str, path: str, body=None, *, gzip=False, host=rush.HOST):
    """The status and the body of one request through the WSGI application."""
    data = json.dumps(body).encode() if body is not None else b""
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8711",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": host,
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    if gzip:
        environ["HTTP_ACCEPT_ENCODING"] = "gzip"
    status = {}

    def start_response(line, headers, exc_info=None):
        status["code"] = int(line.split()[0])

    result = application(environ, start_response)
    content = b"".join(result)
    result.close()
    return status["code"], content


def measure(name: str, call, n: int, profile: bool) -> None:
    profiler = cProfile.Profile() if profile else None
    statuses: dict[int, int] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    for i in range(n):
        code = call(i)
        statuses[code] = statuses.get(code, 0) + 1
    if profiler:
        profiler.disable()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"{name}: {n} requests, {wall / n * 1000:.2f} ms wall, "
        f"{cpu / n * 1000:.2f} ms CPU per request; status {statuses}"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--floor-mix", action="store_true", help="floor.py's API citizen")
    args = parser.parse_args()
    os.environ.update({"RATHAUS_LOAD_TEST": "1", "ALLOWED_HOSTS": "*"})
    import django

    django.setup()
    if args.floor_mix:
        return floor_mix(args.requests, args.profile)
    from django.utils import timezone

    from rathaus.appointments import capacity
    from rathaus.wsgi import application

    town, _offers, day = rush.build_fixture()
    rush.hide_until(town, timezone.now() - timedelta(minutes=1))
    query = f"/api/v1/appointments/availability?service={rush.SLUG}&date_from={day}&date_to={day}"
    wsgi_call(application, "GET", query)  # fills the availability cache
    nine = capacity.local(day, dtime(9))
    starts = [
        (f"schalter-{i}", (nine + timedelta(minutes=minute)).isoformat())
        for minute in range(0, rush.UNITS * 10, 10)
        for i in range(rush.LOCATIONS)
    ]
    measure(
        "availability (cached)",
        lambda i: wsgi_call(application, "GET", query),
        args.requests,
        args.profile,
    )
    run = f"{time.time():.0f}"

    def hold(i):
        resource, start = starts[i % len(starts)]
        body = {
            "service": rush.SLUG,
            "resource": resource,
            "start": start,
            "name": f"Person {i}",
            "email": f"einzeln{i}.{run}@example.org",
            "idempotency_key": f"einzeln-{run}-{i}",
        }
        return wsgi_call(application, "POST", "/api/v1/appointments/holds", body)

    places = rush.LOCATIONS * rush.COUNTERS * rush.UNITS
    measure("hold", hold, min(args.requests, places), args.profile)


def floor_mix(citizens: int, profile: bool) -> None:
    """floor.py's ``api_citizen`` in process: CPU per read and per hold, summed around
    each call (the setup and the load generator's parsing are not counted)."""
    import gzip
    import random

    import booking
    from django.utils import timezone

    from rathaus.appointments import cache
    from rathaus.wsgi import application

    random.seed(24)
    booking.build_fixture(1)
    today = timezone.localdate()
    days = [str(today + timedelta(days=d)) for d in range(1, booking.BOOKING_DAYS)]
    run = f"{time.time():.0f}"
    path = "/api/v1/appointments/availability?service={}&date_from={}&date_to={}"
    profiler = None  # set after the warm-up
    spent = {"read": 0.0, "hold": 0.0}
    counts = {"read": 0, "hold": 0}
    statuses: dict[tuple[str, int], int] = {}

    def timed(kind, *call):
        if profiler:
            profiler.enable()
        cpu = time.process_time()
        answer = wsgi_answer(application, *call, gzip=True, host="bench.test")
        spent[kind] += time.process_time() - cpu
        if profiler:
            profiler.disable()
        counts[kind] += 1
        return answer

    def citizen(number: int) -> None:
        day = random.choice(days)
        code, content = timed("read", "GET", path.format(SLUG, day, day))
        statuses[("read", code)] = statuses.get(("read", code), 0) + 1
        answer = json.loads(gzip.decompress(content)) if code == 200 else []
        free = [(o["resource"], t) for o in answer for t in o["free"]]
        if not free:
            return
        resource, start = random.choice(free)
        body = {
            "service": SLUG,
            "resource": resource,
            "start": start,
            "name": f"Person {number}",
            "email": f"p{number}.{run}@example.org",
        }
        code, _content = timed("hold", "POST", "/api/v1/appointments/holds", body)
        statuses[("hold", code)] = statuses.get(("hold", code), 0) + 1

    for number in range(50):  # warm: memos, prepared statements, pieces
        citizen(number)
    for kind in spent:
        spent[kind], counts[kind] = 0.0, 0
    statuses.clear()
    cache.reset_stats()
    profiler = cProfile.Profile(time.process_time) if profile else None
    for number in range(50, 50 + citizens):
        citizen(number)
    stats = cache.stats()
    for kind in ("read", "hold"):
        print(
            f"{kind}: {counts[kind]} requests, "
            f"{spent[kind] / max(counts[kind], 1) * 1000:.3f} ms CPU per request"
        )
    total = sum(counts.values())
    print(
        f"per request (both kinds): {sum(spent.values()) / max(total, 1) * 1000:.3f} ms CPU; "
        f"reads: {stats['hits']} hits, {stats['misses']} misses; status {statuses}; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)


if __name__ == "__main__":
    main()
