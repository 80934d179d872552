"""The scale-out topology of docs/scaling.md, run for real on loopback (issue 20).

    .venv/bin/python scripts/scaleout_check.py [--citizens 450] [--concurrency 32]

Starts, all from Debian's packages (scripts/install-system-packages.sh) and all
stopped and removed at the end:

- a PostgreSQL primary cluster (initdb/pg_ctl on a free port) and a streaming replica
  made from it with ``pg_basebackup -R``;
- PgBouncer in transaction mode in front of the primary (prepared statements off when
  PgBouncer is older than 1.21, server-side cursors off);
- Redis (shared cache and rate limits of the app servers);
- two gunicorn app servers (``DATABASE_URL`` = PgBouncer, ``DATABASE_REPLICA_URL`` = the
  replica) behind nginx.

Then, through nginx: the booking rush of benchmarks/rush.py (first come, first served)
with anonymous readers of the public pages (catalog, council, OParl) alongside, and a
read-your-writes check with the replica's replay paused: an anonymous reader gets the
replica's (old) page, a client that has just written gets the primary's (new) one.
Fails (exit 1) on a double booking, a 5xx, a public page not served by the replica,
or a writer who does not see the current data. As root, PostgreSQL and PgBouncer run
as the ``postgres`` user (they refuse to run as root).
"""

import argparse
import contextlib
import http.cookiejar
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from tests.reliability.harness import PrivatePostgres, _pg_bin, free_port  # noqa: E402

DB = "rathaus_scaleout"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
PUBLIC_PAGES = [
    "/",
    "/leistungen/",
    "/leistungen/{slug}/",
    "/aemter/",
    "/rat/",
    "/rat/gremien/",
    "/rat/vorlagen/",
    "/rat/oparl/v1/body",
]


def log(message: str) -> None:
    print(message, flush=True)


class Stack:
    """Every process and directory of the run, so that the end removes all of them."""

    def __init__(self):
        self.work = Path(tempfile.mkdtemp(prefix="rathaus-scaleout-"))
        self.work.chmod(0o755)
        self.as_postgres = os.geteuid() == 0
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.clusters: list[PrivatePostgres] = []

    def spawn(self, name, argv, env=None, as_postgres=False):
        if as_postgres and self.as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        out = open(self.work / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append((name, process))
        return process

    def own(self, path: Path) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            shutil.chown(path, "postgres", "postgres")
        return path

    def close(self):
        for _name, process in reversed(self.processes):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for _name, process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        for cluster in reversed(self.clusters):
            cluster.stop("immediate")
        shutil.rmtree(self.work, ignore_errors=True)

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.work / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path else ""


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"scale-out check FAILED: timed out waiting for {what}")


# --- the components -------------------------------------------------------------------


def start_replica(stack: Stack, primary: PrivatePostgres) -> PrivatePostgres:
    replica = PrivatePostgres(stack.own(stack.work / "replica"))
    replica._run(
        _pg_bin("pg_basebackup"),
        "-h",
        "127.0.0.1",
        "-p",
        str(primary.port),
        "-U",
        "postgres",
        "-D",
        str(replica.data),
        "-X",
        "stream",
        "-R",  # standby.signal and primary_conninfo: a streaming replica
        "--no-sync",
        "--checkpoint=fast",
    )
    with open(replica.data / "postgresql.conf", "a") as conf:  # later lines win
        conf.write(
            f"port = {replica.port}\nunix_socket_directories = '{replica.directory}'\n"
            "hot_standby = on\n"
        )
    replica.start()
    stack.clusters.append(replica)
    return replica


def pgbouncer_version() -> tuple[int, int]:
    out = subprocess.run([PGBOUNCER, "--version"], capture_output=True, text=True).stdout
    found = re.search(r"(\d+)\.(\d+)", out)
    return (int(found[1]), int(found[2])) if found else (0, 0)


