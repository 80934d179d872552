"""The hold's offer comes from the availability read's memo (ADR 0100) and answers as
the ORM's query does."""

import pytest

from rathaus.appointments import api
from rathaus.appointments.views import active_offers

pytestmark = pytest.mark.django_db


def _orm(town, service, resource):
    return active_offers(town).filter(service__slug=service, resource__slug=resource).order_by()[:1]


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
