"""The staff form builder (issue 25, ADR 0036): rights, building, conditions, fees,
publishing as a new version, preview with the citizen renderer, round trip with
``rathaus forms import``/``export``, German errors."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from rathaus.applications import form_import, formengine, services
from rathaus.applications import services_builder as builder
from rathaus.applications.models import Application, FormDefinition, FormDraft
from rathaus.catalog.models import Fee, Service
from rathaus.core.models import AuditEntry, Office, Role
from tests.conftest import make_staff

from .conftest import make_service, pdf_file

SLUG = "sondernutzung-beantragen"
BASE = f"/antraege/verwaltung/formulare/{SLUG}/"


@pytest.fixture
def service_a(town_a):
    return make_service(town_a, SLUG, name="Sondernutzung beantragen")


@pytest.fixture
def editor(client_a, editor_a):
    client_a.force_login(editor_a)
    return client_a


def post(client, url, data, status=302):
    response = client.post(url, data)
    assert response.status_code == status, response.content.decode()[:3000]
    return response


FEE_MANAGEMENT = {"fee-INITIAL_FORMS": "0", "fee-MIN_NUM_FORMS": "0", "fee-MAX_NUM_FORMS": "30"}


def fee_rows(*rows) -> dict:
    data = {**FEE_MANAGEMENT, "fee-TOTAL_FORMS": str(len(rows))}
    for number, row in enumerate(rows):
        data.update({f"fee-{number}-{key}": value for key, value in row.items()})
    return data


def build_small_form(client):
    """Two steps, a condition, a choice field, a number, an upload and two fee rows."""
    post(client, f"/antraege/verwaltung/formulare/{SLUG}/anlegen/", {})
    post(client, BASE + "schritt/angaben/", {"save_step": "1", "title": "Ihr Vorhaben"})
    post(client, BASE + "schritt/angaben/", {"add_field": "1", "label": "Art", "type": "radio"})
    post(
        client,
        BASE + "feld/art/",
        {
            "label": "Art der Nutzung",
            "required": "on",
            "choices": "stand = Infostand\ngeruest = Gerüst",
        },
    )
    post(client, BASE + "schritt/angaben/", {"add_field": "1", "label": "Tage", "type": "number"})
    post(
        client,
        BASE + "feld/tage/",
        {"label": "Wie viele Tage?", "required": "on", "min": "1", "max": "30"},
    )
    post(client, BASE, {"add_step": "1", "step_title": "Nachweise"})
    post(
        client, BASE + "schritt/nachweise/", {"add_field": "1", "label": "Lageplan", "type": "file"}
    )
    post(
        client,
        BASE + "feld/lageplan/",
        {
            "label": "Lageplan",
            "required": "on",
            "accept": ["application/pdf"],
            "max_mb": "5",
            "show_if_field": "art",
            "show_if_values": "geruest",
        },
    )
    post(
        client,
        BASE + "gebuehren/",
        fee_rows(
            {"label": "Infostand", "amount": "10,00", "when_field": "art", "when_values": "stand"},
            {
                "label": "Gerüst je Tag",
                "amount": "4,50",
                "when_field": "art",
                "when_values": "geruest",
                "per_field": "tage",
                "per_minus": "0",
            },
        ),
    )
    office = Office.objects.get(slug="a-buergerbuero")
    post(
        client,
        BASE,
        {
            "save_settings": "1",
            "title": "Sondernutzung beantragen",
            "intro": "Für Stände und Gerüste auf öffentlichen Flächen.",
            "processing_days": "10",
            "retention_days": "730",
            "maturity_level": "3",
            "notice_title": "Sondernutzungserlaubnis",
            "office": office.slug,
            "documents": "Lageplan\nPersonalausweis",
            "guest_allowed": "on",
        },
    )
    return FormDraft.objects.get(service__slug=SLUG)


# --- who may build -------------------------------------------------------------------------


def test_only_the_towns_catalog_editor_may_build(client_a, town_a, town_b, service_a, citizen):
    url = "/antraege/verwaltung/formulare/"
    assert client_a.get(url).status_code == 302  # anonymous: to the login
    assert "/anmelden/" in client_a.get(url)["Location"]
    clerk = make_staff(town_a, "clerk@a.test", Role.CLERK)
    other_editor = make_staff(town_b, "editor@b.test", Role.CATALOG_EDITOR)
    for user in (citizen, clerk, other_editor):
        client_a.force_login(user)
        assert client_a.get(url).status_code == 403
        assert client_a.post(f"/antraege/verwaltung/formulare/{SLUG}/anlegen/").status_code == 403
    assert not FormDraft.objects.exists()
    editor = make_staff(town_a, "redaktion@a.test", Role.CATALOG_EDITOR)
    client_a.force_login(editor)
    assert client_a.get(url).status_code == 200


def test_an_editor_cannot_reach_another_towns_service(client_a, editor_a, town_b):
    make_service(town_b, "nur-in-b")
    client_a.force_login(editor_a)
    assert client_a.post("/antraege/verwaltung/formulare/nur-in-b/anlegen/").status_code == 404
    assert client_a.get("/antraege/verwaltung/formulare/nur-in-b/").status_code == 404
    assert not FormDraft.objects.exists()


# --- building and publishing ------------------------------------------------------------------


def test_build_and_publish_a_form(editor, service_a, editor_a):
    draft = build_small_form(editor)
    steps = draft.record["steps"]
    assert [s["key"] for s in steps] == ["angaben", "nachweise"]
    assert steps[1]["fields"][0] == {
        "name": "lageplan",
        "type": "file",
        "label": "Lageplan",
        "show_if": {"field": "art", "equals": "geruest"},
        "accept": ["application/pdf"],
        "max_mb": 5,
    }
    assert steps[0]["fields"][1]["min"] == 1 and steps[0]["fields"][1]["max"] == 30
    page = editor.get(BASE).content.decode()
    assert "nur wenn „art“ = geruest" in page
    # nothing is live before publishing
    assert not FormDefinition.objects.filter(service=service_a).exists()
    assert not service_a.fees.exists()

    post(editor, BASE + "veroeffentlichen/", {})
    form = FormDefinition.objects.get(service=service_a)
    assert (form.version, form.state, form.guest_allowed) == (1, "published", True)
    assert form.schema == {"steps": steps}
    service_a.refresh_from_db()
    assert service_a.office.slug == "a-buergerbuero"
    assert service_a.documents == ["Lageplan", "Personalausweis"]
    assert [(f.label, f.amount, f.rule) for f in service_a.fees.all()] == [
        ("Infostand", Decimal("10.00"), {"wenn": [{"feld": "art", "gleich": "stand"}]}),
        (
            "Gerüst je Tag",
            Decimal("4.50"),
            {
                "wenn": [{"feld": "art", "gleich": "geruest"}],
                "je": {"feld": "tage", "abzueglich": 0},
            },
        ),
    ]
    assert service_a.maturity_level == 3
    assert not FormDraft.objects.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "applications.form_draft_opened",
        "applications.form_draft_field_added",
        "applications.form_draft_fees",
        "applications.form_published",
        "applications.form_draft_published",
        "catalog.service_changed",
    } <= actions
    assert AuditEntry.objects.filter(action="applications.form_published", actor=editor_a).exists()


def test_publishing_refuses_fee_rows_without_rule_and_writes_nothing(editor, service_a):
    build_small_form(editor)
    post(
        editor,
        BASE + "gebuehren/",
        fee_rows({"label": "Gebühr A", "amount": "5"}, {"label": "Gebühr B", "amount": "7"}),
    )
    response = editor.post(BASE + "veroeffentlichen/", follow=True)
    page = response.content.decode()
    assert "Gebührenzeile „Gebühr A“ hat keine Regel" in page
    assert not FormDefinition.objects.filter(service=service_a).exists()
    assert not service_a.fees.exists()
    assert FormDraft.objects.filter(service=service_a).exists()


def test_publish_is_one_transaction(editor, service_a, monkeypatch):
    """A failure after the catalog's fees were written leaves the catalog as it was."""
    build_small_form(editor)
    Fee.objects.create(service=service_a, label="alt", amount=Decimal("3"))

    def broken(form, *, actor=None):
        raise services.ApplicationError("kaputt")

    monkeypatch.setattr(services, "publish_form", broken)
    response = editor.post(BASE + "veroeffentlichen/", follow=True)
    assert "kaputt" in response.content.decode()
    assert [f.label for f in service_a.fees.all()] == ["alt"]
    assert not FormDefinition.objects.filter(service=service_a).exists()
    assert FormDraft.objects.filter(service=service_a).exists()


