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


def wsgi_call(application, method: str, path: str, body=None) -> int:
    data = json.dumps(body).encode() if body is not None else b""
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8711",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": rush.HOST,
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
    status = {}

    def start_response(line, headers, exc_info=None):
        status["code"] = int(line.split()[0])

    result = application(environ, start_response)
    b"".join(result)
    result.close()
    return status["code"]


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
    args = parser.parse_args()
    os.environ.update({"RATHAUS_LOAD_TEST": "1", "ALLOWED_HOSTS": "*"})
    import django

    django.setup()
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


if __name__ == "__main__":
    main()
