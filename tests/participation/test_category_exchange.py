"""Defect categories exported from one town and imported into another (issue 21)."""

import copy
import json

import pytest
from django.core.management import call_command

from rathaus.core.models import AuditEntry, Office
from rathaus.participation.reports import exchange
from rathaus.participation.reports.models import ReportCategory

pytestmark = pytest.mark.django_db


def test_round_trip_with_office_by_slug_or_name_or_default(town_a, town_b, pothole, lamp):
    land_set = json.loads(json.dumps(exchange.export_categories(town_a)))
    # Town B has the roads office under another slug but the same name? No: a default.
    default = Office.objects.for_municipality(town_b).first()
    report = exchange.import_categories(town_b, land_set, default_office=default)
    assert report == {"created": 2, "updated": 0, "unchanged": 0, "errors": []}
    exported = exchange.export_categories(town_b)["categories"]
    office_b = {"slug": default.slug, "name": default.name}
    assert exported == [{**c, "office": office_b} for c in land_set["categories"]]
    assert exchange.import_categories(town_b, land_set, default_office=default)["unchanged"] == 2
    assert (
        AuditEntry.objects.filter(
            municipality=town_b, action="participation.category_created"
        ).count()
        == 2
    )


def test_office_found_by_name(town_a, town_b, pothole):
    same_name = Office.objects.create(municipality=town_b, slug="tiefbau", name="Tiefbauamt A")
    exchange.import_categories(town_b, exchange.export_categories(town_a))
    assert ReportCategory.objects.get(municipality=town_b).office == same_name


def test_update_replaces_attributes(town_a, town_b, pothole):
    default = Office.objects.for_municipality(town_b).first()
    land_set = exchange.export_categories(town_a)
    exchange.import_categories(town_b, land_set, default_office=default)
    changed = copy.deepcopy(land_set)
    changed["categories"][0]["name"] = "Schlagloch oder Riss"
    changed["categories"][0]["attributes"][0]["values"].append({"key": "radweg", "name": "Radweg"})
    assert exchange.import_categories(town_b, changed, default_office=default)["updated"] == 1
    category = ReportCategory.objects.get(municipality=town_b)
    assert category.name == "Schlagloch oder Riss"
    assert [v["key"] for v in category.attributes.get().values] == ["fahrbahn", "gehweg", "radweg"]


def test_bad_entries_reported_nothing_half_done(town_a, town_b, pothole):
    land_set = exchange.export_categories(town_a)
    bad = copy.deepcopy(land_set)
    item = bad["categories"][0]
    bad["categories"] = [
        {**item, "code": "Kein Slug!"},
        {**item, "name": "x" * 10_000},
        {**item, "attributes": [{**item["attributes"][0], "datatype": "bild"}]},
        {**item, "position": 10**40},
        {**item, "name": "Null\x00"},
        item,  # no office in town B and no default
        "kein Objekt",
    ]
    report = exchange.import_categories(town_b, bad)
    assert report["created"] == 0 and len(report["errors"]) == 7
    assert not ReportCategory.objects.filter(municipality=town_b).exists()


def test_default_office_of_another_town_refused(town_a, town_b, pothole):
    office_a = Office.objects.for_municipality(town_a).first()
    with pytest.raises(ValueError):
        exchange.import_categories(
            town_b, exchange.export_categories(town_a), default_office=office_a
        )


def test_command_round_trip(town_a, town_b, pothole, tmp_path, capsys):
    default = Office.objects.for_municipality(town_b).first()
    path = tmp_path / "kategorien.json"
    call_command("report_categories_exchange", "export", str(path), municipality=town_a.slug)
    call_command(
        "report_categories_exchange",
        "import",
        str(path),
        municipality=town_b.slug,
        office=default.slug,
    )
    assert "1 neu" in capsys.readouterr().out