def test_running_applications_keep_their_version(editor, service_a, editor_a):
    build_small_form(editor)
    post(editor, BASE + "veroeffentlichen/", {})
    v1 = FormDefinition.objects.get(service=service_a)
    running = services.start_draft(v1, guest_email="a@example.org")

    # a copy of version 1: rename a step, add a field, publish as version 2
    post(editor, f"{BASE}anlegen/", {})
    assert FormDraft.objects.get(service=service_a).based_on == 1
    post(editor, BASE + "schritt/angaben/", {"save_step": "1", "title": "Ihr Vorhaben (neu)"})
    post(editor, BASE + "schritt/angaben/", {"add_field": "1", "label": "Ort", "type": "text"})
    post(editor, BASE + "veroeffentlichen/", {})
    v1.refresh_from_db()
    v2 = FormDefinition.objects.get(service=service_a, state="published")
    assert (v1.state, v2.version) == ("retired", 2)
    assert "ort" in formengine.all_fields(v2.schema)

    running.refresh_from_db()
    assert running.form_id == v1.pk
    assert "ort" not in formengine.all_fields(running.form.schema)
    step = formengine.find_step(running.form.schema, "angaben")
    form = formengine.StepForm(step, running.data, {"art": "stand", "tage": "2"})
    assert form.is_valid(), form.errors
    services.save_step(running, "angaben", form)
    step = formengine.find_step(running.form.schema, "nachweise")
    form = formengine.StepForm(step, running.data, {}, {})
    assert form.is_valid()
    services.save_step(running, "nachweise", form)
    submitted, _created = services.submit(running)
    assert submitted.form_id == v1.pk and submitted.fee_cents == 1000
    assert services.start_draft(v2).form_id == v2.pk


