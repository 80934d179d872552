"""An offer lookup compiled once (core.prepared) answers as the ORM does; the hold's
offer comes from the availability read's memo (ADR 0100) and answers as the ORM does."""

import pytest

from rathaus.appointments import api
from rathaus.appointments.views import active_offers
from rathaus.core import prepared
from rathaus.core.prepared import PreparedQuery

pytestmark = pytest.mark.django_db


def _orm(town, service, resource):
    return active_offers(town).filter(service__slug=service, resource__slug=resource).order_by()[:1]


@pytest.fixture
def registry_restored():
    """The queries made here must not stay in the process-wide list that the worker
    warm-up compiles (tests/core/test_warmup.py runs later in the same process)."""
    before = list(prepared._all)
    yield
    prepared._all[:] = before


@pytest.fixture
def _offer_for_hold(registry_restored):
    """The hold's former lookup: a unique pair, sliced and unordered."""
    return PreparedQuery(
        lambda town, service, resource: (
            active_offers(town)
            .filter(service__slug=service, resource__slug=resource)
            .order_by()[:1]
        ),
        -917_000_001,
        "\x00service",
        "\x00resource",
    )


def test_the_hold_reads_its_offer_from_the_memo_as_the_orm_would(
    offer_a, town_a, town_b, django_assert_num_queries
):
    service, resource = offer_a.service.slug, offer_a.resource.slug
    (expected,) = _orm(town_a, service, resource)
    found = api._offer_for_hold(town_a, service, resource)
    assert found == expected and (found.service.slug, found.resource.slug) == (service, resource)
    with django_assert_num_queries(0):  # remembered, with its service and resource
        again = api._offer_for_hold(town_a, service, resource)
        assert (again.service.slug, again.resource.slug) == (service, resource)
    assert api._offer_for_hold(town_b, service, resource) is None  # another town's
    assert api._offer_for_hold(town_a, service, "anderer-schalter") is None
    assert api._offer_for_hold(town_a, "unbekannt", resource) is None
    offer_a.is_active = False
    offer_a.save()  # a saved change is seen at once (and by other processes next request)
    assert api._offer_for_hold(town_a, service, resource) is None


def test_a_hold_for_a_resource_taken_off_is_refused(client_a, offer_a, day):
    import json

    from .conftest import at

    body = {
        "service": offer_a.service.slug,
        "resource": offer_a.resource.slug,
        "start": at(day, 9).isoformat(),
        "name": "Erika",
        "email": "erika@example.org",
    }
    assert (
        client_a.get(
            "/api/v1/appointments/availability", {"service": offer_a.service.slug}
        ).status_code
        == 200
    )  # the offers are remembered now
    resource = offer_a.resource
    resource.is_active = False
    resource.save()
    response = client_a.post(
        "/api/v1/appointments/holds", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 404 and response.json()["reason"] == "not_offered"


def test_prepared_lookup_equals_the_queryset(
    offer_a, town_a, town_b, django_assert_num_queries, _offer_for_hold
):
    service, resource = offer_a.service.slug, offer_a.resource.slug
    for _ in range(2):  # compiled on the first call, bound on the second
        with django_assert_num_queries(1):
            found = _offer_for_hold.first(town_a.pk, service, resource)
            # select_related objects come with it: no further query
            assert (found.service.slug, found.resource.slug) == (service, resource)
            assert found.resource.location.name == offer_a.resource.location.name
        (expected,) = _orm(town_a, service, resource)
        assert found == expected and found.__dict__.keys() == expected.__dict__.keys()
        assert all(getattr(found, k) == getattr(expected, k) for k in expected.__dict__
                   if not k.startswith("_"))  # fmt: skip
    assert _offer_for_hold.first(town_b.pk, service, resource) is None  # another town's
    assert _offer_for_hold.first(town_a.pk, service, "anderer-schalter") is None
    offer_a.is_active = False
    offer_a.save()
    assert _offer_for_hold.first(town_a.pk, service, resource) is None  # read fresh


def test_each_marker_must_land_on_exactly_one_parameter(town_a, registry_restored):
    unused = PreparedQuery(lambda town, _x: active_offers(town), -5, "\x00unused")
    with pytest.raises(ValueError, match="0 times"):
        unused.all(town_a.pk, "x")
    twice = PreparedQuery(
        lambda town, slug: active_offers(town).filter(service__slug=slug, resource__slug=slug),
        -5,
        "\x00slug",
    )
    with pytest.raises(ValueError, match="2 times"):
        twice.all(town_a.pk, "x")


def test_on_postgresql_the_lookup_is_prepared_on_the_server(offer_a, town_a, _offer_for_hold):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("server-side prepared statements: PostgreSQL only")
    service, resource = offer_a.service.slug, offer_a.resource.slug
    assert _offer_for_hold.first(town_a.pk, service, resource) == offer_a
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared_texts = [row[0] for row in cursor.fetchall()]
    assert any("appointments_offer" in text and "$3" in text for text in prepared_texts)


def test_an_execute_wrapper_still_sees_the_lookup(offer_a, town_a, _offer_for_hold):
    """The replica's write watch (core.ops.replica) wraps every query of a request."""
    from django.db import connection

    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        found = _offer_for_hold.first(town_a.pk, offer_a.service.slug, offer_a.resource.slug)
    assert found == offer_a
    assert len(seen) == 1 and "appointments_offer" in seen[0]


def test_placeholders_are_numbered_and_literal_percent_signs_kept():
    sql = "SELECT 1 WHERE a LIKE '%%x' AND b = %s AND c = %s"
    assert prepared._numbered(sql) == "SELECT 1 WHERE a LIKE '%x' AND b = $1 AND c = $2"
