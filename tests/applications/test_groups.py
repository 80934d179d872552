"""Repeating groups (ADR 0027): several dogs in one application.

Rows are added and removed with ordinary submit buttons (no JavaScript), validated per
row with German messages naming the row, stored as a list, charged per row and shown on
the check page, the case view, the notice, the data export and the API.
"""

import json
import re

import pytest

from rathaus.applications import cases, form_import, formengine, library
from rathaus.applications.models import Application, FormDefinition

from .conftest import make_service, pdf_file
from .helpers import post_step, start
from .test_fees import demo_fee_rows, dog_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def dog(town_a, verkehr_a):
    service = make_service(town_a, "hund-anmelden", office=verkehr_a)
    for order, fee in enumerate(demo_fee_rows("hund-anmelden")):
        fee.service, fee.order = service, order
        fee.save()
    library.install(service)
    return service


def dog_step_url(client):
    app, url = start(client, "hund-anmelden")
    url = post_step(
        client, url, {"vorname": "Erika", "nachname": "Mustermann", "geburtsdatum": "1980-05-01"}
    )
    url = post_step(client, url, {"strasse": "Lindenstraße 5", "plz": "14467", "ort": "M"})
    assert url.endswith("/schritt/hund/"), url
    return app, url


def errors(page: str) -> list[str]:
    summary = re.search(r'class="kern-alert__body">(.*?)</div>', page, re.S)
    return re.findall(
        r'<a class="kern-link" href="#[^"]+">(.*?)</a>', summary.group(1) if summary else ""
    )


# --- schema ----------------------------------------------------------------------------


def _schema(group):
    return {"steps": [{"key": "s", "title": "S", "fields": [group]}]}


SCHOOL = {"field": "schule", "equals": "ja"}
GOOD = {
    "name": "kinder",
    "type": "group",
    "label": "Kinder",
    "item_label": "Kind",
    "min": 1,
    "max": 6,
    "fields": [
        {"name": "vorname", "type": "text", "label": "Vorname"},
        {"name": "schule", "type": "radio", "label": "Schule?", "choices": [["ja", "Ja"]]},
        {"name": "klasse", "type": "number", "label": "Klasse", "show_if": SCHOOL},
    ],
}  # fmt: skip


def test_a_valid_group_passes_and_its_answers_can_be_named_by_rules():
    formengine.validate_schema(_schema(GOOD))
    assert formengine.answer_names(_schema(GOOD)) == {
        "kinder", "kinder.vorname", "kinder.schule", "kinder.klasse"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"max": 21}, "max ≤ 20"),
        ({"min": 3, "max": 2}, "min ≤ max"),
        ({"max": 0, "min": 0}, "max ≥ 1"),
        ({"max": "5"}, "ganze Zahlen"),
        ({"item_label": ""}, "item_label"),
        ({"fields": []}, "mindestens ein Feld"),
        ({"fields": [{"name": "f", "type": "file", "label": "Datei"}]}, "nicht möglich"),
        ({"fields": [{"name": "g", "type": "group", "label": "G"}]}, "nicht möglich"),
        ({"fields": [{"name": "x", "type": "text", "label": "X"}] * 2}, "doppelt"),
        (
            {"fields": [{"name": "x", "type": "text", "label": "X", "show_if": SCHOOL}]},
            "früheres Feld",
        ),
        ({"name": "a-b"}, "weder"),
    ],
)  # fmt: skip
def test_malformed_groups_are_refused(change, message):
    with pytest.raises(formengine.SchemaError, match=message):
        formengine.validate_schema(_schema({**GOOD, **change}))


