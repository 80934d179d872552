"""The hot read and the hold without django-ninja's per-request steps (ADR 0116).

A differential test: every request of a corpus (good ones, every error the two endpoints
give, hostile parameters and bodies) is sent once through ``core.leanrun`` and once through
ninja's own ``Operation.run``, each from the same state (database rolled back, caches
emptied, the clock and the booking code fixed), and the answers must be equal byte for
byte: status, headers, body.
"""

import json
import types
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.urls import resolve
from django.utils import timezone
from ninja.operation import Operation

from rathaus.appointments import models, services, shown_offers
from rathaus.core import tenancy

from .conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/appointments"
READ, HOLD = f"{API}/availability", f"{API}/holds"
#: Headers that differ between any two requests whichever way they take.
PER_REQUEST_HEADERS = {"x-request-id"}
LONG = "x" * 10_000
HOSTILE_TEXTS = ["\x00", "a\x1fb", "\u2028", LONG, "🙂", "²", "٣", "1_000", "10" * 20, "-1", ""]
HOSTILE_DATES = [
    "2026-02-30", "2026-13-01", "0001-01-01", "9999-12-31", "2026-12-10T00:00+01:00",
    "2026-12-10Z", "20261210", "2026-12-10T25:00", "heute", "🙂", LONG, "10" * 20,
]  # fmt: skip


def _operations():
    for path in (READ, HOLD):
        (path_view,) = (cell.cell_contents for cell in resolve(path).func.__closure__)
        yield from path_view.operations


@contextmanager
def ninja_run():
    """The two operations as ninja runs them, without ``lean_run``."""
    saved = [(operation, operation.run) for operation in _operations()]
    for operation, _run in saved:
        operation.run = types.MethodType(Operation.run, operation)
    try:
        yield
    finally:
        for operation, run in saved:
            operation.run = run


@pytest.fixture
def ten_taken(offer_a, day):
    for email in ("a@example.org", "b@example.org"):  # 10:00 taken at both counters
        services.hold(offer_a, at(day, 10), name="X", email=email)


@pytest.fixture
def fixed(ten_taken, monkeypatch):
    """The clock and the booking code fixed (after the bookings made before the corpus):
    two holds from the same state are equal."""
    now = datetime.now(UTC).replace(microsecond=123456)
    monkeypatch.setattr(timezone, "now", lambda: now)
    monkeypatch.setattr(models, "secrets", types.SimpleNamespace(randbelow=lambda n: 4_242_424))


def _answer(client, case: dict) -> tuple:
    """Status, headers and body of ``case`` sent from the state before it."""
    cache.clear()
    shown_offers.forget()
    tenancy.forget_hosts()
    method, path = case["method"], case["path"]
    extra = {key: value for key, value in case.items() if key.startswith("HTTP_")}
    with override_settings(**case.get("settings", {})), transaction.atomic():
        if method == "get":
            response = client.get(path, case.get("query", {}), **extra)
        else:
            response = getattr(client, method)(
                path, case.get("body", b""), content_type=case.get("type", "application/json"),
                **extra,
            )  # fmt: skip
        transaction.set_rollback(True)
    headers = {k.lower(): v for k, v in response.items() if k.lower() not in PER_REQUEST_HEADERS}
    return response.status_code, headers, response.content


def _hold(offer, day, **changes) -> bytes:
    data = {
        "service": offer.service.slug,
        "resource": offer.resource.slug,
        "start": at(day, 9).isoformat(),
        "name": "Erika Muster",
        "email": "erika@example.org",
    }
    data.update(changes)
    return json.dumps({k: v for k, v in data.items() if v is not ...}).encode()