# --- conditions, fields, validation in German -------------------------------------------------


def test_errors_are_german_with_an_error_summary(editor, service_a):
    build_small_form(editor)
    response = post(
        editor, BASE + "feld/tage/", {"label": "Tage", "min": "10", "max": "2"}, status=400
    )
    page = response.content.decode()
    assert "Bitte korrigieren Sie Ihre Angaben" in page
    assert 'href="#id_max"' in page and "Der größte Wert liegt unter dem kleinsten." in page
    response = post(
        editor,
        BASE + "feld/lageplan/",
        {
            "label": "Lageplan",
            "accept": ["application/pdf"],
            "show_if_field": "art",
            "show_if_values": "boot",
        },
        status=400,
    )
    assert "„boot“ ist kein Wert von „Art der Nutzung“. Erlaubt: stand, geruest." in (
        response.content.decode()
    )
    response = post(editor, BASE + "feld/art/", {"label": "Art", "choices": ""}, status=400)
    assert "Geben Sie mindestens einen Auswahlwert an." in response.content.decode()
    response = post(editor, BASE + "feld/tage/", {"label": "Tage", "min": "١٢"}, status=400)
    assert "Ziffern 0–9" in response.content.decode()
    response = post(
        editor, BASE + "gebuehren/", fee_rows({"label": "Ohne Betrag", "amount": ""}), status=400
    )
    assert "Zeile 1, Betrag in Euro: Geben Sie einen Betrag an" in response.content.decode()
    response = post(editor, BASE, {"add_step": "1", "step_title": ""}, status=400)
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()


def test_a_read_answer_cannot_be_removed_nor_its_value(editor, service_a):
    draft = build_small_form(editor)
    response = editor.post(
        BASE + "aendern/", {"action": "field_remove", "target": "art"}, follow=True
    )
    assert "Die Antwort „art“ wird noch gelesen" in response.content.decode()
    response = post(
        editor, BASE + "feld/art/", {"label": "Art", "choices": "stand = Infostand"}, status=400
    )
    assert "Der Wert „geruest“ wird in einer Bedingung gelesen" in response.content.decode()
    draft.refresh_from_db()
    assert "art" in formengine.all_fields(builder.schema_of(draft.record))
    # moving the upload above the answer it depends on is refused too
    response = editor.post(
        BASE + "aendern/", {"action": "step_up", "target": "nachweise"}, follow=True
    )
    assert "erst später erfragt" in response.content.decode()
    draft.refresh_from_db()
    assert [s["key"] for s in draft.record["steps"]] == ["angaben", "nachweise"]