def test_import_takes_a_form_with_a_group(town_a):
    service = make_service(town_a, "kinderzuschlag")
    payload = {
        "format": form_import.FORMAT,
        "version": 1,
        "forms": [
            {
                "service": "kinderzuschlag",
                "title": "Kinder",
                "maturity_level": 3,
                "processing_days": 14,
                "retention_days": 365,
                "steps": [{"key": "kinder", "title": "Ihre Kinder", "fields": [GOOD]}],
            }
        ],
    }
    form_import.import_forms(town_a, payload)
    form = FormDefinition.objects.get(service=service, state="published")
    assert form.schema["steps"][0]["fields"][0]["type"] == "group"
    # the form may name its pick-up service (ADR 0029) by the catalog slug
    pickup = make_service(town_a, "abholung")
    payload["forms"][0]["pickup_service"] = "abholung"
    form_import.import_forms(town_a, payload)
    assert FormDefinition.objects.get(service=service, state="published").pickup_service == pickup
    unknown = json.loads(json.dumps(payload))
    unknown["forms"][0]["pickup_service"] = "gibt-es-nicht"
    with pytest.raises(form_import.FormImportError, match="gibt-es-nicht"):
        form_import.import_forms(town_a, unknown)
    bad = json.loads(json.dumps(payload))
    bad["forms"][0]["steps"][0]["fields"][0]["max"] = 500
    with pytest.raises(form_import.FormImportError, match="max"):
        form_import.import_forms(town_a, bad)
    assert FormDefinition.objects.filter(service=service).count() == 2


# --- add and remove rows without JavaScript -----------------------------------------------


def test_add_row_keeps_what_was_typed_and_saves_nothing(client_a, citizen, dog):
    client_a.force_login(citizen)
    app, url = dog_step_url(client_a)
    page = client_a.get(url).content.decode()
    assert page.count('class="kern-fieldset group-row"') == 1  # min 1: one empty row
    assert 'name="gruppe_neu" value="hunde"' in page
    assert 'name="gruppe_weg"' not in page  # cannot go below min

    posted = {**dog_rows(["n"]), "hunde-0-hund_name": "Bello", "schon_hund": "nein"}
    response = client_a.post(url, {**posted, "gruppe_neu": "hunde"})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="kern-fieldset group-row"') == 2
    assert 'value="Bello"' in page and "Hund 2 hinzugefügt." in page
    assert 'name="hunde-1-hund_name"' in page and 'name="hunde-anzahl" value="2"' in page
    assert re.search(r'name="hunde-1-hund_name"[^>]*autofocus', page)  # focus on the new row
    assert errors(page) == []  # no errors for the new, empty row yet
    app.refresh_from_db()
    assert "hunde" not in app.data


def test_remove_row_moves_the_following_rows_up(client_a, citizen, dog):
    client_a.force_login(citizen)
    app, url = dog_step_url(client_a)
    posted = dog_rows(["n", "g", "n"])
    posted.update({"hunde-0-hund_name": "A", "hunde-1-hund_name": "B", "hunde-2-hund_name": "C"})
    page = client_a.post(url, {**posted, "gruppe_weg": "hunde-1"}).content.decode()
    assert "Hund 2 entfernt." in page
    assert re.search(r'name="hunde-0-hund_name"[^>]*value="A"', page)
    assert re.search(r'name="hunde-1-hund_name"[^>]*value="C"', page)
    assert "hunde-2-hund_name" not in page


def test_per_row_validation_names_the_row(client_a, citizen, dog):
    client_a.force_login(citizen)
    app, url = dog_step_url(client_a)
    posted = {**dog_rows(["n", "n"]), "schon_hund": "nein"}
    posted["hunde-1-rasse"] = ""
    posted["hunde-1-wurfdatum"] = "2999-01-01"
    response = client_a.post(url, posted)
    assert response.status_code == 200
    found = errors(response.content.decode())
    assert "Hund 2: Rasse fehlt." in found
    assert any(e.startswith("Hund 2, Geburtsdatum (Wurftag): Das Datum muss") for e in found)
    assert not any(e.startswith("Hund 1") for e in found)


