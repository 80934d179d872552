"""Fault test with real processes: PostgreSQL restarts (fast shutdown, then start) while
citizens book appointments through gunicorn (issue 20, docs/reliability.md).

Every request either succeeded and its booking is in the database after the restart,
or got a German 503 with Retry-After; no 500; no half-written booking (each has its
audit entry and its e-mail task: no e-mail for a transaction that did not commit);
the per-unit counters equal the active bookings."""

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest

from .harness import free_port, manage, process_env, start_gunicorn, wait_until

pytestmark = pytest.mark.postgres

CITIZENS = 8
SECONDS_BEFORE, SECONDS_AFTER = 2.5, 5.0
BERLIN = ZoneInfo("Europe/Berlin")

SEED = """
from datetime import date
from tests.conftest import make_municipality, make_office_with_location
from tests.appointments.conftest import make_offer, make_service
from rathaus.core.models import MunicipalityHost
town = make_municipality("stadt-a", "Musterstadt-A", "12099901", "a.test")
MunicipalityHost.objects.create(municipality=town, host="localhost")
make_office_with_location(town, "a")
make_offer(town, make_service(town), counters=2, duration_units=1)
"""


def weekday_starts(days_ahead=range(2, 16)):
    """Every 10-minute start 9:00–11:50 on the coming weekdays (the offer's times)."""
    today = datetime.now(BERLIN).date()
    starts = []
    for offset in days_ahead:
        day = today + timedelta(days=offset)
        if day.weekday() < 5:
            for minute in range(0, 180, 10):
                moment = datetime(day.year, day.month, day.day, 9, tzinfo=BERLIN)
                starts.append(moment + timedelta(minutes=minute))
    return starts


def post_hold(port, body):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/appointments/holds",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Host": "localhost", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read()), response.headers
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}"), error.headers


def ready(port) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
            return response.status == 200
    except (OSError, urllib.error.HTTPError):
        return False


def query(url, sql):
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        return conn.execute(sql).fetchall()


def test_postgresql_restart_during_a_booking_rush(cluster, database, tmp_path):
    env = process_env(database, RATHAUS_LOAD_TEST=1, EMAIL_BACKEND="locmem", LOG_LEVEL="WARNING")
    manage(env, "shell", "-c", SEED)
    port = free_port()
    server = start_gunicorn(env, port, tmp_path / "gunicorn.log")
    starts = weekday_starts()
    statuses, codes, retry_after_missing, errors = Counter(), set(), [], []
    lock = threading.Lock()
    stop = threading.Event()

    def citizen(number):
        attempt = 0
        while not stop.is_set():
            attempt += 1
            key = f"c{number}-{attempt}"
            body = {
                "service": "personalausweis-beantragen",
                "resource": "schalter",
                "start": starts[(number * 7 + attempt * 3) % len(starts)].isoformat(),
                "name": f"Person {number}",
                "email": f"p{number}-{attempt}@example.org",
                "idempotency_key": key,
            }
            for _retry in range(40):  # the same request again after a 503: idempotent
                try:
                    status, answer, headers = post_hold(port, body)
                except OSError as exc:  # a refused connection would be a failure too
                    with lock:
                        errors.append(repr(exc))
                    break
                with lock:
                    statuses[status] += 1
                    if status == 201:
                        codes.add(answer["code"])
                    if status == 503 and not headers.get("Retry-After"):
                        retry_after_missing.append(answer)
                if status != 503:
                    break
                time.sleep(0.3)

    try:
        try:
            wait_until(lambda: ready(port), 60, "gunicorn to be ready")
        except AssertionError:
            raise AssertionError(server.output()[-3000:]) from None
        threads = [threading.Thread(target=citizen, args=(n,)) for n in range(CITIZENS)]
        for thread in threads:
            thread.start()
        time.sleep(SECONDS_BEFORE)
        cluster.stop("fast")
        time.sleep(1)
        cluster.start()
        time.sleep(SECONDS_AFTER)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        stop.set()
        server.stop()

    report = {"statuses": dict(statuses), "bookings": len(codes), "errors": errors[:3]}
    print("database restart:", report)
    assert not errors, report
    assert set(statuses) <= {201, 409, 503}, report  # no 500, nothing unexpected
    assert statuses[503] > 0, report  # the restart was seen (else the test proves nothing)
    assert statuses[201] > 0, report
    assert not retry_after_missing
    stored = {row[0] for row in query(database, "SELECT code FROM appointments_booking")}
    assert codes == stored, report  # every success is stored, nothing stored unannounced
    # No half-written booking: each has its audit entry and its e-mail task.
    assert query(
        database,
        "SELECT count(*) FROM appointments_booking b WHERE NOT EXISTS (SELECT 1 FROM "
        "core_auditentry a WHERE a.object_type = 'appointments.booking' "
        "AND a.object_id = b.id::text)",
    ) == [(0,)]
    tasks = query(
        database,
        "SELECT count(*) FROM django_tasks_database_dbtaskresult "
        "WHERE task_path LIKE 'rathaus.appointments.tasks.send_hold_link'",
    )[0][0]
    assert tasks == len(stored)
    wrong = query(
        database,
        "SELECT s.id, s.booked, count(b.id) FROM appointments_slot s LEFT JOIN "
        "appointments_booking b ON b.resource_id = s.resource_id AND b.starts_at <= s.starts_at "
        "AND s.starts_at < b.ends_at AND b.status IN ('reserved','confirmed','arrived','called') "
        "GROUP BY s.id, s.booked HAVING s.booked <> count(b.id)",
    )
    assert wrong == [], wrong[:5]
