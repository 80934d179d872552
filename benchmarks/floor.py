"""The bare floor next to the booking API, one load generator, one run (issue 24).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rathaus_bench \
    REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python benchmarks/floor.py [--seconds 10] [--concurrency 32] [--workers 4]

1. **Floor**: a few lines of WSGI (``application`` below, no framework) under the same
   gunicorn as the app. Each POST takes one unit row with a guarded UPDATE and inserts
   a booking, an audit entry and a task row, in one transaction (four writes, as a
   hold does), on tables ``floor_*`` it creates in the same database.
2. **Booking API**: the whole Django app with the ``bench`` town of
   ``benchmarks/booking.py`` (10 locations, 28 days of units, so places don't run
   out). Each simulated citizen reads the availability of one day (JSON API) and
   holds one of its free times: the two requests of a booking.
3. The same load generator (``--processes`` processes x threads; a new connection
   per request, or with ``--keepalive`` one kept per thread for as long as the server
   keeps it) drives each for ``--seconds``, phases alternating for ``--rounds`` (the
   machine is shared: load from others drifts); prints requests/s, p50/p95, status
   counts and the app server's CPU per request (from /proc, less sensitive to other
   load than requests/s), then over all rounds the ratios booking API : floor (goal
   >= 0.5) and bookings/s : floor (goal >= 0.25).

``--servers sync,gthread,granian`` runs floor and API under each server in the same run
(gunicorn sync workers close every connection; gthread with one thread per worker and
granian's WSGI interface keep them alive): ratios against the floor of the same server
and against the first server's floor. granian is measured only, not a dependency
(``.venv/bin/pip install granian``; ADR 0098).

``--before-src DIR`` also runs the booking API of a second source tree (e.g. ``git
archive main src | tar -x -C /tmp/before``) in the same run, for before/after ratios.

``RATHAUS_LOAD_TEST=1`` for the app server: ALTCHA and per-IP limits off (all
citizens share 127.0.0.1); everything else stays on. Run it against a dedicated
database: it replaces the ``bench`` town and drops the ``floor_*`` tables.
"""

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "bench.test"
SLUG = "personalausweis-beantragen"

# --- the floor: a bare WSGI app ----------------------------------------------------------

FLOOR_TABLES = """
DROP TABLE IF EXISTS floor_unit, floor_booking, floor_audit, floor_task;
CREATE TABLE floor_unit (id bigserial PRIMARY KEY, capacity int NOT NULL, booked int NOT NULL);
CREATE TABLE floor_booking (id bigserial PRIMARY KEY, unit_id bigint NOT NULL,
    code varchar(12) NOT NULL UNIQUE, name varchar(200) NOT NULL, email varchar(254) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE floor_audit (id bigserial PRIMARY KEY, object_id bigint NOT NULL,
    action varchar(40) NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE floor_task (id bigserial PRIMARY KEY, path varchar(200) NOT NULL,
    args jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO floor_unit (capacity, booked) SELECT 1000000, 0 FROM generate_series(1, 1000);
"""

_connection = None


def application(environ, start_response):
    """POST /: take one unit and write booking, audit entry and task in one transaction."""
    import psycopg

    global _connection
    if _connection is None:
        _connection = psycopg.connect(os.environ["FLOOR_DSN"])
    body = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
    with _connection.transaction():
        taken = _connection.execute(
            "UPDATE floor_unit SET booked = booked + 1 WHERE id = %s AND booked < capacity "
            "RETURNING id",
            [body["unit"]],
        ).fetchone()
        if taken is None:
            start_response("409 Conflict", [("Content-Type", "application/json")])
            return [b'{"reason": "taken"}']
        booking = _connection.execute(
            "INSERT INTO floor_booking (unit_id, code, name, email) VALUES (%s, %s, %s, %s) "
            "RETURNING id",
            [taken[0], body["code"], body["name"], body["email"]],
        ).fetchone()[0]
        _connection.execute(
            "INSERT INTO floor_audit (object_id, action) VALUES (%s, 'hold')", [booking]
        )
        _connection.execute(
            "INSERT INTO floor_task (path, args) VALUES ('send_hold_link', %s)",
            [json.dumps([booking])],
        )
    answer = json.dumps({"code": body["code"], "status": "reserved"}).encode()
    start_response("201 Created", [("Content-Type", "application/json")])
    return [answer]


