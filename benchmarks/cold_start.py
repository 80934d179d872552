"""The first request of a fresh gunicorn worker (issue 24: ~300–360 ms before warming).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rathaus_bench \
    REDIS_URL=redis://127.0.0.1:6379/5 \
        .venv/bin/python benchmarks/cold_start.py [--rounds 5] [--before-src DIR]

For each round and each target (the start page ``/`` and the availability API of one
service for one day) it starts gunicorn with the production configuration
(``-c python:rathaus.gunicorn_conf``, one sync worker), waits until the worker answers
``/healthz`` (answered by the first middleware, before URL resolution, templates and
tenancy: so the wait ends when the worker is up, ``post_worker_init`` included, without
warming anything the targets need), then times the first GET of the target and five
more of the same (the warm figure), and stops the server. Printed: the median over the
rounds of the first request, of the warm requests, and of the worker's start (process
start until ``/healthz`` answers, where the warm-up now goes).

It uses the ``bench`` town of ``benchmarks/booking.py`` (built here, as in floor.py);
``--before-src DIR`` (e.g. ``git archive main src | tar -x -C /tmp/before``) also runs a
second source tree in the same run, rounds alternating.
"""

import argparse
import http.client
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "bench.test"
SLUG = "personalausweis-beantragen"


def get(port: int, path: str) -> tuple[int, float]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": HOST, "Accept-Encoding": "gzip"})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response.status, (time.perf_counter() - started) * 1000


def start(port: int, env: dict) -> tuple[subprocess.Popen, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "python:rathaus.gunicorn_conf",
            "rathaus.wsgi:application",
        ],  # fmt: skip
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "1"},
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if get(port, "/healthz")[0] == 200:
                return process, (time.perf_counter() - started) * 1000
        except OSError:
            time.sleep(0.05)
    stop(process)
    raise SystemExit("gunicorn did not start")


def stop(process) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--port", type=int, default=8761)
    parser.add_argument("--before-src", help="a second source tree to compare with")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Bitte DATABASE_URL=postgres://... und REDIS_URL=redis://... setzen.")
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import booking

    booking.setup_django()
    from django.utils import timezone

    booking.build_fixture(1)
    day = timezone.localdate() + timedelta(days=2)
    targets = [
        ("start page /", "/"),
        (
            "availability API",
            f"/api/v1/appointments/availability?service={SLUG}&date_from={day}&date_to={day}",
        ),
    ]
    metrics_dir = tempfile.mkdtemp(prefix="cold-start-metrics-")
    env = {**os.environ, "RATHAUS_MODE": "demo", "ALLOWED_HOSTS": "*",
           "PROMETHEUS_MULTIPROC_DIR": metrics_dir, "LOG_LEVEL": "WARNING"}  # fmt: skip
    trees = []
    if args.before_src:
        trees.append(("before", {**env, "PYTHONPATH": str(Path(args.before_src).resolve())}))
    trees.append(("after", {**env, "PYTHONPATH": str(ROOT / "src")}))
    print(
        f"one gunicorn sync worker, {args.rounds} fresh start(s) per tree and target; load "
        f"average {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    figures: dict[tuple[str, str], dict[str, list[float]]] = {}
    for round_number in range(args.rounds):
        for tree, tree_env in trees:
            for label, path in targets:
                process, boot = start(args.port, tree_env)
                try:
                    status, first = get(args.port, path)
                    warm = [get(args.port, path)[1] for _ in range(5)]
                finally:
                    stop(process)
                if status != 200:
                    raise SystemExit(f"{tree} {path}: status {status}")
                entry = figures.setdefault((tree, label), {"first": [], "warm": [], "boot": []})
                entry["first"].append(first)
                entry["warm"].append(statistics.median(warm))
                entry["boot"].append(boot)
                print(
                    f"round {round_number + 1}: {tree:6} {label:17} first {first:6.1f} ms  "
                    f"warm {statistics.median(warm):5.1f} ms  worker up after {boot:6.0f} ms"
                )
    print("\nmedians over the rounds")
    print(f"{'tree':6} {'target':17} {'first request':>14} {'warm request':>13} {'worker up':>10}")
    for (tree, label), entry in figures.items():
        first, warm = statistics.median(entry["first"]), statistics.median(entry["warm"])
        boot = statistics.median(entry["boot"])
        print(f"{tree:6} {label:17} {first:11.1f} ms {warm:10.1f} ms {boot:7.0f} ms")


if __name__ == "__main__":
    main()