def test_steps_and_fields_reorder_and_go(editor, service_a):
    draft = build_small_form(editor)
    post(editor, BASE + "aendern/", {"action": "field_down", "target": "art"})
    draft.refresh_from_db()
    assert [f["name"] for f in draft.record["steps"][0]["fields"]] == ["tage", "art"]
    post(editor, BASE + "aendern/", {"action": "field_up", "target": "art"})
    post(editor, BASE, {"add_step": "1", "step_title": "Kontakt"})
    post(editor, BASE + "aendern/", {"action": "step_up", "target": "kontakt"})
    draft.refresh_from_db()
    assert [s["key"] for s in draft.record["steps"]] == ["angaben", "kontakt", "nachweise"]
    post(editor, BASE + "aendern/", {"action": "step_remove", "target": "kontakt"})
    draft.refresh_from_db()
    assert [s["key"] for s in draft.record["steps"]] == ["angaben", "nachweise"]


def test_hostile_input_never_fails_with_5xx(editor, service_a):
    build_small_form(editor)
    bad = ["\x00", "9" * 40, "a" * 6000, "<script>", "", "-1", "1e9", "NaN"]
    for value in bad:
        for url, data in [
            (BASE + "feld/tage/", {"label": value, "min": value, "max": value}),
            (BASE + "feld/art/", {"label": "x", "choices": value}),
            (BASE + "aendern/", {"action": value, "target": value}),
            (BASE + "aendern/", {"action": "field_up", "target": value}),
            (BASE, {"save_settings": "1", "processing_days": value, "office": value}),
            (BASE + "gebuehren/", fee_rows({"label": "x", "amount": value, "reduction": value})),
            (BASE + "gebuehren/", {"fee-TOTAL_FORMS": value}),
            ("/antraege/verwaltung/formulare/?q=" + value, None),
        ]:
            response = editor.post(url, data) if data is not None else editor.get(url)
            assert response.status_code < 500, (url, data)


def test_a_new_field_type_of_the_engine_is_offered_and_kept(editor, service_a, monkeypatch):
    """Generic over the engine's types: a type the builder's registry does not know yet
    can be added; its extra keys survive an edit of the common properties."""
    monkeypatch.setattr(formengine, "FIELD_TYPES", formengine.FIELD_TYPES | {"signature"})
    draft = build_small_form(editor)
    page = editor.get(BASE + "schritt/angaben/").content.decode()
    assert 'value="signature"' in page
    name = builder.add_field(draft, "angaben", kind="signature", label="Unterschrift")
    builder._change(  # as an import of a later engine would store extra keys
        draft,
        "test",
        lambda r: builder.find_field(r, name)[1].update({"pad": {"w": 300}}),
    )
    post(editor, BASE + f"feld/{name}/", {"label": "Ihre Unterschrift", "required": "on"})
    draft.refresh_from_db()
    spec = builder.find_field(draft.record, name)[1]
    assert spec == {
        "name": name,
        "type": "signature",
        "label": "Ihre Unterschrift",
        "pad": {"w": 300},
    }


# --- preview with the citizen renderer ------------------------------------------------------


def test_preview_renders_like_the_citizen_form_and_shows_the_fee(editor, service_a):
    build_small_form(editor)
    response = editor.get(BASE + "vorschau/?neu=1", follow=True)
    page = response.content.decode()
    assert "Vorschau des Entwurfs" in page
    assert "data-conditional" in page and "Art der Nutzung" in page and "Infostand" in page
    response = post(
        editor, BASE + "vorschau/angaben/", {"art": "geruest", "tage": "99"}, status=400
    )
    assert "Bitte korrigieren Sie Ihre Angaben" in response.content.decode()
    post(editor, BASE + "vorschau/angaben/", {"art": "geruest", "tage": "3"})
    response = editor.post(BASE + "vorschau/nachweise/", {"lageplan": pdf_file()})
    assert response["Location"].endswith("/vorschau/pruefen/")
    page = editor.get(BASE + "vorschau/pruefen/").content.decode()
    assert "Gerüst je Tag (× 3)" in page and "13,50 €" in page or "13.50 €" in page
    assert not Application.objects.exists()