# --- the load generator --------------------------------------------------------------------


_local = threading.local()
#: ``--keepalive``: each load generator thread keeps its connection (HTTP/1.1 keep-alive)
#: for as long as the server does; else a new connection per request.
KEEPALIVE = {"on": False}


def _client(port: int) -> http.client.HTTPConnection:
    conn = getattr(_local, "conn", None)
    if conn is None or conn.port != port:
        conn = _local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    return conn


def call(port: int, method: str, path: str, body=None):
    """One request; (status, parsed body, milliseconds)."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Host": HOST, "Content-Type": "application/json", "Accept-Encoding": "gzip"}
    started = time.perf_counter()
    if KEEPALIVE["on"]:
        conn = _client(port)
        try:
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            # The server closed the idle connection before reading the request: again on
            # a new one (nothing was processed, so nothing is sent twice).
            conn.close()
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
    try:
        payload = response.read()
        if response.getheader("Content-Encoding") == "gzip":
            import gzip

            payload = gzip.decompress(payload)
        status = response.status
    finally:
        if not KEEPALIVE["on"] or response.will_close:
            conn.close()
    elapsed = (time.perf_counter() - started) * 1000
    try:
        parsed = json.loads(payload) if payload else None
    except ValueError:
        parsed = None
    return status, parsed, elapsed


def floor_citizen(port, number, counter):
    status, _body, elapsed = call(
        port,
        "POST",
        "/",
        {
            "unit": random.randint(1, 1000),
            "code": f"F{os.getpid() % 10000:04d}{number:07d}"[-12:],
            "name": f"Person {number}",
            "email": f"person{number}@example.org",
        },
    )
    return [(status, elapsed)]


def api_citizen(port, number, context):
    """Read one day's availability, hold a random free time (two requests)."""
    day = random.choice(context["days"])
    status, body, elapsed = call(
        port,
        "GET",
        f"/api/v1/appointments/availability?service={SLUG}&date_from={day}&date_to={day}",
    )
    done = [(status, elapsed)]
    free = [(o["resource"], t) for o in (body or []) for t in o["free"]] if status == 200 else []
    if not free:
        return done
    resource, start = random.choice(free)
    status, _body, elapsed = call(
        port,
        "POST",
        "/api/v1/appointments/holds",
        {
            "service": SLUG,
            "resource": resource,
            "start": start,
            "name": f"Person {number}",
            "email": f"p{number}.{os.getpid()}.{context['run']}@example.org",
        },
    )
    return [*done, (status, elapsed, "hold")]


def _generator_process(kind, port, threads, seconds, context, first_number, queue):
    random.seed(first_number)
    KEEPALIVE["on"] = context.get("keepalive", False)
    stop_at = time.perf_counter() + seconds
    results: list = []
    lock = threading.Lock()
    citizen = floor_citizen if kind == "floor" else api_citizen

    def worker(index):
        number = first_number + index * 1_000_000
        mine = []
        while time.perf_counter() < stop_at:
            mine.extend(citizen(port, number, context))
            number += 1
        with lock:
            results.extend(mine)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    queue.put(results)


def drive(kind, port, concurrency, processes, seconds, context):
    """Run the citizens of ``kind`` for ``seconds``: (requests/s, holds/s, p50, p95, statuses)."""
    queue: mp.Queue = mp.Queue()
    per_process = max(1, concurrency // processes)
    procs = [
        mp.Process(
            target=_generator_process,
            args=(kind, port, per_process, seconds, context, (i + 1) * 10_000_000, queue),
        )
        for i in range(processes)
    ]
    started = time.perf_counter()
    for proc in procs:
        proc.start()
    results = [row for _ in procs for row in queue.get()]
    for proc in procs:
        proc.join()
    wall = time.perf_counter() - started
    latencies = sorted(r[1] for r in results)
    statuses: dict[int, int] = {}
    for r in results:
        statuses[r[0]] = statuses.get(r[0], 0) + 1
    holds = sum(1 for r in results if (len(r) == 3 or kind == "floor") and r[0] == 201)

    def pct(p):
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))]

    return len(results) / wall, holds / wall, pct(50), pct(95), dict(sorted(statuses.items()))


