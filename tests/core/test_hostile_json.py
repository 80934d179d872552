"""No JSON body gives a 5xx: every operation of the JSON API that takes a request body
(read from the OpenAPI document, so a new operation is covered without editing this
file) gets hostile values in each property of its body schema, wrong types, missing
and unknown fields, and hostile whole bodies; Open311's POST (a form, by its spec) gets
the same with its api_key. Every answer must be below 500 and, when it is an error, in
the API's own format with a German reason (Open311: its error list).

The base body of each operation is valid (a real offer, lottery, booking token and
assistant conversation), so a hostile value in one property reaches the view and the
database, not only the first check that refuses a neighbouring field.
"""

import json
import time
from datetime import time as clock

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from rathaus.appointments import antibot, capacity, services, tokens
from rathaus.core.models import Office
from rathaus.participation.reports import open311
from rathaus.participation.reports.models import ReportCategory

from ..appointments.conftest import make_offer, make_service, next_weekday
from ..appointments.test_fair_release_pages import open_lottery

HOST = "a.test"
STRINGS = [
    "a\x00b",
    "a\x01\x1b\x7fb",
    "\ud800",
    "x" * 10_000,
    "😀👩‍👩‍👧",
    "²",
    "nan",
    "",
]
NUMBERS = [1e40, 10**40, -1, 0, 1.5, "NaN", -(10**40)]
WRONG_TYPES = [{"a": 1}, ["x"], None, True, False]
VALUES = STRINGS + NUMBERS + WRONG_TYPES
# A body over Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
TOO_BIG = b'{"x": "' + b"a" * 3_000_000 + b'"}'
WHOLE_BODIES = [
    (b"not json", "application/json"),
    (b'{"name": "\xff\xfe"}', "application/json"),
    (b"\xc3\x28", "application/json"),
    (b"[1, 2]", "application/json"),
    (b"null", "application/json"),
    (b"42", "application/json"),
    (b'"text"', "application/json"),
    (b"", "application/json"),
    (b'{"a": 1e999999}', "application/json"),
    (b'{"a": NaN}', "application/json"),
    (b"[" * 100_000, "application/json"),
    (TOO_BIG, "application/json"),
    (b"name=x", "application/x-www-form-urlencoded"),
    (b'{"x": 1}', "text/plain"),
    (b'{"x": 1}', ""),
]
ENGLISH = ("Input should", "Field required", "Cannot parse", "Extra inputs", "value is not")


def example(spec: dict, components: dict):
    """A plausible value for a property's schema (used when no real value is known)."""
    if "$ref" in spec:
        spec = components[spec["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in spec:
        return example(spec["anyOf"][0], components)
    kind = spec.get("type")
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    if kind == "array":
        return []
    if kind == "object":
        return {}
    return {"date-time": "2030-01-01T10:00:00", "date": "2030-01-01"}.get(spec.get("format"), "x")


def json_operations(client) -> list[tuple[str, dict, list]]:
    """(path, properties, required) of every operation with a JSON request body."""
    schema = client.get("/api/v1/openapi.json", HTTP_HOST=HOST).json()
    components = schema["components"]["schemas"]
    found = []
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            ref = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            body = components[ref]
            properties = {
                name: example(spec, components) for name, spec in body["properties"].items()
            }
            found.append((path, properties, body.get("required", [])))
    return found


@pytest.fixture
def real_bodies(client, town_a, monkeypatch):
    """Valid values per API path, so that only the hostile property is wrong."""
    monkeypatch.setattr(antibot, "check", lambda data: antibot.Proof(True))
    offer = make_offer(town_a, make_service(town_a), counters=50)
    day = next_weekday(timezone.localdate())
    draw = open_lottery(town_a, offer, day)
    booking_day = next_weekday(day)  # the lottery's day is held back for its draw
    start = capacity.local(booking_day, clock(9)).isoformat()
    held = services.hold(offer, capacity.local(booking_day, clock(10)), name="Max", email="m@x.org")
    services.confirm(held)
    person = {"name": "Erika Mustermann", "email": "erika@example.org", "phone": "0301234"}
    answer = client.post(
        "/api/v1/assistant/ask",
        {"question": "Personalausweis beantragen"},
        content_type="application/json",
        HTTP_HOST=HOST,
    ).json()
    return {
        "/api/v1/appointments/holds": {
            "service": offer.service.slug,
            "resource": offer.resource.slug,
            "start": start,
            **person,
        },
        "/api/v1/appointments/bookings/confirm": {"token": tokens.confirm_token(held)},
        "/api/v1/appointments/bookings/cancel": {"token": tokens.manage_token(held)},
        "/api/v1/appointments/bookings/rebook": {
            "token": tokens.manage_token(held),
            "start": capacity.local(booking_day, clock(11)).isoformat(),
        },
        f"/api/v1/appointments/lotteries/{draw.pk}/entries": {
            "service": offer.service.slug,
            "resources": [offer.resource.slug],
            "days": [day.isoformat()],
            **person,
        },
        "/api/v1/assistant/ask": {
            "question": "Wie beantrage ich einen Personalausweis?",
            "conversation_id": None,  # a new conversation
            "choice": None,
        },
        "/api/v1/assistant/feedback": {
            "conversation_id": answer.get("conversation_id"),
            "message_id": answer.get("message_id"),
            "helpful": True,
        },
        "lottery_id": str(draw.pk),
    }


class Probe:
    def __init__(self, client):
        self.client = client
        self.failures = []
        self.requests = 0

    def post(self, path, body: bytes, content_type: str, label: str, check):
        self.requests += 1
        cache.clear()  # rate limits would otherwise refuse before the value reaches the view
        try:
            response = self.client.generic(
                "POST", path, body, content_type=content_type, HTTP_HOST=HOST
            )
        except Exception as exc:  # the test client re-raises a view's exception
            self.failures.append(f"{path} {label} -> {type(exc).__name__}: {str(exc)[:160]}")
            return
        problem = check(response)
        if problem:
            self.failures.append(f"{path} {label} -> {response.status_code} {problem}")


def api_error_problem(response) -> str | None:
    """None when the answer is below 500 and, if an error, the API's own German JSON."""
    if response.status_code >= 500:
        return response.content[:160].decode(errors="replace")
    if response.status_code < 400:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return "error answer is not JSON"
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("detail"), str)
        or "field" not in (body if response.status_code in (400, 422) else {"field": None})
    ):
        return f"not the API's error format: {str(body)[:120]}"
    if body["detail"].startswith(ENGLISH) or not body["detail"].strip():
        return f"not a German reason: {body['detail'][:120]}"
    return None


