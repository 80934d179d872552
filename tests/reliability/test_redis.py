"""Fault test with real processes: Redis disappears and comes back while citizens read
pages and book (issue 20). The site keeps serving: no 5xx; rate limits count per
process while Redis is gone (docs/reliability.md)."""

import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter

import pytest

from .harness import free_port, manage, process_env, start_gunicorn, wait_until
from .test_database_restart import SEED, post_hold, ready, weekday_starts

pytestmark = pytest.mark.postgres


def start_redis(port):
    return subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def get(port, path):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": "localhost"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def traffic(port, starts, round_number, statuses):
    for path in ("/", "/aemter/", "/leistungen/", "/api/v1/appointments/lotteries"):
        statuses[get(port, path)] += 1
    body = {
        "service": "personalausweis-beantragen",
        "resource": "schalter",
        "start": starts[round_number % len(starts)].isoformat(),
        "name": "Person",
        "email": f"r{round_number}@example.org",
    }
    statuses[post_hold(port, body)[0]] += 1


def test_redis_disappears_and_comes_back(database, tmp_path):
    redis_port = free_port()
    redis = start_redis(redis_port)
    env = process_env(
        database,
        RATHAUS_LOAD_TEST=1,
        EMAIL_BACKEND="locmem",
        LOG_LEVEL="WARNING",
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
    )
    manage(env, "shell", "-c", SEED)
    port = free_port()
    server = start_gunicorn(env, port, tmp_path / "gunicorn.log")
    starts = weekday_starts()
    phases = {"before": Counter(), "gone": Counter(), "back": Counter()}
    try:
        wait_until(lambda: ready(port), 60, "gunicorn")
        for n in range(4):
            traffic(port, starts, n, phases["before"])
        redis.send_signal(signal.SIGKILL)
        redis.wait(timeout=10)
        started = time.monotonic()
        for n in range(4, 12):
            traffic(port, starts, n, phases["gone"])
        seconds_gone = time.monotonic() - started
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as answer:
            assert answer.status == 200  # Redis is optional: still in rotation
        redis = start_redis(redis_port)
        time.sleep(6)  # the skip window ends, Redis is used again
        for n in range(12, 16):
            traffic(port, starts, n, phases["back"])
    finally:
        server.stop()
        redis.kill()
        redis.wait(timeout=10)
    print("redis:", {k: dict(v) for k, v in phases.items()}, f"{seconds_gone:.1f} s")
    for phase, statuses in phases.items():
        assert set(statuses) <= {200, 201}, (phase, statuses, server.output()[-2000:])
    assert seconds_gone < 20  # no 2-second timeout on every request while it is gone
