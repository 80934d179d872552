"""Online forms exported from one town and imported into another (issue 21): the
round trip keeps every field, a second import changes nothing, bad files are refused
per form with a reason and without a 500 or a half-imported form."""

import copy
import json

import pytest
from django.core.management import call_command

from rathaus.applications import exchange, library
from rathaus.applications.models import FormDefinition
from rathaus.core.models import AuditEntry
from tests.applications.conftest import make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def land_set(town_a):
    for slug in ("hund-anmelden", "sperrmuell-anmelden"):
        service = make_service(town_a, slug)
        if slug == "hund-anmelden":
            service.leika_key = "99108008000000"
            service.save()
        library.install(service)
    return exchange.export_forms(town_a)


def test_round_trip_into_a_new_town(town_a, town_b, land_set):
    dog = make_service(town_b, "hundesteuer", name="Hund anmelden")  # other slug, same LeiKa
    dog.leika_key = "99108008000000"
    dog.save()
    make_service(town_b, "sperrmuell-anmelden")
    report = exchange.import_forms(town_b, json.loads(json.dumps(land_set)))
    assert report == {"created": 2, "unchanged": 0, "errors": []}
    assert exchange.export_forms(town_b)["forms"] == [
        {**form, "service": {"leika": form["service"]["leika"], "slug": slug}}
        for form, slug in zip(
            land_set["forms"], ["hundesteuer", "sperrmuell-anmelden"], strict=True
        )
    ]
    published = FormDefinition.objects.filter(municipality=town_b, state="published")
    assert published.count() == 2
    assert (
        AuditEntry.objects.filter(municipality=town_b, action="applications.form_imported").count()
        == 2
    )
    # The same file again: nothing new.
    assert exchange.import_forms(town_b, land_set)["unchanged"] == 2
    assert FormDefinition.objects.filter(municipality=town_b).count() == 2


def test_changed_form_becomes_a_new_version(town_a, town_b, land_set):
    make_service(town_b, "sperrmuell-anmelden")
    exchange.import_forms(town_b, land_set)
    changed = copy.deepcopy(land_set)
    for form in changed["forms"]:
        form["intro"] = "Neu: " + form["intro"]
    assert exchange.import_forms(town_b, changed)["created"] == 1
    versions = FormDefinition.objects.filter(municipality=town_b).order_by("version")
    assert [(f.version, f.state) for f in versions] == [(1, "retired"), (2, "published")]


def test_missing_service_and_bad_forms_are_reported(town_a, town_b, land_set):
    make_service(town_b, "sperrmuell-anmelden")
    bad = copy.deepcopy(land_set)
    bad["forms"][1]["schema"] = {"steps": [{"key": "a", "fields": [{"name": "x", "type": "nope"}]}]}
    bad["forms"].append({"service": {"slug": "sperrmuell-anmelden"}, "title": "x"})
    bad["forms"].append("kein Objekt")
    bad["forms"].append({**land_set["forms"][1], "schema": {"steps": "x" * 10_000}})
    report = exchange.import_forms(town_b, bad)
    assert report["created"] == 0
    assert len(report["errors"]) == 5
    assert "keine passende Leistung" in report["errors"][0]
    assert not FormDefinition.objects.filter(municipality=town_b).exists()


@pytest.mark.parametrize(
    "data", [None, [], {"format": "x"}, {"format": exchange.FORMAT, "forms": 1}]
)
def test_not_an_export(town_b, data):
    assert exchange.import_forms(town_b, data)["errors"]


def test_command_round_trip(town_a, town_b, land_set, tmp_path, capsys):
    make_service(town_b, "sperrmuell-anmelden")
    path = tmp_path / "formulare.json"
    call_command("forms_exchange", "export", str(path), municipality=town_a.slug)
    call_command("forms_exchange", "import", str(path), municipality=town_b.slug)
    assert "1 Formular(e) übernommen" in capsys.readouterr().out