def start_pgbouncer(stack: Stack, primary: PrivatePostgres) -> tuple[int, bool]:
    """Transaction pooling; returns its port and whether prepared statements stay on."""
    directory = stack.own(stack.work / "pgbouncer")
    port = free_port()
    prepared = pgbouncer_version() >= (1, 21)  # max_prepared_statements came in 1.21
    (directory / "userlist.txt").write_text('"postgres" ""\n')
    (directory / "pgbouncer.ini").write_text(
        f"""[databases]
* = host=127.0.0.1 port={primary.port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory}/userlist.txt
pool_mode = transaction
default_pool_size = 20
max_client_conn = 400
ignore_startup_parameters = extra_float_digits
{"max_prepared_statements = 200" if prepared else ""}
"""
    )
    for name in ("userlist.txt", "pgbouncer.ini"):
        if stack.as_postgres:
            shutil.chown(directory / name, "postgres", "postgres")
    stack.spawn("pgbouncer", [PGBOUNCER, str(directory / "pgbouncer.ini")], as_postgres=True)
    import psycopg

    def accepts():
        try:
            psycopg.connect(
                f"postgresql://postgres@127.0.0.1:{port}/{DB}", connect_timeout=2
            ).close()
        except psycopg.OperationalError:
            return False
        return True

    try:
        wait_for(accepts, 30, "PgBouncer")
    except SystemExit:
        log(stack.tail("pgbouncer"))
        raise
    return port, prepared


def start_redis(stack: Stack) -> int:
    port = free_port()
    stack.spawn(
        "redis",
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(stack.work)],
    )
    return port


def start_nginx(stack: Stack, app_ports: list[int]) -> int:
    directory = stack.work / "nginx"
    directory.mkdir()
    directory.chmod(0o777)  # the worker processes (not root) write their temp files here
    port = free_port()
    servers = "\n".join(f"    server 127.0.0.1:{p};" for p in app_ports)
    temp = " ".join(
        f"{kind}_temp_path {directory}/{kind};" for kind in ("proxy", "fastcgi", "uwsgi", "scgi")
    )
    (directory / "nginx.conf").write_text(
        f"""worker_processes 2;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
  log_format upstream '$status $upstream_addr';
  access_log {directory}/access.log upstream;
  client_body_temp_path {directory}/body; {temp}
  upstream rathaus {{
{servers}
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://rathaus;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Request-ID $request_id;
      proxy_read_timeout 60s;
    }}
  }}
}}
"""
    )
    stack.spawn(
        "nginx",
        [NGINX, "-e", str(directory / "error.log"), "-c", str(directory / "nginx.conf")],
    )
    return port


# --- HTTP -----------------------------------------------------------------------------


def get(port, path, opener=None, host=None):
    import rush

    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": host or rush.HOST}
    )
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=60) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8", "replace")


class PublicReaders:
    """Anonymous citizens reading the public pages while the rush goes on."""

    def __init__(self, port, slug):
        self.port, self.slug = port, slug
        self.statuses: dict[int, int] = {}
        self.databases: dict[str, int] = {}
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(2)]

    def run(self):
        while not self.stop.is_set():
            path = random.choice(PUBLIC_PAGES).format(slug=self.slug)
            status, headers, _body = get(self.port, path)
            with self.lock:
                self.statuses[status] = self.statuses.get(status, 0) + 1
                database = headers.get("X-Rathaus-Database", "none")
                self.databases[database] = self.databases.get(database, 0) + 1
            time.sleep(0.05)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=70)


