"""The Land-wide OParl system (issue 21): on the operator's host, a System whose body
list holds every town's Body under the town's own address; strict-schema clean; a
town's host does not answer it."""

import pytest
from django.test import Client

from rathaus.core.models import Municipality

from .oparl_schema import violations

pytestmark = pytest.mark.django_db

LAND = "land.localhost"


@pytest.fixture
def land(settings):
    settings.RATHAUS_OPERATOR_HOSTS = [LAND]
    return Client(HTTP_HOST=LAND)


def test_system_lists_every_towns_body(land, town_a, town_b):
    town_b.base_url = "https://rat.beispielstadt.test"
    town_b.save()
    system = land.get("/land/oparl/v1/system").json()
    assert violations(system) == []
    assert system["body"] == "http://land.localhost/land/oparl/v1/body"
    assert land.get("/land/oparl/v1/").json() == system
    page = land.get("/land/oparl/v1/body").json()
    assert page["pagination"]["totalElements"] == Municipality.objects.count() == 2
    bodies = {body["ags"]: body for body in page["data"]}
    for body in bodies.values():
        assert violations(body) == []
    assert bodies["12099901"]["id"].startswith("http://a.test/rat/oparl/v1/body/")
    assert bodies["15099902"]["id"].startswith("https://rat.beispielstadt.test/rat/oparl/v1/")
    assert bodies["15099902"]["paper"].startswith("https://rat.beispielstadt.test/")
    # The body of the Land list is the body its town serves.
    town_client = Client(HTTP_HOST="a.test")
    own = town_client.get(bodies["12099901"]["id"].removeprefix("http://a.test")).json()
    assert own == bodies["12099901"]


def test_pages(land, town_a, town_b):
    first = land.get("/land/oparl/v1/body", {"limit": 1}).json()
    assert len(first["data"]) == 1 and first["pagination"]["totalPages"] == 2
    second = land.get(first["links"]["next"].removeprefix("http://land.localhost")).json()
    assert second["data"][0]["id"] != first["data"][0]["id"]
    assert "next" not in second["links"]
    assert land.get("/land/oparl/v1/body", {"page": 3, "limit": 1}).status_code == 404


@pytest.mark.parametrize("value", ["0", "-1", "abc", "\x00", "²", str(10**40), "x" * 10_000])
def test_hostile_parameters_are_oparl_errors(land, town_a, value):
    for name in ("limit", "page"):
        response = land.get("/land/oparl/v1/body", {name: value})
        assert response.status_code == 400, (name, value)
        # Control characters are refused before any view (badinput): an OParl error too.
        assert response.json()["type"] == "https://schema.oparl.org/1.1/Error"
        assert response.json()["field"] == name


def test_town_host_does_not_answer_the_land_list(settings, client_a, town_b):
    settings.RATHAUS_OPERATOR_HOSTS = [LAND]
    assert client_a.get("/land/oparl/v1/body").status_code == 404
    assert client_a.get("/land/oparl/v1/system").status_code == 404


def test_only_get(land, town_a):
    assert land.post("/land/oparl/v1/body").status_code == 405
