"""Stateless app processes: two app servers (gunicorn) on different ports share one
PostgreSQL and one Redis, take concurrent holds for the same times and never
double-book (issue 4)."""

import json
import os
import signal
import subprocess
import sys
import threading
import time as pytime
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import F

from rathaus.appointments.models import Booking, Slot

from .conftest import at, make_offer, make_service

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
PORTS = (8702, 8703)


def start_server(port: int, env: dict) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    return subprocess.Popen(
        [
            str(gunicorn),
            "rathaus.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            "8",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )


def call(port, method, path, body=None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Host": "localhost", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.fixture
def two_servers():
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    if db.get("PASSWORD"):
        url = url.replace(f"{db['USER']}@", f"{db['USER']}:{db['PASSWORD']}@")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/6"),
        "RATHAUS_LOAD_TEST": "1",  # one client IP for all requests; no ALTCHA to solve
        "RATHAUS_MODE": "demo",  # demo key and any host; production would refuse to start
        "PYTHONPATH": str(ROOT / "src"),
        "TASKS_BACKEND": "immediate",
        "EMAIL_BACKEND": "locmem",
    }
    env.pop("RATHAUS_TESTING", None)
    servers = [start_server(port, env) for port in PORTS]
    try:
        for port in PORTS:
            deadline = pytime.time() + 60
            while call_ok(port) is False:
                if pytime.time() > deadline:
                    raise AssertionError(f"server on {port} did not start")
                pytime.sleep(0.3)
        yield PORTS
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def call_ok(port) -> bool:
    try:
        return call(port, "GET", "/api/v1/appointments/lotteries") == 200
    except OSError:
        return False


def test_two_app_servers_never_double_book(town_a, day, two_servers):
    offer = make_offer(town_a, make_service(town_a), counters=2, duration_units=1)
    starts = [at(day, 9), at(day, 9, 10), at(day, 9, 20)]  # 3 times x 2 places = 6
    statuses = []
    barrier = threading.Barrier(48)

    def citizen(i):
        barrier.wait()
        status = call(
            two_servers[i % 2],
            "POST",
            "/api/v1/appointments/holds",
            {
                "service": offer.service.slug,
                "resource": offer.resource.slug,
                "start": starts[i % 3].isoformat(),
                "name": f"Person {i}",
                "email": f"p{i}@example.org",
            },
        )
        statuses.append(status)

    threads = [threading.Thread(target=citizen, args=(i,)) for i in range(48)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(201) == 6, statuses
    assert not [s for s in statuses if s >= 500]
    assert set(statuses) <= {201, 409, 503}
    assert not Slot.objects.filter(booked__gt=F("capacity")).exists()
    assert Booking.objects.filter(offer=offer).count() == 6
    for start in starts:
        assert Booking.objects.filter(offer=offer, starts_at=start).count() == 2