def open311_problem(response) -> str | None:
    if response.status_code >= 500:
        return response.content[:160].decode(errors="replace")
    if response.status_code < 400:
        return None
    if "xml" in response["Content-Type"]:
        return None if b"<errors>" in response.content else "not an Open311 error list"
    body = json.loads(response.content)
    if not (isinstance(body, list) and body and {"code", "description"} <= set(body[0])):
        return f"not an Open311 error list: {str(body)[:120]}"
    return None


def encode(body) -> bytes:
    """JSON as a client would send it; a lone surrogate stays an escape (``\\ud800``)."""
    return json.dumps(body, ensure_ascii=True).encode()


def hostile_json_bodies(base: dict, properties: dict, required: list):
    """(label, body, the property a refusal must name or None)."""
    for name in properties:
        for value in VALUES:
            yield f"{name}={str(value)[:20]!r}", {**base, name: value}, name
        yield f"{name}=[hostile list]", {**base, name: STRINGS[:3] + NUMBERS[:2]}, name
    for name in required:
        yield f"without {name}", {k: v for k, v in base.items() if k != name}, name
    yield "unknown field", {**base, "unknown\x00": "\ud800", "__proto__": {"x": 1}}, None


def names_the_field(name: str | None):
    """A refusal of one property's value (400/422) names that property in ``field``."""

    def check(response) -> str | None:
        problem = api_error_problem(response)
        if problem or name is None or response.status_code not in (400, 422):
            return problem
        field = json.loads(response.content).get("field") or ""
        if field != name and not field.startswith(f"{name}."):
            return f"field {field!r} instead of {name!r}: {response.content[:100]!r}"
        return None

    return check


@pytest.mark.django_db
def test_no_hostile_json_body_gives_a_server_error(client, town_a, real_bodies):
    started = time.monotonic()
    client.raise_request_exception = True
    probe = Probe(client)
    operations = json_operations(client)
    assert len(operations) >= 7, "the OpenAPI document should list the JSON writes"
    for path, properties, required in operations:
        path = path.replace("{lottery_id}", real_bodies["lottery_id"])
        base = {**properties, **real_bodies.get(path, {})}
        for label, body, name in hostile_json_bodies(base, properties, required):
            probe.post(path, encode(body), "application/json", label, names_the_field(name))
        for body, content_type in WHOLE_BODIES:
            label = f"whole body {body[:20]!r} as {content_type!r}"
            probe.post(path, body, content_type, label, api_error_problem)
    per_api = probe.requests
    open311_requests(probe, town_a)
    elapsed = time.monotonic() - started
    print(
        f"hostile JSON: {len(operations)} operations, {per_api} API requests, "
        f"{probe.requests - per_api} Open311 requests, {elapsed:.0f} s"
    )
    assert not probe.failures, "\n".join(probe.failures[:60])


OPEN311_FIELDS = [
    "service_code",
    "lat",
    "long",
    "address_string",
    "description",
    "first_name",
    "last_name",
    "email",
    "phone",
    "media_url",
    "jurisdiction_id",
    "attribute[flaeche]",
]
# Form values as bytes: a lone surrogate cannot be UTF-8, so its CESU-8 bytes are sent.
FORM_VALUES = [
    b"a%00b",
    b"a%01%1B%7Fb",
    b"%ED%A0%80",
    b"%FF%FE",
    b"x" * 10_000,
    b"1e40",
    b"1" + b"0" * 40,
    b"-1",
    b"1.5",
    b"NaN",
    b"%C2%B2",
    b"",
]


def open311_requests(probe, town):
    office = Office.objects.for_municipality(town).first()
    category = ReportCategory.objects.create(
        municipality=town, code="laterne", name="Laterne", office=office
    )
    _, key = open311.create_client(town, "Feindlicher Test")
    base = {
        "service_code": category.code.encode(),
        "lat": b"52.5",
        "long": b"13.4",
        "description": b"Laterne+kaputt",
        "email": b"erika%40example.org",
        "api_key": key.encode(),
    }
    for fmt in ("json", "xml"):
        path = reverse("participation:open311_requests", kwargs={"fmt": fmt})
        for name in OPEN311_FIELDS:
            for value in FORM_VALUES:
                form = b"&".join(k.encode() + b"=" + v for k, v in {**base, name: value}.items())
                label = f"{name}={value[:20]!r}"
                probe.post(path, form, "application/x-www-form-urlencoded", label, open311_problem)
        for body, content_type in WHOLE_BODIES:
            label = f"whole body {body[:20]!r} as {content_type!r}"
            probe.post(path, body, content_type, label, open311_problem)
