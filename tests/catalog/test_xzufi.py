"""XZuFi-shaped export and import: round trip, all-or-nothing validation, commands."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command

from rathaus.catalog.models import Service
from rathaus.catalog.xzufi import CatalogImportError, export_catalog, import_catalog
from rathaus.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def comparable(data):
    data = copy.deepcopy(data)
    data.pop("exportiert_am")
    return data


def test_export_has_xzufi_structure(catalog_a):
    data = export_catalog(catalog_a)
    assert data["kommune"]["ags"] == catalog_a.ags
    record = next(r for r in data["leistungen"] if r["id"] == "personalausweis-beantragen")
    assert record["leistungsschluessel"] == "99102019000000"
    assert record["bezeichnung"]["de"] == "Personalausweis beantragen"
    textarten = {t["textart"] for t in record["texte"]}
    assert {"Kurztext", "Unterlagen"} <= textarten
    assert record["zustaendigkeit"]["organisationseinheit"] == "a-buergerbuero"
    assert record["reifegrad"] == {
        "aktuell": 2,
        "historie": [{"stufe": 1, "seit": "2021-03-01"}, {"stufe": 2, "seit": "2024-05-01"}],
        "geplant": {"stufe": 3, "bis": "2027-06-30"},
    }
    assert record["kosten"][0]["betrag"] == "37.00"


def test_round_trip_into_an_empty_catalog(catalog_a):
    exported = export_catalog(catalog_a)
    Service.objects.filter(municipality=catalog_a).delete()
    assert import_catalog(catalog_a, exported) == 8
    assert comparable(export_catalog(catalog_a)) == comparable(exported)


def test_english_texts_survive_export_and_import(catalog_a):
    """Issue 16: staff-written English texts (service texts, documents, fee lines) are in
    the export (sprache "en", bezeichnung_en/hinweis_en) and come back on import."""
    service = Service.objects.get(municipality=catalog_a, slug="personalausweis-beantragen")
    service.name_en = "Apply for an identity card"
    service.description_en = "The identity card is valid for ten years."
    service.requirements_en = "You live here."
    service.documents_en = ["Biometric photo", "Old identity card"]
    service.procedure_en = "Book an appointment, then come by."
    service.save()
    fee = service.fees.first()
    fee.label_en, fee.note_en = "Fee (25 and older)", "Pay by card"
    fee.save()
    exported = export_catalog(catalog_a)
    record = next(r for r in exported["leistungen"] if r["id"] == service.slug)
    english = {t["textart"]: t["inhalt"] for t in record["texte"] if t["sprache"] == "en"}
    assert english["Volltext"] == "The identity card is valid for ten years."
    assert english["Unterlagen"] == ["Biometric photo", "Old identity card"]
    assert {"Voraussetzungen", "Verfahrensablauf"} <= set(english)
    assert record["kosten"][0]["bezeichnung_en"] == "Fee (25 and older)"
    assert record["kosten"][0]["hinweis_en"] == "Pay by card"
    Service.objects.filter(municipality=catalog_a).delete()
    import_catalog(catalog_a, exported)
    back = Service.objects.get(municipality=catalog_a, slug=service.slug)
    assert back.description_en == "The identity card is valid for ten years."
    assert back.requirements_en == "You live here." and back.procedure_en.startswith("Book")
    assert back.documents_en == ["Biometric photo", "Old identity card"]
    assert (back.fees.first().label_en, back.fees.first().note_en) == (
        "Fee (25 and older)",
        "Pay by card",
    )
    assert comparable(export_catalog(catalog_a)) == comparable(exported)


def test_english_fee_line_too_long_is_refused(catalog_a):
    exported = export_catalog(catalog_a)
    exported["leistungen"][0]["kosten"] = [
        {"bezeichnung": "Gebühr", "betrag": "1.00", "bezeichnung_en": "x" * 201}
    ]
    with pytest.raises(CatalogImportError) as error:
        import_catalog(catalog_a, exported)
    assert error.value.problems[0].field == "kosten[0].bezeichnung_en"


def test_demo_file_with_english_fee_lines_imports_and_exports_them(catalog_a):
    """Issue 22: a file in the demo's shape (bezeichnung_en/hinweis_en, English
    Unterlagen, Fristen, Bearbeitungsdauer) keeps its English on import and on the way
    back out; a file without the English keys (older files) stays valid."""
    exported = export_catalog(catalog_a)
    record = next(r for r in exported["leistungen"] if r["id"] == "personalausweis-beantragen")
    record["kosten"] = [
        {"bezeichnung": "Personalausweis", "betrag": "46.00", "hinweis": "bundeseinheitlich"},
        {
            "bezeichnung": "Direktversand nach Hause",
            "bezeichnung_en": "Delivery to your home",
            "betrag": "15.00",
            "hinweis": "zusätzlich, optional",
            "hinweis_en": "extra, optional",
        },
    ]
    record["texte"] += [
        {"textart": "Unterlagen", "sprache": "en", "inhalt": ["recent biometric photo"]},
        {"textart": "Bearbeitungsdauer", "sprache": "en", "inhalt": "about 3 to 4 weeks"},
        {"textart": "Fristen", "sprache": "en", "inhalt": "Apply six weeks before you travel."},
    ]
    import_catalog(catalog_a, exported)
    service = Service.objects.get(municipality=catalog_a, slug="personalausweis-beantragen")
    lines = [(f.label, f.label_en, f.note_en) for f in service.fees.order_by("amount")]
    assert lines == [
        ("Direktversand nach Hause", "Delivery to your home", "extra, optional"),
        ("Personalausweis", "", ""),
    ]
    assert service.documents_en == ["recent biometric photo"]
    assert service.processing_time_en == "about 3 to 4 weeks"
    assert service.deadlines_en == "Apply six weeks before you travel."
    again = export_catalog(catalog_a)
    record = next(r for r in again["leistungen"] if r["id"] == service.slug)
    assert {k["bezeichnung_en"] for k in record["kosten"]} == {"", "Delivery to your home"}
    assert {"textart": "Unterlagen", "sprache": "en", "inhalt": ["recent biometric photo"]} in (
        record["texte"]
    )
    assert {"textart": "Bearbeitungsdauer", "sprache": "en", "inhalt": "about 3 to 4 weeks"} in (
        record["texte"]
    )
    import_catalog(catalog_a, again)  # idempotent: the same file again changes nothing
    assert comparable(export_catalog(catalog_a)) == comparable(again)


def test_reimport_updates_in_place(catalog_a):
    exported = export_catalog(catalog_a)
    exported["leistungen"][0]["bezeichnung"]["de"] = "Neu benannt"
    count = Service.objects.count()
    import_catalog(catalog_a, exported)
    assert Service.objects.count() == count
    assert Service.objects.filter(name="Neu benannt").count() == 1


def test_invalid_record_names_record_and_field_and_imports_nothing(catalog_a):
    exported = export_catalog(catalog_a)
    Service.objects.filter(municipality=catalog_a).delete()
    exported["leistungen"][0]["bezeichnung"]["de"] = "Ganz neu"
    broken = exported["leistungen"][3]
    broken["reifegrad"]["aktuell"] = 9
    exported["leistungen"][5]["themenfeld"] = "weltraum"
    with pytest.raises(CatalogImportError) as error:
        import_catalog(catalog_a, exported)
    problems = error.value.problems
    assert (problems[0].index, problems[0].record_id, problems[0].field) == (
        4,
        broken["id"],
        "reifegrad.aktuell",
    )
    assert problems[1].field == "themenfeld" and problems[1].index == 6
    assert "Datensatz 4" in str(problems[0])
    assert Service.objects.filter(municipality=catalog_a).count() == 0


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda r: r.pop("id"), "id"),
        (lambda r: r.update(leistungsschluessel="123"), "leistungsschluessel"),
        (lambda r: r.update(priorisierte_ozg_leistung="Mondfahrt"), "priorisierte_ozg_leistung"),
        (lambda r: r["kosten"].append({"bezeichnung": "x", "betrag": "abc"}), "kosten[2].betrag"),
        (
            lambda r: r["zustaendigkeit"].update(organisationseinheit="b-buergerbuero"),
            "zustaendigkeit.organisationseinheit",
        ),
        (lambda r: r["zustaendigkeit"].update(standorte=["b-mitte"]), "zustaendigkeit.standorte"),
        (lambda r: r["onlinedienst"].update(link="javascript:alert(1)"), "onlinedienst.link"),
        (
            lambda r: r["onlinedienst"].update(vertrauensniveau="mittel"),
            "onlinedienst.vertrauensniveau",
        ),
        (
            lambda r: r["reifegrad"]["historie"].append({"stufe": 1, "seit": "gestern"}),
            "reifegrad.historie[2].seit",
        ),
        (
            lambda r: r.update(texte=[{"textart": "Roman", "sprache": "de", "inhalt": "x"}]),
            "texte[0].textart",
        ),
        (lambda r: r["bezeichnung"].update(de="x" * 300), "bezeichnung.de"),
        (lambda r: r.update(lebenslagen=["mondfahrt"]), "lebenslagen"),
    ],
)
def test_each_invalid_field_is_named(catalog_a, catalog_b, mutate, field):
    exported = export_catalog(catalog_a)
    record = next(r for r in exported["leistungen"] if r["id"] == "personalausweis-beantragen")
    mutate(record)
    with pytest.raises(CatalogImportError) as error:
        import_catalog(catalog_a, exported)
    assert field in [p.field for p in error.value.problems]


def test_duplicate_ids_are_rejected(catalog_a):
    exported = export_catalog(catalog_a)
    exported["leistungen"].append(copy.deepcopy(exported["leistungen"][0]))
    with pytest.raises(CatalogImportError) as error:
        import_catalog(catalog_a, exported)
    assert error.value.problems[0].field == "id"
    assert error.value.problems[0].index == 9


def test_commands_export_and_import(catalog_a, tmp_path, settings, capsys):
    settings.RATHAUS_DEFAULT_MUNICIPALITY = catalog_a.slug
    target = tmp_path / "katalog.json"
    call_command("catalog_export", str(target))
    data = json.loads(target.read_text(encoding="utf-8"))
    assert len(data["leistungen"]) == 8
    call_command("catalog_import", str(target))
    assert AuditEntry.objects.filter(action="catalog.imported").count() == 1
    data["leistungen"][2]["reifegrad"]["aktuell"] = "hoch"
    target.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CommandError, match="nichts importiert"):
        call_command("catalog_import", str(target))
    assert "Datensatz 3" in capsys.readouterr().err
    target.write_text("{kaputt", encoding="utf-8")
    with pytest.raises(CommandError, match="Kein gültiges JSON"):
        call_command("catalog_import", str(target))
    with pytest.raises(CommandError, match="nichts importiert"):
        target.write_text("[]", encoding="utf-8")
        call_command("catalog_import", str(target))
