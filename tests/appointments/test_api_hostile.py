"""Good, broken and hostile requests to the two hot endpoints: the availability read and
the hold (issue 24, ADR 0116).

Every request of the corpus is sent from the same state (the database rolled back, the
caches emptied): none may answer 5xx, and every refusal is the API's JSON with a German
``detail``, the ``field`` and a ``reason``. The corpus was first the differential test of a
lean run of the two endpoints against django-ninja's own (ADR 0116, not kept); it found
the 500 of a NUL or a lone surrogate in a hold's name.
"""

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings

from rathaus.appointments import services, shown_offers
from rathaus.core import tenancy

from .conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/appointments"
READ, HOLD = f"{API}/availability", f"{API}/holds"
LONG = "x" * 10_000
HOSTILE_TEXTS = ["\x00", "a\x1fb", "\u2028", LONG, "🙂", "²", "٣", "1_000", "10" * 20, "-1", ""]
HOSTILE_DATES = [
    "2026-02-30", "2026-13-01", "0001-01-01", "9999-12-31", "2026-12-10T00:00+01:00",
    "2026-12-10Z", "20261210", "2026-12-10T25:00", "heute", "🙂", LONG, "10" * 20,
]  # fmt: skip


@pytest.fixture
def ten_taken(offer_a, day):
    for email in ("a@example.org", "b@example.org"):  # 10:00 taken at both counters
        services.hold(offer_a, at(day, 10), name="X", email=email)


def _answer(client, case: dict):
    """The response to ``case``, sent from the state before it."""
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
    return response


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


def test_no_request_of_the_corpus_gets_a_5xx(client_a, offer_a, day, ten_taken, real_proof):
    client_a.raise_request_exception = False  # a 500 is an answer to look at, too
    statuses, failed = set(), []
    for case in _corpus(offer_a, day):
        response = _answer(client_a, case)
        statuses.add(response.status_code)
        if response.status_code >= 500 or not _explained(response):
            failed.append((case, response.status_code, response.content[:300]))
    assert not failed, "\n".join(repr(f)[:600] for f in failed)
    # The corpus reaches every answer of the two endpoints (a corpus that lost its
    # errors would prove little).
    assert statuses >= {200, 201, 400, 404, 405, 409, 422, 429}, statuses


def _explained(response) -> bool:
    """A refusal says why: the API's JSON error with a German text (405 also names the
    allowed methods in ``Allow``, as HTTP has it)."""
    if response.status_code < 400:
        return True
    if response.status_code == 405 and not response.get("Allow"):
        return False
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    return {"detail", "field", "reason"} <= set(body) and bool(body["detail"])


def test_control_characters_in_a_hold_are_refused_with_the_field(client_a, offer_a, day):
    for field, text in (("name", "Erika\x00"), ("name", "\ud800"), ("email", "e\n@x.org")):
        answer = client_a.post(
            HOLD, _hold(offer_a, day, **{field: text}), content_type="application/json"
        )
        assert answer.status_code == 400, (field, text)
        assert answer.json()["field"] == field
        assert answer.json()["reason"] == "control_characters"
        assert "Steuerzeichen" in answer.json()["detail"]