def lsn_caught_up(primary, replica) -> bool:
    (target,) = primary.execute("SELECT pg_current_wal_lsn()::text", DB)[0]
    (done,) = replica.execute(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn", DB)[0]
    return bool(done)


def commits(cluster) -> int:
    rows = cluster.execute(f"SELECT xact_commit FROM pg_stat_database WHERE datname = '{DB}'")
    return int(rows[0][0])


# --- the run --------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--citizens", type=int, default=450)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
    parser.add_argument("--pin-seconds", type=int, default=4)
    args = parser.parse_args()
    started = time.monotonic()
    stack = Stack()
    failures: list[str] = []
    try:
        primary = PrivatePostgres(stack.own(stack.work / "primary"))
        primary.init()
        stack.clusters.append(primary)
        primary.execute(f"CREATE DATABASE {DB}")
        redis_port = start_redis(stack)
        os.environ.update(
            {
                "DATABASE_URL": primary.url(DB),
                "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                "RATHAUS_MODE": "demo",
                "ALLOWED_HOSTS": "*",
            }
        )
        os.environ.pop("RATHAUS_TESTING", None)
        import django
        import rush  # sets the settings module, paths and the database task backend

        django.setup()
        # The replica is made first: the migrations and the town then reach it by streaming.
        replica = start_replica(stack, primary)
        bouncer_port, prepared = start_pgbouncer(stack, primary)
        log(f"primary, replica, PgBouncer, Redis up after {time.monotonic() - started:.0f} s")
        rush.build_fixture()  # migrations, the town "rush"
        log(f"migrated after {time.monotonic() - started:.0f} s")
        log(
            f"PostgreSQL primary :{primary.port}, streaming replica :{replica.port} "
            f"(pg_basebackup), PgBouncer {'.'.join(map(str, pgbouncer_version()))} "
            f":{bouncer_port} (transaction mode, prepared statements "
            f"{'on' if prepared else 'off'}), Redis :{redis_port}"
        )
        app_env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{bouncer_port}/{DB}",
            "DATABASE_REPLICA_URL": replica.url(DB),
            "DATABASE_REPLICA_PIN_SECONDS": str(args.pin_seconds),
            "DATABASE_REPLICA_HEADER": "1",
            "DB_PREPARED_STATEMENTS": "1" if prepared else "0",
            "DB_DISABLE_SERVER_SIDE_CURSORS": "1",
            "RATHAUS_LOAD_TEST": "1",  # ALTCHA and per-IP limits off (one client address)
            "PYTHONPATH": str(ROOT / "src"),
        }
        app_ports = [free_port(), free_port()]
        for port in app_ports:
            stack.spawn(
                f"gunicorn-{port}",
                [
                    str(ROOT / ".venv" / "bin" / "gunicorn"),
                    "rathaus.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.workers),
                    "--backlog",
                    "2048",
                    "--timeout",
                    "60",
                ],
                env=app_env,
            )
        nginx_port = start_nginx(stack, app_ports)
        for port in app_ports:
            wait_for(lambda p=port: get(p, "/leistungen/")[0] == 200, 90, f"gunicorn :{port}")
        wait_for(lambda: get(nginx_port, "/leistungen/")[0] == 200, 30, "nginx")
        log(
            f"nginx :{nginx_port} -> gunicorn :{app_ports[0]} and :{app_ports[1]} "
            f"({args.workers} sync workers each); setup took {time.monotonic() - started:.0f} s"
        )

        # 1. the rush through nginx, with public readers alongside
        from django.utils import timezone

        from rathaus.appointments.models import Booking
        from rathaus.council import services as council_services

        town, _offers, day = rush.build_fixture()
        council_services.body_of(town)  # the OParl body exists before anyone reads it
        release = timezone.now().replace(microsecond=0) + timedelta(seconds=3)
        rush.hide_until(town, release)
        stats = rush.Stats()
        primary_before, replica_before = commits(primary), commits(replica)
        rush_started = time.time()
        with (
            PublicReaders(nginx_port, rush.SLUG) as readers,
            ThreadPoolExecutor(max_workers=args.concurrency) as pool,
        ):
            list(
                pool.map(
                    lambda i: rush.fcfs_citizen(i, nginx_port, day, release.timestamp(), stats),
                    range(args.citizens),
                )
            )
        rush_seconds = time.time() - rush_started
        given = Booking.objects.filter(municipality=town).count()
        over, crowded = rush.double_bookings(town)
        reads_total = sum(readers.statuses.values())
        reads_5xx = sum(n for s, n in readers.statuses.items() if s >= 500)
        replica_share = readers.databases.get("replica", 0) / max(reads_total, 1)
        requests_total = len(stats.latencies) + reads_total
        log(
            f"\nRush through nginx: {args.citizens} citizens (concurrency {args.concurrency}), "
            f"{rush_seconds:.1f} s, {len(stats.latencies)} booking requests "
            f"{dict(sorted(stats.statuses.items()))}"
        )
        log(f"  appointments given: {given} of 500; double bookings (SQL): {over} units over")
        log(f"  capacity, {crowded} units over-booked; HTTP 5xx: {stats.errors_5xx}")
        log(
            f"  public pages read alongside: {reads_total} requests "
            f"{dict(sorted(readers.statuses.items()))}, served by {readers.databases}: "
            f"{replica_share * 100:.0f} % from the replica "
            f"({readers.databases.get('replica', 0) / max(requests_total, 1) * 100:.0f} % "
            "of all requests of the run)"
        )
        log(
            f"  database transactions during the rush: primary {commits(primary) - primary_before}"
            f" (through PgBouncer), replica {commits(replica) - replica_before}"
        )
        upstreams: dict[str, int] = {}
        for line in (stack.work / "nginx" / "access.log").read_text().splitlines():
            upstream = line.split()[-1]
            upstreams[upstream] = upstreams.get(upstream, 0) + 1
        log(f"  requests per app server (nginx access log): {upstreams}")
        if (over, crowded) != (0, 0):
            failures.append("double bookings")
        if stats.errors_5xx or reads_5xx:
            failures.append(f"5xx: {stats.errors_5xx} bookings, {reads_5xx} public reads")
        if given == 0:
            failures.append("no appointment given")
        if replica_share < 0.9:
            failures.append(f"only {replica_share * 100:.0f} % of public reads from the replica")
        if sum(1 for addr in upstreams if addr.startswith("127.0.0.1:")) < 2:
            failures.append("nginx did not use both app servers")

        # 2. read-your-writes with the replica held behind
        wait_for(lambda: lsn_caught_up(primary, replica), 30, "the replica to catch up")
        page = f"/leistungen/{rush.SLUG}/"
        pages = {p: get(nginx_port, p) for p in ("/", "/rat/", "/rat/oparl/v1/body", page)}
        served = {p: (r[0], r[1].get("X-Rathaus-Database")) for p, r in pages.items()}
        log(f"\nPublic pages with the replica in step: {served}")
        if any(v != (200, "replica") for v in served.values()):
            failures.append(f"public pages not served from the replica: {served}")
        replica.execute("SELECT pg_wal_replay_pause()", DB)
        from rathaus.catalog.models import Service

        Service.objects.filter(municipality=town, slug=rush.SLUG).update(name="Personalausweis neu")
        writer = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        query = f"/api/v1/appointments/availability?service={rush.SLUG}&date_from={day}"
        _s, _h, body = get(nginx_port, f"{query}&date_to={day}", writer)
        free = [(o["resource"], t) for o in json.loads(body) for t in o["free"]]
        hold = urllib.request.Request(
            f"http://127.0.0.1:{nginx_port}/api/v1/appointments/holds",
            data=json.dumps(
                {
                    "service": rush.SLUG,
                    "resource": free[0][0] if free else "",
                    "start": free[0][1] if free else "",
                    "name": "Schreibende Person",
                    "email": f"writer.{rush.RUN}@example.org",
                    "idempotency_key": f"writer-{rush.RUN}",
                }
            ).encode(),
            method="POST",
            headers={"Host": rush.HOST, "Content-Type": "application/json"},
        )
        try:
            with writer.open(hold, timeout=60) as response:
                hold_status = response.status
        except urllib.error.HTTPError as error:
            hold_status = error.code
        anonymous = get(nginx_port, page)
        own = get(nginx_port, page, writer)
        time.sleep(args.pin_seconds + 1.5)
        later = get(nginx_port, page, writer)
        replica.execute("SELECT pg_wal_replay_resume()", DB)
        wait_for(lambda: lsn_caught_up(primary, replica), 30, "the replica to catch up")
        caught_up = get(nginx_port, page)

        def shows(result):
            name = "neu" if "Personalausweis neu" in result[2] else "alt"
            return f"{result[1].get('X-Rathaus-Database')}, {name}"

        log(
            f"Read-your-writes (replica replay paused, service renamed on the primary; the "
            f"writer's hold: HTTP {hold_status}):\n"
            f"  anonymous reader: {shows(anonymous)}; the writer: {shows(own)}; "
            f"the writer {args.pin_seconds + 1.5:.1f} s later (pin expired): {shows(later)}; "
            f"anonymous after replay resumed: {shows(caught_up)}"
        )
        expected = [
            (anonymous, "replica, alt"),
            (own, "primary, neu"),
            (later, "replica, alt"),
            (caught_up, "replica, neu"),
        ]
        for result, want in expected:
            if shows(result) != want:
                failures.append(f"read-your-writes: got '{shows(result)}', expected '{want}'")
        if hold_status != 201:
            failures.append(f"the writer's hold answered {hold_status}")

        # 3. the replica goes away: its pages are read from the primary, no error
        replica.stop("fast")
        down = [get(nginx_port, p)[:2] for p in ("/", "/rat/", "/rat/oparl/v1/body", page) * 3]
        served_down = {f"{s} {h.get('X-Rathaus-Database')}" for s, h in down}
        log(f"Replica stopped: {len(down)} public page reads answered {served_down}")
        if served_down != {"200 primary"}:
            failures.append(f"with the replica down: {served_down}")
    finally:
        from django.db import connections

        connections.close_all()
        stack.close()
    log(f"\nScale-out check took {time.monotonic() - started:.0f} s in all")
    if failures:
        log("scale-out check FAILED: " + "; ".join(failures))
        return 1
    log("scale-out check passed: 0 double bookings, 0 5xx, public reads from the replica")
    return 0


if __name__ == "__main__":
    sys.exit(main())
