"""Bad parameters answer 400 in each interface's own format, never 500 (issue 14's list)."""

import json
from xml.etree import ElementTree as ET

import pytest

BIG = "1" + "0" * 40


@pytest.mark.parametrize("path", ["/rat/sitzungen/?q=a%00b", "/leistungen/?q=%01", "/a%00b/"])
def test_control_characters_in_url_answer_a_german_400(client_a, path):
    response = client_a.get(path)
    assert response.status_code == 400
    assert "Steuerzeichen" in response.content.decode()


def test_control_characters_in_api_paths_answer_json(client_a):
    response = client_a.get("/api/v1/catalog/offices/a%00b")
    assert response.status_code == 400
    assert response.json()["reason"] == "invalid"
    assert response.json()["field"] == "path"


@pytest.mark.parametrize("key", ["%C2%B2", BIG, "9" * 23])
def test_catalog_service_lookup_with_hostile_keys_is_404(client_a, key):
    response = client_a.get(f"/api/v1/catalog/services/{key}")
    assert response.status_code == 404
    assert response.json()["reason"] == "not_found"


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "2026-02-30", "²"])
def test_appointment_availability_refuses_impossible_dates(client_a, value):
    response = client_a.get(f"/api/v1/appointments/availability?date_from={value}")
    assert response.status_code in (400, 422)
    assert response.json()["field"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=%C2%B2",
        "limit=" + BIG,
        "page=%C2%B2",
        "modified_until=2024-13-01T00:00:00%2B01:00",
        "modified_since=2026-03-01T10:00:00%2B99:00",
    ],
)
def test_oparl_answers_its_error_object(client_a, query):
    response = client_a.get(f"/rat/oparl/v1/body?{query}")
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["type"].endswith("Error") and body["field"] and body["message"]
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "value",
    ["2026-02-30", "2026-13-45", "2026-03-01T25:61:00Z", "2026-03-01T10:00:00+99:00", "²"],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_impossible_dates_answer_the_error_list(client_a, value, fmt):
    response = client_a.get(f"/beteiligung/open311/v2/requests.{fmt}", {"start_date": value})
    assert response.status_code == 400
    if fmt == "json":
        errors = response.json()
        assert errors[0]["code"] == 400 and "start_date" in errors[0]["description"]
    else:
        root = ET.fromstring(response.content)
        assert root.tag == "errors" and root.find("error/code").text == "400"


@pytest.mark.parametrize("value", ["%C2%B2", BIG, "1,%C2%B2"])
def test_open311_hostile_ids(client_a, value):
    assert client_a.get(f"/beteiligung/open311/v2/requests/{value}.json").status_code == 404
    response = client_a.get(f"/beteiligung/open311/v2/requests.json?service_request_id={value}")
    assert response.status_code == 400