def _corpus(offer, day) -> list[dict]:
    service = offer.service.slug
    week = {"service": service, "date_from": str(day), "date_to": str(day + timedelta(days=6))}
    reads = [
        {"query": week},
        {"query": week, "HTTP_ACCEPT_ENCODING": "gzip"},
        {"query": {"service": service}},
        {"query": {**week, "location": "a-mitte"}},
        {"query": {**week, "location": "schalter", "persons": "3"}},
        {"query": {**week, "persons": "4"}},  # more than the offer takes: 404
        {"query": {**week, "date_to": str(day - timedelta(days=1))}},  # 422 range
        {"query": {**week, "date_to": str(day + timedelta(days=40))}},
        {"query": {"service": "unbekannt"}},
        {"query": {}},
        {"query": {**week, "unknown": "1", "persons": ["1", "2"]}},  # the last one counts
        {"query": {**week, "persons": ["abc", "1"]}},
        {"query": {**week, "persons": 10**40}},
        {"query": {**week, "persons": "1.0"}},
        {"query": {**week, "persons": " 2"}},
        {"query": {**week, "x\x00": "1"}},
        *({"query": {**week, "persons": text}} for text in HOSTILE_TEXTS),
        *({"query": {**week, "location": text}} for text in HOSTILE_TEXTS),
        *({"query": {"service": text}} for text in HOSTILE_TEXTS),
        *({"query": {**week, "date_from": text}} for text in HOSTILE_DATES),
        *({"query": {**week, "date_to": text}} for text in HOSTILE_DATES),
        {"method": "post", "query": week},  # 405
        {"method": "put", "body": b"{}"},
        {"method": "delete"},
        {"HTTP_HOST": "unbekannt.test", "query": week},
    ]
    good = _hold(offer, day)
    load_test = {"settings": {"RATHAUS_LOAD_TEST": True}}
    no_holds = {**settings.RATHAUS_APPOINTMENTS_LIMITS, "hold_ip": (0, 600)}
    holds = [
        {"body": good, **load_test},  # 201
        {"body": good},  # the real ALTCHA check: 422
        {"body": _hold(offer, day, altcha="kein-beweis")},
        {"body": good, "settings": {"RATHAUS_APPOINTMENTS_LIMITS": no_holds}},  # 429
        {"body": _hold(offer, day, start=at(day, 10).isoformat()), **load_test},  # 409 taken
        {"body": _hold(offer, day, start="2026-02-30T09:00:00"), **load_test},
        {"body": _hold(offer, day, start=at(day, 9).strftime("%Y-%m-%dT%H:%M")), **load_test},
        {"body": _hold(offer, day, start=at(day, 9).isoformat()[:19] + "+25:00"), **load_test},
        {"body": _hold(offer, day, start=at(day, 9).timestamp()), **load_test},
        {"body": _hold(offer, day, service="unbekannt"), **load_test},  # 404
        {"body": _hold(offer, day, resource="unbekannt"), **load_test},
        {"body": _hold(offer, day, name=" "), **load_test},  # 422 required
        {"body": _hold(offer, day, email="kein-at"), **load_test},
        {"body": _hold(offer, day, name=...), **load_test},  # missing
        {"body": _hold(offer, day, persons=10**40), **load_test},
        {"body": _hold(offer, day, persons="²"), **load_test},
        {"body": _hold(offer, day, persons=2.0), **load_test},
        {"body": _hold(offer, day, persons=True), **load_test},
        {"body": _hold(offer, day, persons=4), **load_test},
        {"body": _hold(offer, day, persons=0), **load_test},
        {"body": _hold(offer, day, name=123), **load_test},
        {"body": _hold(offer, day, idempotency_key=LONG), **load_test},
        {"body": _hold(offer, day, unknown="feld"), **load_test},
        *({"body": _hold(offer, day, name=t), **load_test} for t in HOSTILE_TEXTS if t),
        *({"body": _hold(offer, day, start=t), **load_test} for t in HOSTILE_DATES),
        {"body": b"", **load_test},
        {"body": b"{", **load_test},
        {"body": b"null", **load_test},
        {"body": b"[]", **load_test},
        {"body": b'"text"', **load_test},
        {"body": b'{"persons": NaN}', **load_test},
        {"body": b"[" * 100_000, **load_test},
        {"body": good.replace(b"Erika", b"\\ud800"), **load_test},  # a lone surrogate
        {"body": good + b" ", **load_test},
        {"body": good[:-1] + b', "name": "Zweiter"}', **load_test},  # a repeated key
        {"body": b"\xef\xbb\xbf" + good, **load_test},  # UTF-8 byte order mark
        {"body": good.decode().encode("utf-16"), **load_test},
        {"body": b"\xff\xfe\xfa", **load_test},
        {"body": good, "type": "text/plain", **load_test},
        {"body": good, "type": "application/x-www-form-urlencoded", **load_test},
        {"body": b"name=Erika&email=e%40example.org", "type": "application/x-www-form-urlencoded"},
        {"body": b"x" * (3 * 1024 * 1024), **load_test},  # over DATA_UPLOAD_MAX_MEMORY_SIZE
        {"method": "get"},  # 405
        {"method": "put", "body": good},
    ]
    return [{"method": "get", "path": READ, **case} for case in reads] + [
        {"method": "post", "path": HOLD, **case} for case in holds
    ]


def test_every_answer_is_ninjas_byte_for_byte(client_a, offer_a, day, fixed, real_proof):
    client_a.raise_request_exception = False  # a 500 is an answer to compare, too
    statuses, failed = set(), []
    for case in _corpus(offer_a, day):
        lean = _answer(client_a, case)
        with ninja_run():
            ninja = _answer(client_a, case)
        if lean != ninja or lean[0] >= 500:
            failed.append((case, lean, ninja))
        statuses.add(lean[0])
    assert not failed, "\n".join(repr(f)[:600] for f in failed)
    # The corpus reaches every answer of the two endpoints (a corpus that lost its
    # errors would compare little).
    assert statuses >= {200, 201, 400, 404, 405, 409, 422, 429}, statuses


def test_a_good_read_and_hold_skip_ninjas_temporal_response(
    client_a, offer_a, day, monkeypatch
):
    """The lean way is taken: ninja builds a response before each call it runs."""
    (operation, *_) = _operations()
    built = []
    create = operation.api.create_temporal_response
    monkeypatch.setattr(
        operation.api, "create_temporal_response", lambda request: built.append(1) or create(request)
    )
    query = {"service": offer_a.service.slug, "date_from": day, "date_to": day}
    assert client_a.get(READ, query).status_code == 200
    hold = client_a.post(HOLD, _hold(offer_a, day), content_type="application/json")
    assert hold.status_code == 201 and built == []
    # A view's Status (not bookable here: 404) and refused parameters are ninja's.
    assert client_a.get(READ, {"service": "unbekannt"}).status_code == 404
    assert client_a.get(READ, {**query, "persons": "²"}).status_code == 422
    assert built == [1, 1]
    with ninja_run():
        assert client_a.get(READ, query).status_code == 200
    assert built == [1, 1, 1]
