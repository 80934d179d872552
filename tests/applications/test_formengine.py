"""Forms as data: validators, conditional fields and steps, uploads, drafts, prefill."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rathaus.applications import formengine, library
from rathaus.applications.validators import (
    normalise_plate,
    validate_iban,
    validate_plate,
    validate_postcode,
)

from .conftest import PDF_BYTES, make_service, pdf_file
from .helpers import post_step, start

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("iban", ["DE02120300000000202051", "de02 1203 0000 0000 2020 51"])
def test_valid_iban(iban):
    validate_iban(iban)


@pytest.mark.parametrize("iban", ["DE02120300000000202052", "DE0212030000000020205", "XX", ""])
def test_invalid_iban(iban):
    with pytest.raises(ValidationError):
        validate_iban(iban)


@pytest.mark.parametrize("plate", ["P-AB 123", "HRO X 1E", "b-mw 2024", "MÜ-A 1"])
def test_valid_plates(plate):
    validate_plate(plate)


@pytest.mark.parametrize("plate", ["P-AB 0123", "ABCD-A 1", "P-ABC 1", "123", "P-AB 12345"])
def test_invalid_plates(plate):
    with pytest.raises(ValidationError):
        validate_plate(plate)


def test_plate_normalised():
    assert normalise_plate("p ab 123") == "P-AB 123"


@pytest.mark.parametrize(
    "code,ok", [("14467", True), ("1446", False), ("00000", False), ("1446a", False)]
)
def test_postcode(code, ok):
    if ok:
        validate_postcode(code)
    else:
        with pytest.raises(ValidationError):
            validate_postcode(code)


def test_every_library_form_is_a_valid_schema():
    for slug, spec in library.FORMS.items():
        formengine.validate_schema({"steps": spec["steps"]}), slug


def test_schema_errors_are_caught():
    with pytest.raises(formengine.SchemaError):
        formengine.validate_schema(
            {"steps": [{"key": "a", "fields": [{"name": "x", "type": "foo", "label": "X"}]}]}
        )
    with pytest.raises(formengine.SchemaError):
        formengine.validate_schema(
            {
                "steps": [
                    {
                        "key": "a",
                        "fields": [
                            {
                                "name": "x",
                                "type": "text",
                                "label": "X",
                                "show_if": {"field": "nope", "equals": 1},
                            }
                        ],
                    }
                ]
            }
        )


def test_conditional_field_required_only_when_shown():
    step = library.FORMS["bewohnerparkausweis-beantragen"]["steps"][2]
    base = {"kennzeichen": "P-AB 1", "zone": "A"}
    files = {"fahrzeugschein": SimpleUploadedFile("a.pdf", PDF_BYTES)}
    form = formengine.StepForm(step, {}, {**base, "halter": "selbst"}, files)
    assert form.is_valid(), form.errors
    form = formengine.StepForm(
        step,
        {},
        {**base, "halter": "firma"},
        {"fahrzeugschein": SimpleUploadedFile("a.pdf", PDF_BYTES)},
    )
    assert not form.is_valid()
    assert "nachweis_nutzung" in form.errors


def test_upload_checked_by_magic_bytes_not_name():
    step = {"key": "s", "title": "S", "fields": [{"name": "f", "type": "file", "label": "Datei"}]}
    fake = SimpleUploadedFile(
        "rechnung.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    form = formengine.StepForm(step, {}, {}, {"f": fake})
    assert not form.is_valid()
    assert "Dateityp ist nicht erlaubt" in str(form.errors)
    big = SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (6 * 1024 * 1024))
    form = formengine.StepForm(step, {}, {}, {"f": big})
    assert not form.is_valid() and "zu groß" in str(form.errors)


def test_pickup_date_must_be_a_weekday_in_the_window(client_a, citizen, bulky):
    client_a.force_login(citizen)
    app, url = start(client_a, "sperrmuell-anmelden")
    url = post_step(client_a, url, {"vorname": "E", "nachname": "M"})
    url = post_step(client_a, url, {"strasse": "Weg 1", "plz": "14467", "ort": "M"})
    today = timezone.localdate()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 + 7)
    page = client_a.post(
        url, {"abholdatum": saturday.isoformat(), "menge": 2, "gegenstaende": ["moebel"]}
    )
    assert "Werktag" in page.content.decode()
    page = client_a.post(
        url, {"abholdatum": today.isoformat(), "menge": 9, "gegenstaende": ["moebel"]}
    )
    text = page.content.decode()
    assert "muss am oder nach dem" in text and "kleiner oder gleich 3" in text


def test_prefill_and_save_draft_and_resume(client_a, citizen, parking):
    client_a.force_login(citizen)
    app, url = start(client_a, "bewohnerparkausweis-beantragen")
    page = client_a.get(url).content.decode()
    assert 'value="Erika"' in page and 'value="Mustermann"' in page
    response = client_a.post(
        url,
        {
            "vorname": "Erika",
            "nachname": "Mustermann",
            "geburtsdatum": "1980-01-01",
            "save_draft": "1",
        },
    )
    assert response["Location"] == "/antraege/"
    listing = client_a.get("/antraege/").content.decode()
    assert "Entwurf" in listing
    # resume: check page sends to the first unanswered step
    response = client_a.get(f"/antraege/antrag/{app.key}/pruefen/")
    assert response["Location"].endswith("/schritt/anschrift/")


def test_hidden_answers_are_dropped_when_condition_changes(client_a, citizen, parking):
    client_a.force_login(citizen)
    app, url = start(client_a, "bewohnerparkausweis-beantragen")
    url = post_step(client_a, url, {"vorname": "E", "nachname": "M", "geburtsdatum": "1980-01-01"})
    url = post_step(client_a, url, {"strasse": "Weg 1", "plz": "14467", "ort": "M"})
    vehicle = url
    post_step(
        client_a,
        vehicle,
        {
            "kennzeichen": "P-A 1",
            "zone": "A",
            "halter": "firma",
            "nachweis_nutzung": pdf_file("n.pdf"),
            "fahrzeugschein": pdf_file(),
        },
    )
    app.refresh_from_db()
    assert "nachweis_nutzung" in app.data and app.uploads.count() == 2
    post_step(client_a, vehicle, {"kennzeichen": "P-A 1", "zone": "A", "halter": "selbst"})
    app.refresh_from_db()
    assert "nachweis_nutzung" not in app.data
    assert app.uploads.count() == 1  # the stale proof is deleted, the vehicle document kept


def test_guest_application_where_allowed(client_a, town_a):
    service = make_service(town_a, "sperrmuell-anmelden")
    library.install(service)
    response = client_a.post("/antraege/sperrmuell-anmelden/", {"email": "gast@example.org"})
    assert response.status_code == 302
    parking = make_service(town_a, "bewohnerparkausweis-beantragen", fee="10")
    library.install(parking)
    response = client_a.post(
        "/antraege/bewohnerparkausweis-beantragen/", {"email": "g@example.org"}
    )
    assert response.status_code == 200  # no guest form: login required
    assert "Anmelden" in response.content.decode()


def test_guest_start_form_errors_keep_the_fee_notice(client_a, town_a):
    service = make_service(town_a, "geburtsurkunde-bestellen", fee="12.00")
    library.install(service)
    page = client_a.post("/antraege/geburtsurkunde-bestellen/", {"email": "kaputt"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "12,00 €" in text
    assert "Bitte gültige E-Mail-Adresse eingeben." in text


def test_submitted_application_cannot_be_edited(client_a, citizen, parking):
    from .helpers import fill_parking

    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    response = client_a.post(f"/antraege/antrag/{app.key}/schritt/person/", {"vorname": "X"})
    assert response["Location"].endswith(f"/antrag/{app.key}/")
    app.refresh_from_db()
    assert app.data["vorname"] == "Erika"
