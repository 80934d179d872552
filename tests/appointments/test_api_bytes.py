"""The availability answer served as cached bytes (ADR 0093) is the documented answer.

The fast path skips django-ninja's response validation, so these tests hold the
schema to its word: the bytes equal what the schema's own rendering gives, they
validate against the published OpenAPI schema, hits equal misses, gzip unpacks
to the same JSON, and a booking makes the next answer new.
"""

import gzip
import json
from datetime import time, timedelta

import jsonschema_rs
import pytest
from ninja.responses import NinjaJSONEncoder

from rathaus.appointments import cache as availability_cache
from rathaus.appointments import capacity, services, shown_offers
from rathaus.appointments.api import OfferAvailability

from .conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/appointments/availability"


def _query(offer, day, **extra):
    return {
        "service": offer.service.slug,
        "date_from": day.isoformat(),
        "date_to": (day + timedelta(days=6)).isoformat(),
        **extra,
    }


def _schema_rendering(offer, day, persons=1) -> bytes:
    """The answer as django-ninja renders it through ``list[OfferAvailability]``."""
    offers = shown_offers.for_availability(offer.municipality, offer.service.slug, None)
    found = capacity.free_starts_by_resource(
        offers,
        persons,
        capacity.local(day, time.min),
        capacity.local(day + timedelta(days=7), time.min),
        now=None,
    )
    validated = [
        OfferAvailability(
            service=o.service.slug,
            resource=o.resource.slug,
            resource_name=o.resource.name,
            location=o.resource.location.slug,
            location_name=o.resource.location.name,
            address=o.resource.location.address_line,
            persons=persons,
            free=found[o.pk],
        ).model_dump()
        for o in offers
    ]
    return json.dumps(validated, cls=NinjaJSONEncoder).encode()


def _response_validator(client):
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"][API]["get"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return jsonschema_rs.validator_for(
        {**schema, "components": spec["components"]}, validate_formats=True
    )


def test_cached_bytes_are_the_schema_rendering_on_miss_and_hit(client_a, offer_a, day):
    location = offer_a.resource.location
    location.name = 'Bürgerbüro "Mitte" – Straße'  # escapes as json.dumps writes them
    location.save()
    availability_cache.reset_stats()
    miss = client_a.get(API, _query(offer_a, day))
    hit = client_a.get(API, _query(offer_a, day))
    stats = availability_cache.stats()
    assert (stats["misses"], stats["hits"]) == (1, 1)
    assert miss.status_code == hit.status_code == 200
    assert miss["Content-Type"].startswith("application/json")
    assert miss.content == hit.content == _schema_rendering(offer_a, day)
    assert len(json.loads(miss.content)[0]["free"]) > 17  # a week of mornings


def test_gzip_is_served_from_the_cache_and_unpacks_to_the_same_json(client_a, offer_a, day):
    plain = client_a.get(API, _query(offer_a, day)).content
    availability_cache.reset_stats()
    packed = client_a.get(API, _query(offer_a, day), HTTP_ACCEPT_ENCODING="gzip, br")
    assert availability_cache.stats()["hits"] == 1
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain
    assert len(packed.content) < len(plain) / 5


def test_cached_answer_conforms_to_the_openapi_schema(client_a, offer_a, day):
    validator = _response_validator(client_a)
    client_a.get(API, _query(offer_a, day, persons=2))  # fills the cache
    cached = client_a.get(API, _query(offer_a, day, persons=2), HTTP_ACCEPT_ENCODING="gzip")
    answer = json.loads(gzip.decompress(cached.content))
    validator.validate(answer)
    assert answer[0]["persons"] == 2
    # The validator can say no: a time that is no date-time, a number as text.
    assert not validator.is_valid([{**answer[0], "free": ["9 Uhr"]}])
    assert not validator.is_valid([{**answer[0], "persons": "2"}])


