"""Under /api/ even the tenancy middleware's refusals are in the JSON API's error format
(a client parses every answer there as JSON); pages keep their German HTML."""

import pytest

from rathaus.core.hosts import TownHosts

pytestmark = pytest.mark.django_db


@pytest.fixture
def any_host(settings):
    """As in demo mode: Django lets every host through, the tenancy middleware decides."""
    settings.ALLOWED_HOSTS = TownHosts(["*"])
    settings.RATHAUS_OPERATOR_HOSTS = ["land.example"]


def test_an_unknown_host_gets_the_api_error_format(client, any_host):
    response = client.get("/api/v1/catalog/services", HTTP_HOST="nirgendwo.test")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "Unter der Adresse nirgendwo.test ist keine Kommune eingerichtet.",
        "field": "host",
        "reason": "unknown_host",
    }


def test_the_operator_host_answers_the_api_with_a_json_404(client, any_host):
    response = client.post("/api/v1/appointments/holds", {}, HTTP_HOST="land.example")
    assert response.status_code == 404
    assert response.json()["reason"] == "not_found"


def test_pages_keep_the_german_html_answer(client, any_host):
    response = client.get("/termine/", HTTP_HOST="nirgendwo.test")
    assert response.status_code == 400
    assert "Kommune nicht gefunden" in response.content.decode()
    assert client.get("/termine/", HTTP_HOST="land.example").status_code == 404


def test_the_protocols_answer_an_unknown_host_in_their_own_error_shape(client, any_host):
    """Open311 and OParl clients parse every answer as their protocol, refusals too."""
    open311 = client.get("/beteiligung/open311/v2/services.json", HTTP_HOST="nirgendwo.test")
    assert open311.status_code == 400
    (error,) = open311.json()
    assert error["code"] == 400 and "nirgendwo.test" in error["description"]
    oparl = client.get("/rat/oparl/v1/system", HTTP_HOST="nirgendwo.test")
    assert oparl.status_code == 400
    assert oparl.json()["type"] == "https://schema.oparl.org/1.1/Error"
    assert oparl.json()["field"] == "host"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/api/v1/catalog/topics"),
        ("delete", "/api/v1/catalog/services"),
        ("options", "/api/v1/appointments/holds"),
        ("get", "/api/v1/appointments/holds"),
    ],
)
def test_a_wrong_method_is_a_json_405_with_allow(client, any_host, town_a, method, path):
    """django-ninja's own 405 is English text/html; the API answers in its format."""
    response = getattr(client, method)(path, HTTP_HOST="a.test")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["reason"] == "method_not_allowed" and body["field"] is None
    assert response["Allow"] and response["Allow"] in body["detail"]