# --- servers -------------------------------------------------------------------------------


SERVERS = ("sync", "gthread", "granian")


def server_command(server: str, app: str, port: int, workers: int, chdir: Path) -> list[str]:
    """gunicorn sync (closes every connection), gunicorn gthread (keep-alive, one thread
    per worker: the app is not thread-bound anyway under the GIL) or granian's WSGI
    interface (Rust HTTP server, keep-alive, one blocking thread per worker)."""
    if server == "granian":
        return [
            str(ROOT / ".venv" / "bin" / "granian"),
            "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--blocking-threads", "1", "--backlog", "2048",
            "--log-level", "warning", "--no-ws", "--working-dir", str(chdir), app,
        ]  # fmt: skip
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"), app, "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", server, "--log-level", "warning",
        "--backlog", "2048", "--timeout", "60", "--chdir", str(chdir),
    ]  # fmt: skip
    if server == "gthread":
        command += ["--threads", "1", "--keep-alive", "30", "--worker-connections", "256"]
    return command


def start_gunicorn(app: str, port: int, workers: int, env: dict, chdir: Path, server="sync"):
    command = server_command(server, app, port, workers, chdir)
    process = subprocess.Popen(command, env=env, cwd=chdir, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).connect()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"{server} did not start")


def stop(process) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:  # not down after 30 s: the group is ended hard
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="per phase and round")
    parser.add_argument("--rounds", type=int, default=1, help="phases alternate per round")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--processes", type=int, default=2, help="load generator processes")
    parser.add_argument("--workers", type=int, default=4, help="server worker processes")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--before-src", help="a second source tree to compare with")
    parser.add_argument(
        "--servers",
        default="sync",
        help=f"comma-separated, each runs floor and API: {', '.join(SERVERS)}",
    )
    parser.add_argument(
        "--keepalive",
        action="store_true",
        help="load generator keeps connections open (sync workers close them anyway)",
    )
    args = parser.parse_args()
    kinds = args.servers.split(",")
    if not set(kinds) <= set(SERVERS):
        sys.exit(f"--servers: {', '.join(SERVERS)}")
    if "granian" in kinds and not (ROOT / ".venv" / "bin" / "granian").exists():
        sys.exit("granian is no dependency of Rathaus: .venv/bin/pip install granian")
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Bitte DATABASE_URL=postgres://... und REDIS_URL=redis://... setzen.")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import booking
    from rush import CpuMeter

    booking.setup_django()
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    town, _offers = booking.build_fixture(1)
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_TABLES)
    today = timezone.localdate()
    context = {
        "days": [str(today + timedelta(days=d)) for d in range(1, booking.BOOKING_DAYS)],
        "run": f"{int(time.time()):x}",
        "keepalive": args.keepalive,
    }
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "FLOOR_DSN": database_url}
    app_env = {**env, "RATHAUS_LOAD_TEST": "1", "RATHAUS_MODE": "demo", "ALLOWED_HOSTS": "*"}
    # (label, kind, port, app, environment, directory, server); all start now, wait idle.
    phases: list[tuple] = []
    for number, server in enumerate(kinds):
        port = args.port + 10 * number
        phases.append((f"{server}: floor (bare WSGI)", "floor", port, "floor:application", env,
                       ROOT / "benchmarks", server))  # fmt: skip
        if args.before_src:
            before = {**app_env, "PYTHONPATH": str(Path(args.before_src).resolve())}
            phases.append((f"{server}: booking API, before", "api", port + 2, None, before,
                           ROOT, server))  # fmt: skip
        phases.append((f"{server}: booking API", "api", port + 1, None, app_env, ROOT, server))
    servers = [
        start_gunicorn(app or "rathaus.wsgi:application", port, args.workers, e, d, server)
        for _label, _kind, port, app, e, d, server in phases
    ]
    print(
        f"{args.workers} workers per server ({args.servers}), load generator "
        f"{args.processes} processes x {args.concurrency // args.processes} threads, "
        f"{'keep-alive' if args.keepalive else 'a new connection per request'}, "
        f"{args.rounds} round(s) of {args.seconds:.0f} s per phase; load average "
        f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    totals: dict[str, dict] = {}
    try:
        for _label, kind, port, *_rest in phases:
            drive(kind, port, args.concurrency, args.processes, 2, context)  # warm up
        for round_number in range(args.rounds):
            for (label, kind, port, *_rest), server in zip(phases, servers, strict=True):
                meter = CpuMeter(server.pid)
                meter.start()
                started = time.perf_counter()
                rate, holds, p50, p95, statuses = drive(
                    kind, port, args.concurrency, args.processes, args.seconds, context
                )
                meter.stop()
                wall = time.perf_counter() - started
                cpu = meter.ended["gunicorn"] - meter.started["gunicorn"]
                requests = sum(statuses.values())
                print(
                    f"round {round_number + 1}: {label:34} {rate:6.0f} requests/s "
                    f"{holds:5.0f} bookings/s  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
                    f"server CPU {cpu / max(requests, 1) * 1000:5.2f} ms/request  {statuses}"
                )
                total = totals.setdefault(label, {"wall": 0.0, "cpu": 0.0, "n": 0, "holds": 0,
                                                  "statuses": {}})  # fmt: skip
                total["wall"] += wall
                total["cpu"] += cpu
                total["n"] += requests
                total["holds"] += round(holds * wall)
                for code, n in statuses.items():
                    total["statuses"][code] = total["statuses"].get(code, 0) + n
    finally:
        for server in servers:
            stop(server)
    first_floor = None
    for server in kinds:
        floor = totals[f"{server}: floor (bare WSGI)"]
        floor_rate, floor_cpu = floor["n"] / floor["wall"], floor["cpu"] / floor["n"]
        first_floor = first_floor or (server, floor_rate)
        print(
            f"\nAll rounds, {server}: floor {floor_rate:.0f} requests/s, "
            f"{floor_cpu * 1000:.2f} ms server CPU each"
        )
        for label, total in totals.items():
            if not label.startswith(f"{server}: booking API"):
                continue
            rate, cpu = total["n"] / total["wall"], total["cpu"] / total["n"]
            bookings = total["holds"] / total["wall"]
            print(
                f"{label}: {rate:.0f} requests/s, {bookings:.0f} bookings/s, "
                f"{cpu * 1000:.2f} ms server CPU per request\n"
                f"  ratio requests/s : floor = {rate / floor_rate:.2f} (goal >= 0.5); "
                f"bookings/s : floor = {bookings / floor_rate:.2f} (goal >= 0.25); "
                f"floor CPU : API CPU per request = {floor_cpu / cpu:.2f}"
            )
            if server != first_floor[0]:
                print(
                    f"  against the {first_floor[0]} floor: requests/s "
                    f"{rate / first_floor[1]:.2f}, bookings/s {bookings / first_floor[1]:.2f}"
                )
    over, crowded = double_bookings(town)
    print(f"Double bookings (SQL): {over} units over capacity, {crowded} over-booked")
    fives = sum(n for t in totals.values() for code, n in t["statuses"].items() if code >= 500)
    print(f"HTTP 5xx: {fives}")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS floor_unit, floor_booking, floor_audit, floor_task")
    print(f"Run at {datetime.now(UTC).isoformat(timespec='seconds')}")
    sys.exit(0 if fives == 0 and (over, crowded) == (0, 0) else 1)


def double_bookings(town) -> tuple[int, int]:
    import rush

    return rush.double_bookings(town)


if __name__ == "__main__":
    main()
