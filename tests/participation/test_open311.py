"""Open311 GeoReport v2 conformance, written from http://wiki.open311.org/GeoReport_v2."""

import json
from datetime import timedelta
from urllib.parse import quote
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from rathaus.participation.reports import services
from rathaus.participation.reports.models import Report

BASE = "/beteiligung/open311/v2"
pytestmark = pytest.mark.django_db


def published(town, category, **kwargs):
    report = services.submit_report(
        town,
        category=category,
        description=kwargs.pop("description", "Tiefes Loch"),
        latitude=kwargs.pop("latitude", 52.4),
        longitude=kwargs.pop("longitude", 13.06),
        contact_email="geheim@example.org",
        contact_name="Geheime Person",
        contact_phone="0331 123456",
        **kwargs,
    )
    return services.moderate(report, publish=True, actor=None)


def xml(response):
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(response.content)


def test_discovery_json_and_xml(client_a):
    data = client_a.get("/beteiligung/open311/discovery.json").json()
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/beteiligung/open311/v2")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    root = xml(client_a.get("/beteiligung/open311/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_list_both_formats(client_a, pothole, lamp):
    data = client_a.get(f"{BASE}/services.json").json()
    assert isinstance(data, list)
    by_code = {s["service_code"]: s for s in data}
    assert set(by_code["schlagloch"]) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert by_code["schlagloch"]["metadata"] is True
    assert by_code["laterne"]["metadata"] is False
    assert by_code["schlagloch"]["type"] in ("realtime", "batch", "blackbox")
    root = xml(client_a.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    codes = [s.findtext("service_code") for s in root.findall("service")]
    assert codes == ["laterne", "schlagloch"] or set(codes) == {"laterne", "schlagloch"}
    assert root.find("service[service_code='schlagloch']/metadata").text == "true"


def test_service_definition(client_a, pothole):
    data = client_a.get(f"{BASE}/services/schlagloch.json").json()
    assert data["service_code"] == "schlagloch"
    attribute = data["attributes"][0]
    assert attribute == {
        "variable": True,
        "code": "flaeche",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": "",
        "order": 1,
        "description": "Wo genau?",
        "values": [{"key": "fahrbahn", "name": "Fahrbahn"}, {"key": "gehweg", "name": "Gehweg"}],
    }
    root = xml(client_a.get(f"{BASE}/services/schlagloch.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("attributes/attribute/code") == "flaeche"
    assert [v.findtext("key") for v in root.findall("attributes/attribute/values/value")] == [
        "fahrbahn",
        "gehweg",
    ]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_service_code_is_404_error_list(client_a, pothole, fmt):
    response = client_a.get(f"{BASE}/services/gibtsnicht.{fmt}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    if fmt == "json":
        assert response.json() == [
            {"code": 404, "description": "service_code 'gibtsnicht' not found"}
        ]
    else:
        root = xml(response)
        assert root.tag == "errors"
        assert root.findtext("error/code") == "404"
        assert "gibtsnicht" in root.findtext("error/description")


def post(client, key, fmt="json", HTTP_ACCEPT_LANGUAGE="de", **data):
    payload = {
        "api_key": key,
        "service_code": "schlagloch",
        "lat": "52.401",
        "long": "13.061",
        "description": "Loch in der Fahrbahn",
        "attribute[flaeche]": "fahrbahn",
    }
    payload.update(data)
    payload = {k: v for k, v in payload.items() if v is not None}
    return client.post(f"{BASE}/requests.{fmt}", payload, HTTP_ACCEPT_LANGUAGE=HTTP_ACCEPT_LANGUAGE)


def test_post_request_returns_token_and_creates_moderated_report(
    client_a, pothole, api_key, mailoutbox
):
    response = post(
        client_a,
        api_key,
        email="melder@example.org",
        first_name="Erika",
        last_name="Muster",
        phone="0331 1",
        media_url="https://example.org/foto.jpg",
    )
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list) and set(body[0]) == {"token", "service_notice", "account_id"}
    report = Report.objects.get(token=body[0]["token"])
    assert report.moderation == "pending"
    assert report.contact_email == "melder@example.org"
    assert report.contact_name == "Erika Muster"
    assert report.attributes == {"flaeche": "fahrbahn"}
    assert report.office.slug == "a-tiefbau"  # routed by category
    assert report.media_url == "https://example.org/foto.jpg"
    # token lookup: accepted, so it has its id already (FixMyStreet re-posts without one);
    # the report itself is shown only once published.
    token = body[0]["token"]
    assert client_a.get(f"{BASE}/tokens/{token}.json").json() == [
        {"service_request_id": str(report.pk), "token": token}
    ]
    assert client_a.get(f"{BASE}/requests/{report.pk}.json").status_code == 404
    services.moderate(report, publish=True, actor=None)
    assert client_a.get(f"{BASE}/tokens/{token}.json").json() == [
        {"service_request_id": str(report.pk), "token": token}
    ]
    root = xml(client_a.get(f"{BASE}/tokens/{token}.xml"))
    assert root.tag == "service_requests" and root.findtext("request/service_request_id") == str(
        report.pk
    )


def test_post_xml_response(client_a, pothole, api_key):
    root = xml(post(client_a, api_key, fmt="xml"))
    assert root.tag == "service_requests"
    assert root.find("request/token").text


@pytest.mark.parametrize(
    ("change", "status", "needle"),
    [
        ({"api_key": "falsch"}, 403, "api_key"),
        ({"api_key": None}, 403, "api_key"),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "nix"}, 404, "service_code"),
        ({"lat": None, "long": None}, 400, "location"),
        ({"long": None}, 400, "long"),
        ({"lat": "abc"}, 400, "lat"),
        ({"lat": None, "long": None, "address_id": "4711"}, 400, "address_id"),
        ({"attribute[flaeche]": None}, 400, "attribute[flaeche]"),
        ({"attribute[flaeche]": "dach"}, 400, "attribute[flaeche]"),
        ({"email": "kein-mail"}, 400, "email"),
        ({"description": "x" * 4001}, 400, "description"),
        ({"jurisdiction_id": "anderswo"}, 404, "jurisdiction_id"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_errors(client_a, pothole, api_key, change, status, needle, fmt):
    response = post(client_a, api_key, fmt=fmt, **change)
    assert response.status_code == status
    if fmt == "json":
        errors = response.json()
        assert errors[0]["code"] == status and needle in errors[0]["description"]
    else:
        root = xml(response)
        assert root.tag == "errors" and root.findtext("error/code") == str(status)
    assert not Report.objects.exists()


def test_post_without_description_is_accepted(client_a, pothole, api_key):
    # The spec lists description as optional; only service_code and a location are required.
    assert post(client_a, api_key, description=None).status_code == 200
    assert Report.objects.get().description == ""


def test_post_with_address_string_only(client_a, pothole, api_key):
    response = post(client_a, api_key, lat=None, long=None, address_string="Lindenstraße 5")
    assert response.status_code == 200
    assert Report.objects.get().address == "Lindenstraße 5"


def test_api_key_of_other_municipality_is_refused(client_b, town_a, pothole):
    from rathaus.participation.reports import open311

    _, key_a = open311.create_client(town_a, "A-App")
    response = client_b.post(
        f"{BASE}/requests.json", {"api_key": key_a, "service_code": "schlagloch"}
    )
    assert response.status_code == 403


def test_get_requests_fields_and_privacy(client_a, pothole):
    report = published(
        pothole.municipality,
        pothole,
        address="Lindenstraße 5",
        attributes={"flaeche": "gehweg"},
    )
    data = client_a.get(f"{BASE}/requests.json").json()
    assert [r["service_request_id"] for r in data] == [str(report.pk)]
    item = data[0]
    assert set(item) == {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
        "lat",
        "long",
        "media_url",
    }
    assert item["status"] == "open" and item["lat"] == 52.4 and item["long"] == 13.06
    assert item["agency_responsible"] == "Tiefbauamt A"
    assert "+01:00" in item["requested_datetime"] or "+02:00" in item["requested_datetime"]
    for fmt in ("json", "xml"):
        for url in (f"{BASE}/requests.{fmt}", f"{BASE}/requests/{report.pk}.{fmt}"):
            content = client_a.get(url).content.decode()
            for secret in ("geheim@example.org", "Geheime Person", "0331 123456"):
                assert secret not in content
    root = xml(client_a.get(f"{BASE}/requests/{report.pk}.xml"))
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == str(report.pk)
    assert root.findtext("request/long") == "13.06"


def test_get_requests_filters(client_a, pothole, lamp):
    town = pothole.municipality
    a = published(town, pothole)
    b = published(town, lamp)
    c = published(town, lamp)
    services.change_status(c, status="fixed", actor=None)
    pending = services.submit_report(town, category=pothole, description="x", address="y")

    def ids(url):
        data = client_a.get(url).json()
        assert isinstance(data, list), data
        assert all("service_request_id" in r for r in data), data
        return {r["service_request_id"] for r in data}

    assert ids(f"{BASE}/requests.json") == {str(a.pk), str(b.pk), str(c.pk)}
    assert ids(f"{BASE}/requests.json?service_code=laterne") == {str(b.pk), str(c.pk)}
    assert ids(f"{BASE}/requests.json?service_code=laterne,schlagloch&status=closed") == {str(c.pk)}
    assert ids(f"{BASE}/requests.json?status=open") == {str(a.pk), str(b.pk)}
    assert ids(f"{BASE}/requests.json?status=open,closed") == {str(a.pk), str(b.pk), str(c.pk)}
    # service_request_id wins over every other filter
    assert ids(f"{BASE}/requests.json?service_request_id={a.pk},{c.pk}&status=open") == {
        str(a.pk),
        str(c.pk),
    }
    assert str(pending.pk) not in ids(f"{BASE}/requests.json?service_request_id={pending.pk}")
    Report.objects.filter(pk=a.pk).update(created_at=timezone.now() - timedelta(days=200))
    assert str(a.pk) not in ids(f"{BASE}/requests.json")  # default window: 90 days
    start = (timezone.now() - timedelta(days=210)).date().isoformat()
    end = quote((timezone.now() - timedelta(days=150)).isoformat())
    assert ids(f"{BASE}/requests.json?start_date={start}T00:00:00Z&end_date={end}") == {str(a.pk)}


@pytest.mark.parametrize(
    "query",
    [
        "status=pending",
        "start_date=gestern",
        "start_date=2024-02-01T00:00:00Z&end_date=2024-01-01T00:00:00Z",
        "service_request_id=abc",
    ],
)
def test_get_requests_bad_filters_are_400(client_a, pothole, query):
    response = client_a.get(f"{BASE}/requests.json?{query}")
    assert response.status_code == 400
    assert response.json()[0]["code"] == 400


def test_unpublished_or_foreign_request_is_404(client_a, town_b, pothole):
    client_b = Client(HTTP_HOST="b.test")
    pending = services.submit_report(
        pothole.municipality, category=pothole, description="x", address="y"
    )
    assert client_a.get(f"{BASE}/requests/{pending.pk}.json").status_code == 404
    public = published(pothole.municipality, pothole)
    assert client_a.get(f"{BASE}/requests/{public.pk}.json").status_code == 200
    response = client_b.get(f"{BASE}/requests/{public.pk}.xml")
    assert response.status_code == 404 and xml(response).tag == "errors"
    assert client_b.get(f"{BASE}/tokens/{public.token}.json").status_code == 404


def test_unknown_format_is_not_served(client_a, pothole):
    assert client_a.get(f"{BASE}/services.csv").status_code == 404


def test_json_is_utf8(client_a, pothole):
    response = client_a.get(f"{BASE}/services.json")
    assert response["Content-Type"] == "application/json"
    assert "Schäden" in response.content.decode("utf-8")
    assert json.loads(response.content)[0]["description"] == "Schäden an Fahrbahn oder Gehweg"


def test_post_rate_limited(client_a, pothole, api_key, settings):
    from rathaus.participation.reports import open311

    open311.POST_LIMIT_PER_MINUTE, old = 2, open311.POST_LIMIT_PER_MINUTE
    try:
        assert post(client_a, api_key).status_code == 200
        assert post(client_a, api_key).status_code == 200
        response = post(client_a, api_key)
        assert response.status_code == 429 and response.json()[0]["code"] == 429
    finally:
        open311.POST_LIMIT_PER_MINUTE = old


def test_post_needs_no_csrf_token(pothole, api_key):
    strict = Client(HTTP_HOST="a.test", enforce_csrf_checks=True)
    assert post(strict, api_key).status_code == 200


def test_client_command_prints_working_key(town_a, pothole, client_a, capsys):
    from django.core.management import call_command

    call_command("open311_client", town_a.slug, "Stadt-App")
    key = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    assert post(client_a, key).status_code == 200


# --- Strict clients (GeoReport v2: POST Service Request, errors) -----------------------


def test_api_key_in_the_query_string_is_accepted(client_a, pothole, api_key):
    payload = {"service_code": "schlagloch", "lat": "52.4", "long": "13.06"}
    payload["attribute[flaeche]"] = "fahrbahn"
    response = client_a.post(f"{BASE}/requests.json?api_key={api_key}", payload)
    assert response.status_code == 200 and response.json()[0]["token"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_json_body_gets_a_clear_error_in_the_spec_format(client_a, pothole, api_key, fmt):
    body = {"api_key": api_key, "service_code": "schlagloch", "lat": 52.4, "long": 13.06}
    response = client_a.post(
        f"{BASE}/requests.{fmt}", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 415
    if fmt == "json":
        (error,) = response.json()
        assert error["code"] == 415 and "application/x-www-form-urlencoded" in error["description"]
    else:
        assert xml(response).findtext("error/code") == "415"
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "services.json"),
        ("put", "requests.json"),
        ("delete", "requests.json"),
        ("post", "services/schlagloch.json"),
        ("post", "requests/1.json"),
        ("post", "tokens/abc.xml"),
    ],
)
def test_wrong_method_is_405_in_the_error_format(client_a, pothole, method, path):
    response = getattr(client_a, method)(f"{BASE}/{path}")
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    if path.endswith(".json"):
        (error,) = response.json()
        assert error["code"] == 405 and "GET" in error["description"]
    else:
        assert xml(response).findtext("error/code") == "405"


def test_error_texts_are_in_the_language_of_the_request(client_a, pothole, api_key):
    english = post(client_a, api_key, long=None, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()[0]["description"] == "lat and long must be given together"
    german = post(client_a, api_key, long=None, HTTP_ACCEPT_LANGUAGE="de")
    assert german.json()[0]["description"] == "lat und long müssen zusammen angegeben werden."
    ok = post(client_a, api_key, HTTP_ACCEPT_LANGUAGE="en")
    assert ok.json()[0]["service_notice"] == "The report is reviewed before it is published."


def test_parse_errors_follow_the_language_of_the_request(client_a):
    english = client_a.get(
        "/beteiligung/open311/v2/requests.json?start_date=2026-02-30", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 400
    assert english.json()[0]["description"] == "start_date: this date does not exist"
    german = client_a.get(
        "/beteiligung/open311/v2/requests.json?start_date=2026-02-30", HTTP_ACCEPT_LANGUAGE="de"
    )
    assert german.json()[0]["description"] == "start_date: Dieses Datum gibt es nicht."


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "path",
    [
        "requests.{fmt}?status=%00",
        "requests/%00.{fmt}",
        "services.{fmt}?a%01=1",
        "gibtsnicht.{fmt}",
    ],
)
def test_what_core_refuses_before_the_view_is_an_error_list(client_a, pothole, path, fmt):
    """Control characters (refused by core's middleware before any view) and unknown
    addresses (Django's 404) answer in GeoReport's error list too: a client parses
    every answer under open311/ in the format it asked for, never an HTML page."""
    response = client_a.get(f"{BASE}/{path.format(fmt=fmt)}")
    assert response.status_code in (400, 404)
    if fmt == "json":
        (error,) = response.json()
    else:
        error = {"code": xml(response).findtext("error/code")}
    assert str(error["code"]) == str(response.status_code)