# --- the definition is what ``rathaus forms import`` accepts --------------------------------


def test_round_trip_build_export_import_identical(editor, service_a, town_a, town_b):
    draft = build_small_form(editor)
    built = json.loads(json.dumps(draft.record))
    post(editor, BASE + "veroeffentlichen/", {})

    out = io.StringIO()
    call_command("forms_export", "--municipality", town_a.slug, "--service", SLUG, stdout=out)
    exported = json.loads(out.getvalue())
    assert exported["format"] == "rathaus-forms-json"
    assert exported["forms"] == [built]  # build -> export: the same record

    # import into the same town: identical, nothing changes
    before = FormDefinition.objects.count(), AuditEntry.objects.count()
    assert form_import.import_forms(town_a, exported) == 0
    assert (FormDefinition.objects.count(), AuditEntry.objects.count()) == before

    # import into another town with that service and office: the same form
    service_b = make_service(town_b, SLUG, name="Sondernutzung beantragen")
    Office.objects.create(municipality=town_b, slug="a-buergerbuero", name="Bürgerbüro B")
    path = f"{__import__('tempfile').mkdtemp()}/forms.json"
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(exported, handle)
    call_command("forms_import", path, "--municipality", town_b.slug, stdout=io.StringIO())
    form_b = FormDefinition.objects.get(service=service_b)
    assert form_import.export_record(form_b) == built
    assert Service.objects.get(pk=service_b.pk).fees.count() == 2


def test_open_draft_copies_the_current_version_exactly(editor, service_a):
    build_small_form(editor)
    post(editor, BASE + "veroeffentlichen/", {})
    published = FormDefinition.objects.get(service=service_a)
    post(editor, f"{BASE}anlegen/", {})
    draft = FormDraft.objects.get(service=service_a)
    assert draft.record == form_import.export_record(published)
    # publishing an unchanged copy creates no new version
    post(editor, BASE + "veroeffentlichen/", {})
    assert FormDefinition.objects.filter(service=service_a).count() == 1


def test_fee_rules_the_page_cannot_show_exactly_stay_untouched(editor, service_a):
    draft = build_small_form(editor)
    rich = {
        "wenn": [
            {"feld": "art", "gleich": "geruest"},
            {"feld": "art", "in": ["geruest", "stand"]},
            {"feld": "tage", "gleich": "3"},
        ]
    }
    rows = [{**draft.record["fees"][0], "rule": rich}]
    builder.set_fees(draft, rows)
    page = editor.get(BASE + "gebuehren/").content.decode()
    assert "zu umfangreich für diese Seite" in page
    assert 'name="fee-0-label"' not in page
    editor.post(BASE + "gebuehren/", fee_rows({"label": "anders", "amount": "1"}))
    draft.refresh_from_db()
    assert draft.record["fees"] == rows
    assert "wenn „tage“ = 3" in editor.get(BASE).content.decode()


def test_an_import_without_english_texts_keeps_them(editor, service_a, town_a):
    """Files written before title_en/intro_en joined the format leave them as they are."""
    build_small_form(editor)
    post(editor, BASE + "veroeffentlichen/", {})
    FormDefinition.objects.filter(service=service_a).update(title_en="Special use permit")
    record = form_import.export_record(FormDefinition.objects.get(service=service_a))
    del record["title_en"], record["intro_en"]
    payload = {"format": "rathaus-forms-json", "forms": [record]}
    assert form_import.import_forms(town_a, payload) == 0
    record["title"] = "Sondernutzung öffentlicher Flächen"
    assert form_import.import_forms(town_a, payload) == 1
    latest = FormDefinition.objects.get(service=service_a, state="published")
    assert (latest.version, latest.title_en) == (2, "Special use permit")
