"""The module's own JSON API (/api/v1/participation/)."""

import pytest
from django.test import Client

from rathaus.participation.budget.models import BudgetRound
from rathaus.participation.reports import services
from rathaus.participation.trees.models import Tree

pytestmark = pytest.mark.django_db


def test_nearby(client_a, pothole):
    report = services.submit_report(
        pothole.municipality,
        category=pothole,
        description="Loch",
        latitude=52.4,
        longitude=13.06,
        contact_email="g@example.org",
    )
    services.moderate(report, publish=True, actor=None)
    data = client_a.get(
        "/api/v1/participation/reports/nearby?service_code=schlagloch&lat=52.4001&lon=13.06"
    ).json()
    assert [r["id"] for r in data] == [report.pk] and data[0]["distance_m"] == 11
    assert "g@example.org" not in str(data)
    response = client_a.get("/api/v1/participation/reports/nearby?service_code=x&lat=1&lon=1")
    assert response.status_code == 404 and response.json()["reason"] == "error"


def test_tree_need_and_tenancy(client_a, town_a, town_b):
    tree = Tree.objects.create(
        municipality=town_a, external_id="T", planting_year=None, latitude=52.4, longitude=13.06
    )
    data = client_a.get(f"/api/v1/participation/trees/{tree.pk}").json()
    assert data["age_class"] == "unknown" and data["missing_litres"] == 200
    assert (
        Client(HTTP_HOST="b.test").get(f"/api/v1/participation/trees/{tree.pk}").status_code == 404
    )


def test_results_only_after_voting(client_a, town_a):
    BudgetRound.objects.create(municipality=town_a, slug="r", title="R", phase="voting")
    assert client_a.get("/api/v1/participation/budget/r/results").status_code == 409