def test_a_booking_makes_the_next_answer_new(client_a, offer_a, day):
    client_a.get(API, _query(offer_a, day))
    nine = at(day, 9).astimezone(capacity.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert nine in json.loads(client_a.get(API, _query(offer_a, day)).content)[0]["free"]
    for email in ("a@example.org", "b@example.org"):  # two counters
        services.hold(offer_a, at(day, 9), name="A", email=email)
    availability_cache.reset_stats()
    answer = json.loads(client_a.get(API, _query(offer_a, day)).content)
    assert availability_cache.stats()["misses"] == 1
    assert nine not in answer[0]["free"]
    assert client_a.get(API, _query(offer_a, day)).content == _schema_rendering(offer_a, day)


def test_what_the_bytes_echo_is_part_of_the_key(client_a, offer_a, day):
    """Names, addresses and the echoed ``persons`` are in the bytes, so in the key."""
    client_a.get(API, _query(offer_a, day))
    location = offer_a.resource.location
    location.name = "Neues Bürgeramt"
    location.save()
    assert json.loads(client_a.get(API, _query(offer_a, day)).content)[0]["location_name"] == (
        "Neues Bürgeramt"
    )
    client_a.get(API, _query(offer_a, day, persons=1))
    assert json.loads(client_a.get(API, _query(offer_a, day, persons=0)).content)[0]["persons"] == (
        0
    )


def test_a_hold_answer_is_the_schema_rendering(client_a, offer_a, day):
    """The hold's 201 skips ninja's validation of ``BookingOut``: same bytes, valid."""
    from datetime import datetime

    from rathaus.appointments.api import HELD, BookingOut, _out
    from rathaus.appointments.models import Booking

    start = at(day, 9).isoformat()  # with its offset, echoed as sent
    body = {"service": offer_a.service.slug, "resource": offer_a.resource.slug, "start": start,
            "name": "Erika", "email": "erika@example.org"}  # fmt: skip
    response = client_a.post(
        "/api/v1/appointments/holds", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201
    assert response["Content-Type"] == "application/json; charset=utf-8"
    booking = Booking.objects.select_related("service", "resource").get()
    booking.starts_at = datetime.fromisoformat(start)
    expected = BookingOut.model_validate(_out(booking, HELD)).model_dump()
    assert response.content == json.dumps(expected, cls=NinjaJSONEncoder).encode()
    spec = client_a.get("/api/v1/openapi.json").json()
    schema = spec["paths"]["/api/v1/appointments/holds"]["post"]["responses"]["201"]
    validator = jsonschema_rs.validator_for(
        {**schema["content"]["application/json"]["schema"], "components": spec["components"]},
        validate_formats=True,
    )
    answer = json.loads(response.content)
    validator.validate(answer)
    assert answer["hold_expires_at"].endswith("Z") and answer["status"] == "reserved"
    assert not validator.is_valid({**answer, "persons": "1"})


def test_the_hold_body_is_published_as_a_ninja_schema_would_be(client_a):
    """``HoldIn`` is a plain pydantic model (faster to validate): ninja publishes the same
    OpenAPI schema for it as for the same fields on a ``ninja.Schema``."""
    import pydantic
    from ninja import NinjaAPI, Schema

    from rathaus.appointments.api import HoldIn

    def published(model) -> dict:
        api = NinjaAPI(urls_namespace=f"hold-body-{id(model)}")

        @api.post("/holds")
        def create(request, payload: model):  # pragma: no cover (never called)
            return {}

        return api.get_openapi_schema(path_prefix="")["components"]["schemas"]["HoldIn"]

    fields = {name: (f.annotation, f) for name, f in HoldIn.model_fields.items()}
    as_schema = pydantic.create_model("HoldIn", __base__=Schema, **fields)
    assert published(HoldIn) == published(as_schema)
    live = client_a.get("/api/v1/openapi.json").json()["components"]["schemas"]["HoldIn"]
    assert live == published(as_schema)
    assert live["required"] == ["service", "resource", "start", "name", "email"]
