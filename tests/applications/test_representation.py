"""Acting for someone else (ADR 0028): parent, legal guardian, company representative.

The capacity and the represented person's or company's data are recorded on the
application, shown to the clerk and on the notice, exported and cleared by retention;
a form can require or forbid the question.
"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from rathaus.applications import api, cases, formengine, services
from rathaus.applications.models import FormDefinition

from .conftest import make_service, pdf_file
from .helpers import post_step, start

pytestmark = pytest.mark.django_db

STEPS = [
    {
        "key": "person",
        "title": "Ihre Angaben",
        "fields": [
            {"name": "vorname", "type": "text", "label": "Vorname"},
            {"name": "nachname", "type": "text", "label": "Nachname"},
            {"name": "email", "type": "email", "label": "E-Mail-Adresse"},
        ],
    }
]


def make_form(town, office, mode, slug="pflegewohngeld-beantragen"):
    service = make_service(town, slug, office=office, name="Pflegewohngeld")
    schema = {"steps": STEPS}
    if mode:
        schema["representation"] = mode
    form = FormDefinition.objects.create(
        municipality=town,
        service=service,
        version=1,
        title="Pflegewohngeld beantragen",
        schema=schema,
        processing_days=14,
        retention_days=365,
        maturity_level=3,
    )
    services.publish_form(form)
    return service


ME = {"vorname": "Erika", "nachname": "Mustermann", "email": "erika@example.org"}
WARD = {
    "vertretung": "betreuung",
    "vertreten_vorname": "Max",
    "vertreten_nachname": "Muster",
    "vertreten_geburtsdatum": "1940-02-01",
    "vertreten_anschrift": "Heimweg 3\n14467 Musterstadt",
}
COMPANY = {
    "vertretung": "firma",
    "firma_name": "Muster Bau GmbH",
    "firma_register": "HRB 12345",
    "firma_anschrift": "Industriestraße 1, 14467 Musterstadt",
}


def submit(client, slug, capacity):
    app, url = start(client, slug)
    assert url.endswith("/schritt/vertretung/"), url
    url = post_step(client, url, capacity)
    url = post_step(client, url, ME)
    assert url.endswith("/pruefen/"), url
    client.post(f"/antraege/antrag/{app.key}/absenden/")
    app.refresh_from_db()
    assert app.reference
    return app


def test_a_guardian_is_recorded_shown_to_the_clerk_on_the_notice_and_exported(
    client_a, citizen, town_a, verkehr_a, clerk_a
):
    service = make_form(town_a, verkehr_a, "optional")
    client_a.force_login(citizen)
    page = client_a.get(
        f"/antraege/antrag/{start(client_a, service.slug)[0].key}/schritt/vertretung/"
    )
    html = page.content.decode()
    for label in ("für mich selbst", "als Elternteil", "als gesetzliche Betreuung", "Firma"):
        assert label in html
    app = submit(client_a, service.slug, {**WARD, "vertretung_nachweis": pdf_file("ausweis.pdf")})
    assert app.acting_as == "betreuung"
    assert app.represented == {
        "vorname": "Max", "nachname": "Muster", "geburtsdatum": "1940-02-01",
        "anschrift": "Heimweg 3\n14467 Musterstadt",
    }  # fmt: skip
    line = "als gesetzliche Betreuung für Max Muster (geb. 01.02.1940)"
    assert app.representation_line == line

    export = client_a.get("/antraege/konto/meine-daten.json").json()
    text = json.dumps(export, ensure_ascii=False)
    assert '"Eigenschaft": "als gesetzliche Betreuung"' in text and '"Nachname": "Muster"' in text

    client_a.force_login(clerk_a)
    case = client_a.get(f"/antraege/verwaltung/vorgang/{app.reference}/").content.decode()
    assert line in case and "Heimweg 3" in case
    inbox = client_a.get("/antraege/verwaltung/").content.decode()
    assert line in inbox
    notice = cases.notice_html(app, "approved", "Bewilligt.", clerk_a)
    assert f"Antrag gestellt {line}" in notice

    _, secret = api.create_api_client(town_a, "Fachverfahren")
    detail = client_a.get(
        f"/api/v1/applications/submissions/{app.reference}",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    ).json()
    assert detail["acting_as"] == "betreuung" and detail["represented"]["nachname"] == "Muster"


def test_retention_clears_the_represented_person_and_keeps_the_capacity(
    client_a, citizen, town_a, verkehr_a, clerk_a
):
    service = make_form(town_a, verkehr_a, "optional")
    client_a.force_login(citizen)
    app = submit(client_a, service.slug, {**WARD, "vertretung_nachweis": pdf_file()})
    cases.decide(app, "approved", "Bewilligt.", actor=clerk_a)
    later = timezone.now() + timedelta(days=400)
    assert services.anonymise_closed_cases(later) == 1
    app.refresh_from_db()
    assert app.represented == {} and app.data == {} and app.acting_as == "betreuung"
    assert app.representation_line.startswith("als gesetzliche Betreuung für")  # no name left
    assert "Muster" not in app.representation_line


def test_a_company_representative(client_a, citizen, town_a, verkehr_a):
    service = make_form(town_a, verkehr_a, "optional")
    client_a.force_login(citizen)
    app = submit(client_a, service.slug, COMPANY)
    assert app.acting_as == "firma"
    assert app.representation_line == "als Vertretung einer Firma: Muster Bau GmbH (HRB 12345)"


def test_for_oneself_records_no_other_person(client_a, citizen, town_a, verkehr_a):
    service = make_form(town_a, verkehr_a, "optional")
    client_a.force_login(citizen)
    # answers for the hidden company fields are posted anyway: they are not kept
    app = submit(client_a, service.slug, {**COMPANY, "vertretung": "selbst"})
    assert app.acting_as == "selbst" and app.represented == {}
    assert "firma_name" not in app.data and app.representation_line == ""


def test_missing_data_of_the_represented_person_are_german_errors(
    client_a, citizen, town_a, verkehr_a
):
    service = make_form(town_a, verkehr_a, "optional")
    client_a.force_login(citizen)
    app, url = start(client_a, service.slug)
    page = client_a.post(url, {"vertretung": "elternteil"}).content.decode()
    assert "Nachname der vertretenen Person" in page and "Bitte korrigieren" in page
    page = client_a.post(url, {"vertretung": "firma"}).content.decode()
    assert "Name der Firma" in page
    page = client_a.post(url, {"vertretung": "betreuung", **WARD}).content.decode()
    assert "Betreuerausweis" in page  # the guardian's certificate is required


def test_a_form_can_require_acting_for_someone(client_a, citizen, town_a, verkehr_a):
    service = make_form(town_a, verkehr_a, "required")
    client_a.force_login(citizen)
    app, url = start(client_a, service.slug)
    page = client_a.get(url).content.decode()
    assert "für mich selbst" not in page
    response = client_a.post(url, {"vertretung": "selbst"})
    assert response.status_code == 200 and "Bitte korrigieren" in response.content.decode()
    assert submit(client_a, service.slug, COMPANY).acting_as == "firma"


def test_a_form_can_forbid_it_and_that_is_the_default(client_a, citizen, town_a, verkehr_a):
    for slug, mode in (("ohne-angabe", None), ("verboten", "forbidden")):
        service = make_form(town_a, verkehr_a, mode, slug=slug)
        client_a.force_login(citizen)
        app, url = start(client_a, service.slug)
        assert url.endswith("/schritt/person/")
        assert client_a.get(f"/antraege/antrag/{app.key}/schritt/vertretung/").status_code == 404
        post_step(client_a, url, ME)
        app.refresh_from_db()
        assert app.acting_as == "" and app.represented == {}


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"steps": STEPS, "representation": "sometimes"}, "forbidden, optional oder required"),
        ({"steps": [{**STEPS[0], "key": "vertretung"}], "representation": "optional"}, "reserv"),
        (
            {
                "steps": [{**STEPS[0], "fields": [{"name": "firma_name", "type": "text"}]}],
                "representation": "optional",
            },
            "doppelt",
        ),
    ],
)
def test_malformed_representation_settings_are_refused(schema, message):
    with pytest.raises(formengine.SchemaError, match=message):
        formengine.validate_schema(schema)
