"""The catalog JSON API: filters, pagination, one service, taxonomy, offices, errors, isolation."""

import pytest

from rathaus.catalog.models import Service

pytestmark = pytest.mark.django_db

BASE = "/api/v1/catalog"


def test_services_list_is_paginated_and_filtered(client_a, catalog_a):
    page = client_a.get(f"{BASE}/services", {"page_size": 3}).json()
    assert page["count"] == 8 and len(page["results"]) == 3
    second = client_a.get(f"{BASE}/services", {"page_size": 3, "page": 3}).json()
    assert len(second["results"]) == 2
    topic = client_a.get(f"{BASE}/services", {"topic": "unternehmensfuehrung"}).json()
    assert {s["slug"] for s in topic["results"]} == {"gewerbe-anmelden", "gewerbe-abmelden"}
    maturity = client_a.get(f"{BASE}/services", {"maturity": 4}).json()
    assert [s["slug"] for s in maturity["results"]] == ["hund-anmelden"]
    situation = client_a.get(f"{BASE}/services", {"life_situation": "umzug"}).json()
    assert {s["slug"] for s in situation["results"]} == {"wohnsitz-anmelden", "sperrmuell-anmelden"}
    office = client_a.get(f"{BASE}/services", {"office": "a-buergerbuero"}).json()
    assert office["count"] == 8


def test_services_search_ranks_like_the_portal(client_a, catalog_a):
    result = client_a.get(f"{BASE}/services", {"q": "Hundesteuer"}).json()
    assert result["results"][0]["slug"] == "hund-anmelden"
    assert result["results"][0]["url"] == "/leistungen/hund-anmelden/"


def test_one_service_by_slug_and_by_id(client_a, catalog_a):
    service = client_a.get(f"{BASE}/services/personalausweis-beantragen").json()
    assert service["fees"][0] == {
        "label": "Personalausweis ab 24 Jahren",
        "amount": "37.00",
        "amount_max": None,
        "note": "",
    }
    assert service["life_situations"] == ["ausweisdokumente"]
    assert service["locations"] == ["a-mitte"]
    assert service["responsible_office"]["slug"] == "a-buergerbuero"
    assert [c["level"] for c in service["maturity_history"]] == [1, 2]
    assert service["planned_date"] == "2027-06-30"
    by_id = client_a.get(f"{BASE}/services/{service['id']}").json()
    assert by_id["slug"] == "personalausweis-beantragen"


@pytest.mark.parametrize("key", ["gibt-es-nicht", "999999", "99999999999999999999"])
def test_unknown_service_is_json_404(client_a, catalog_a, key):
    response = client_a.get(f"{BASE}/services/{key}")
    assert response.status_code == 404
    assert response.json()["reason"] == "not_found"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"maturity": "fünf"}, "maturity"),
        ({"maturity": 7}, "maturity"),
        ({"page": 0}, "page"),
        ({"page_size": 1000}, "page_size"),
        ({"topic": "mond"}, "topic"),
        ({"life_situation": "mond"}, "life_situation"),
        ({"office": "b-buergerbuero"}, "office"),  # exists, but in another municipality
        ({"q": "x" * 500}, "q"),
    ],
)
def test_malformed_filters_get_422_naming_the_field(client_a, catalog_a, catalog_b, params, field):
    response = client_a.get(f"{BASE}/services", params)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert response.json()["detail"]


def test_taxonomy_offices_and_locations(client_a, catalog_a):
    assert len(client_a.get(f"{BASE}/topics").json()) == 14
    assert len(client_a.get(f"{BASE}/life-situations").json()) >= 20
    offices = client_a.get(f"{BASE}/offices").json()
    assert [o["slug"] for o in offices] == ["a-buergerbuero"]
    assert offices[0]["locations"] == ["a-mitte"]
    locations = client_a.get(f"{BASE}/locations").json()
    hours = locations[0]["opening_hours"]
    assert {
        "weekday": 0,
        "kind": "walk_in",
        "opens": "08:00:00",
        "closes": "09:00:00",
        "note": "",
    } in hours
    assert client_a.get(f"{BASE}/locations/a-mitte").status_code == 200
    assert client_a.get(f"{BASE}/offices/a-buergerbuero").status_code == 200


def test_api_never_shows_other_municipality(client_a, catalog_a, catalog_b):
    names = [
        s["name"] for s in client_a.get(f"{BASE}/services", {"page_size": 100}).json()["results"]
    ]
    assert "Geheimnisvolle B-Leistung" not in names
    assert not any("B-Stadt" in name for name in names)
    assert client_a.get(f"{BASE}/services/geheime-b-leistung").status_code == 404
    assert client_a.get(f"{BASE}/services", {"q": "geheimnisvolle"}).json()["count"] == 0
    assert client_a.get(f"{BASE}/locations/b-mitte").status_code == 404
    assert client_a.get(f"{BASE}/offices/b-buergerbuero").status_code == 404
    assert "b-buergerbuero" not in str(client_a.get(f"{BASE}/offices").json())
    b_id = client_a.get(f"{BASE}/services/personalausweis-beantragen").json()["id"]
    # B's copy of the same slug has another id, which A's host does not serve.
    b_pk = Service.objects.get(municipality=catalog_b, slug="personalausweis-beantragen").pk
    assert b_pk != b_id
    assert client_a.get(f"{BASE}/services/{b_pk}").status_code == 404


def test_openapi_documents_the_catalog_endpoints(client_a, catalog_a):
    paths = client_a.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/catalog/services" in paths
    assert "/api/v1/catalog/locations/{slug}" in paths
