"""Where a gunicorn worker's CPU per request goes (issue 24, ADR 0127).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rathaus_bench \
    REDIS_URL=redis://127.0.0.1:6379/5 RATHAUS_MODE=demo \
        .venv/bin/python benchmarks/worker_split.py [--seconds 10] [--port 8880]

Runs ``floor.py``'s floor and booking API, one after the other, under the same gunicorn
(sync workers, floor.py's flags and load generator), each application wrapped by
``application`` below. Every worker records its own CPU (``time.process_time``) and
prints, per request after the first 150 (cold paths excluded):

- **in app**: the WSGI application's call (Django's handler, middleware, views);
- **close**: the response's ``close()``, where Django sends ``request_finished``;
- **GC**: the cyclic garbage collector's runs (``gc.callbacks``), by generation;
- **around**: the rest of the worker's CPU, i.e. gunicorn accepting, parsing, writing
  the answer and closing the connection, its heartbeat and the wrapper (~2 µs).

Measure-only: nothing in Rathaus imports it. Same dedicated database as ``floor.py``.
"""

import argparse
import gc
import importlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLD_REQUESTS = 150

# --- inside each worker ------------------------------------------------------------------

_totals = {"n": 0, "app": 0.0, "close": 0.0, "gc": [0, 0, 0], "gc_cpu": [0.0, 0.0, 0.0]}
_gc_started = [0.0]
_wrapped = None


def _time_gc(phase, info):
    if phase == "start":
        _gc_started[0] = time.process_time()
        return
    _totals["gc"][info["generation"]] += 1
    _totals["gc_cpu"][info["generation"]] += time.process_time() - _gc_started[0]


class _TimedClose:
    """The response as the server sees it, with its ``close()`` timed."""

    def __init__(self, response):
        self.response = response

    def __iter__(self):
        return iter(self.response)

    def close(self):
        started = time.process_time()
        if hasattr(self.response, "close"):
            self.response.close()
        _totals["close"] += time.process_time() - started
        _totals["cpu"] = time.process_time()
        _write_totals()


def _write_totals():
    if _totals["n"] >= COLD_REQUESTS and _totals["n"] % 50 == 0:
        path = Path(os.environ["WORKER_SPLIT_DIR"]) / f"{os.getpid()}.jsonl"
        with path.open("a") as lines:
            lines.write(json.dumps(_totals) + "\n")


if "WORKER_SPLIT_APP" in os.environ:  # in a worker: load the app before the first request
    _module, _name = os.environ["WORKER_SPLIT_APP"].split(":")
    _wrapped = getattr(importlib.import_module(_module), _name)
    gc.callbacks.append(_time_gc)


def application(environ, start_response):
    _totals["n"] += 1
    started = time.process_time()
    response = _wrapped(environ, start_response)
    _totals["app"] += time.process_time() - started
    return _TimedClose(response)


# --- the runner ----------------------------------------------------------------------------


def split(directory: Path) -> dict:
    """Per request, summed over the workers: from each one's first line after its cold
    requests to its last line."""
    sums = {"n": 0, "cpu": 0.0, "app": 0.0, "close": 0.0, "gc": [0] * 3, "gc_cpu": [0.0] * 3}
    for path in directory.glob("*.jsonl"):
        lines = [json.loads(line) for line in path.read_text().splitlines()]
        if len(lines) < 2:
            continue
        first, last = lines[0], lines[-1]
        for key in ("n", "cpu", "app", "close"):
            sums[key] += last[key] - first[key]
        for generation in range(3):
            sums["gc"][generation] += last["gc"][generation] - first["gc"][generation]
            sums["gc_cpu"][generation] += last["gc_cpu"][generation] - first["gc_cpu"][generation]
    return sums


def report(label: str, sums: dict) -> None:
    n = max(sums["n"], 1)
    per = {key: sums[key] / n * 1e6 for key in ("cpu", "app", "close")}
    gc_cpu = sum(sums["gc_cpu"]) / n * 1e6
    around = per["cpu"] - per["app"] - per["close"]
    print(
        f"{label:12} {sums['n']:6d} requests: worker CPU {per['cpu']:6.0f} µs/request = "
        f"in app {per['app']:5.0f} + close {per['close']:4.0f} + around {around:4.0f}; "
        f"GC {gc_cpu:4.1f} µs/request ({sums['gc']} collections by generation)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8880)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Bitte DATABASE_URL=postgres://... und REDIS_URL=redis://... setzen.")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import booking
    import floor

    booking.setup_django()
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    booking.build_fixture(1)
    with connection.cursor() as cursor:
        cursor.execute(floor.FLOOR_TABLES)
    today = timezone.localdate()
    context = {
        "days": [str(today + timedelta(days=d)) for d in range(1, booking.BOOKING_DAYS)],
        "run": f"{int(time.time()):x}",
        "keepalive": False,
    }
    base = {
        **os.environ,
        "PYTHONPATH": f"{ROOT / 'benchmarks'}:{ROOT / 'src'}",
        "FLOOR_DSN": os.environ["DATABASE_URL"],
    }
    app_env = {**base, "RATHAUS_LOAD_TEST": "1", "RATHAUS_MODE": "demo", "ALLOWED_HOSTS": "*"}
    phases = [
        ("floor", "floor", "floor:application", base),
        ("booking API", "api", "rathaus.wsgi:application", app_env),
    ]
    try:
        for number, (label, kind, app, env) in enumerate(phases):
            directory = Path(tempfile.mkdtemp(prefix="worker-split-"))
            env = {**env, "WORKER_SPLIT_APP": app, "WORKER_SPLIT_DIR": str(directory)}
            port = args.port + number
            server = floor.start_gunicorn(
                "worker_split:application", port, args.workers, env, ROOT / "benchmarks"
            )
            try:
                floor.drive(kind, port, args.concurrency, 2, 3, context)  # warm up
                load = " ".join(f"{v:.1f}" for v in os.getloadavg())
                statuses = floor.drive(kind, port, args.concurrency, 2, args.seconds, context)[4]
            finally:
                floor.stop(server)
            after = " ".join(f"{v:.1f}" for v in os.getloadavg())
            print(f"load average {load} → {after}, answers {statuses}")
            report(label, split(directory))
    finally:
        with connection.cursor() as cursor:
            cursor.execute(floor.FLOOR_TABLES.split(";")[0])


if __name__ == "__main__":
    main()