def test_rows_are_stored_structurally_and_shown_everywhere(client_a, citizen, dog, clerk_a):
    client_a.force_login(citizen)
    app, url = dog_step_url(client_a)
    posted = {**dog_rows(["n", "n:tierheim"]), "schon_hund": "nein"}
    posted.update({"hunde-0-hund_name": "Bello", "hunde-1-hund_name": "Luna"})
    url = post_step(client_a, url, posted)
    url = post_step(client_a, url, {"nachweis": pdf_file()})
    url = post_step(client_a, url, {"email": "erika@example.org"})
    app.refresh_from_db()
    assert [row["hund_name"] for row in app.data["hunde"]] == ["Bello", "Luna"]
    assert app.data["hunde"][1] == {
        "hund_name": "Luna", "rasse": "Labrador", "wurfdatum": "2024-01-01",
        "haltung_seit": "2025-01-01", "chipnummer": "", "listenhund": "nein",
        "ermaessigung": "tierheim",
    }  # fmt: skip

    check = client_a.get(url).content.decode()
    assert "Hund 2: Name des Hundes" in check and "Luna" in check
    assert "168,00 €" in check  # 96 + 144 − 72
    client_a.post(f"/antraege/antrag/{app.key}/absenden/", {"fee_cents": 16800})
    app.refresh_from_db()
    assert app.fee_cents == 16800

    client_a.force_login(clerk_a)
    case = client_a.get(f"/antraege/verwaltung/vorgang/{app.reference}/").content.decode()
    assert "Hund 2: Name des Hundes" in case and "Luna" in case
    notice = cases.notice_html(app, "approved", "Bewilligt.", clerk_a)
    assert "Hund 1: Name des Hundes" in notice and "Bello" in notice
    assert "Die Gebühr von 168,00 € wurde bereits online entrichtet" in notice

    client_a.force_login(citizen)
    export = client_a.get("/antraege/konto/meine-daten.json").content.decode()
    found = re.search(r'"hunde": (\[.*?\])', export, re.S)
    assert [row["hund_name"] for row in json.loads(found.group(1))] == ["Bello", "Luna"]


# --- hostile input: 400 or a German message, never 5xx -------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"hunde-anzahl": "10000"},  # far beyond max
        {"hunde-anzahl": "11"},  # one beyond max (10)
        {"hunde-anzahl": "٣"},  # Arabic-Indic digit three
        {"hunde-anzahl": "２"},  # full-width two
        {"hunde-anzahl": "-1"},
        {"hunde-anzahl": ""},
        {"gruppe_neu": "katzen"},  # unknown group
        {"gruppe_weg": "hunde-٠"},
        {"gruppe_weg": "hunde-7"},  # no such row
        {"gruppe_weg": "katzen-0"},
    ],
)
def test_tampered_group_input_is_a_400(client_a, citizen, dog, change):
    client_a.force_login(citizen)
    app, url = dog_step_url(client_a)
    posted = {**dog_rows(["n", "n"]), "schon_hund": "nein", **change}
    response = client_a.post(url, posted)
    assert response.status_code == 400
    assert "Zahl" in response.content.decode() or "Gruppe" in response.content.decode()
    app.refresh_from_db()
    assert "hunde" not in app.data


def test_ten_thousand_posted_rows_are_not_read(client_a, citizen, dog):
    client_a.force_login(citizen)
    app, url = dog_step_url(client_a)
    posted = {**dog_rows(["n"] * 10_000), "schon_hund": "nein"}
    response = client_a.post(url, posted)  # 60,000 fields: Django's field limit answers
    assert response.status_code == 400
    assert "Die Anfrage war fehlerhaft." in response.content.decode()
    posted = {**dog_rows(["n"] * 150), "schon_hund": "nein"}
    assert client_a.post(url, posted).status_code == 400  # the count says 150 (max 10)
    posted["hunde-anzahl"] = "2"  # an honest count: the rows beyond it are not read
    post_step(client_a, url, posted)
    app.refresh_from_db()
    assert len(app.data["hunde"]) == 2


def test_missing_row_indices_are_german_errors(client_a, citizen, dog):
    client_a.force_login(citizen)
    app, url = dog_step_url(client_a)
    posted = {**dog_rows(["n", "n", "n"]), "schon_hund": "nein"}
    for key in [k for k in posted if k.startswith("hunde-1-")]:
        del posted[key]
    response = client_a.post(url, posted)
    assert response.status_code == 200
    found = errors(response.content.decode())
    assert "Hund 2: Name des Hundes fehlt." in found
    assert "Hund 2: Rasse fehlt." in found


def test_fewer_rows_than_min_is_a_german_error(client_a, citizen, dog):
    client_a.force_login(citizen)
    app, url = dog_step_url(client_a)
    response = client_a.post(url, {"hunde-anzahl": "0", "schon_hund": "nein"})
    assert response.status_code == 200
    assert "mindestens 1 Einträge angeben" in response.content.decode()
    assert "hunde" not in Application.objects.get(pk=app.pk).data
