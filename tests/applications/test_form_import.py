"""Forms as data files through the import path (``rathaus forms import``), the social
office's forms among them, and: every published form can be filled in and submitted, and
lands in the responsible office's clerk queue (issue 15: at least eight services at level 3)."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from rathaus.applications import form_import, formengine, library
from rathaus.applications.demo import FORM_FILES, import_form_files
from rathaus.applications.models import Application, FormDefinition
from rathaus.catalog.models import Service
from rathaus.core.models import Office, Role
from tests.conftest import make_staff

from .conftest import make_service, pdf_file

pytestmark = pytest.mark.django_db

SOCIAL = [
    "hilfe-zum-lebensunterhalt-beantragen",
    "grundsicherung-im-alter-und-bei-erwerbsminderung-beantragen",
    "uebernahme-von-bestattungskosten-beantragen",
]


def _payload():
    return json.loads((FORM_FILES / "soziales.json").read_text(encoding="utf-8"))


@pytest.fixture
def social_office(town_a):
    return Office.objects.create(municipality=town_a, slug="sozialamt", name="Sozialamt A")


@pytest.fixture
def social_services(town_a, social_office):
    return [make_service(town_a, slug, office=social_office, name=slug) for slug in SOCIAL]


def test_import_publishes_versions_and_raises_maturity(town_a, social_services, tmp_path):
    path = tmp_path / "soziales.json"
    path.write_text(json.dumps(_payload()), encoding="utf-8")
    call_command("forms_import", str(path), municipality=town_a.slug)
    for service in social_services:
        service.refresh_from_db()
        assert service.maturity_level == 3
        form = FormDefinition.objects.get(service=service)
        assert form.state == "published" and form.version == 1 and not form.guest_allowed
    # the same file again changes nothing; a changed form becomes version 2
    assert form_import.import_forms(town_a, _payload()) == 0
    changed = _payload()
    changed["forms"][0]["intro"] += " Neu: Beratung auch per Video."
    assert form_import.import_forms(town_a, changed) == 1
    versions = FormDefinition.objects.filter(service=social_services[0]).order_by("version")
    assert [(f.version, f.state) for f in versions] == [(1, "retired"), (2, "published")]


@pytest.mark.parametrize(
    "breaks, message",
    [
        (
            lambda p: p["forms"][1].update(service="gibt-es-nicht"),
            "gibt es in diesem Katalog nicht",
        ),
        (lambda p: p["forms"][2]["steps"][0]["fields"][0].update(type="zauber"), "Feldtyp"),
        (lambda p: p["forms"][0].update(maturity_level=2), "maturity_level"),
        (lambda p: p["forms"][0].pop("title"), "'title' fehlt"),
        (lambda p: p.update(format="xzufi"), "rathaus-forms-json"),
        (lambda p: p["forms"].append("kein Objekt"), "kein Objekt"),
    ],
)
def test_a_bad_file_imports_nothing(town_a, social_services, breaks, message):
    payload = _payload()
    breaks(payload)
    with pytest.raises(form_import.FormImportError) as error:
        form_import.import_forms(town_a, payload)
    assert any(message in problem for problem in error.value.problems), error.value.problems
    assert not FormDefinition.objects.exists()


def test_forms_of_another_town_are_not_touched(town_a, town_b, social_services):
    make_service(town_b, SOCIAL[0])
    form_import.import_forms(town_a, _payload())
    assert not FormDefinition.objects.filter(municipality=town_b).exists()


# --- Every published form can be submitted --------------------------------------------


def _value(spec: dict):
    kind = spec["type"]
    if kind in ("select", "radio"):
        return spec["choices"][0][0]
    if kind == "checkboxes":
        return [spec["choices"][0][0]]
    if kind == "checkbox":
        return "on"
    if kind == "file":
        return pdf_file(f"{spec['name']}.pdf")
    if kind == "date":
        low = formengine.relative_date(spec.get("min_date"))
        high = formengine.relative_date(spec.get("max_date"))
        day = timezone.localdate() + timedelta(days=3)
        day = min(max(day, low or day), high or day)
        while spec.get("weekdays_only") and day.weekday() > 4:
            day += timedelta(days=1)
        return day.isoformat()
    return {
        "text": "Muster",
        "textarea": "Kurze Beschreibung",
        "number": spec.get("min") or 1,
        "decimal": "120.50",
        "email": "erika@example.org",
        "phone": "0331 123456",
        "iban": "DE89370400440532013000",
        "postcode": "14467",
        "plate": "P AB 123",
    }[kind]


def _submit_every_step(client, slug) -> Application:
    response = client.post(f"/antraege/{slug}/")
    assert response.status_code == 302, response.content[:300]
    url = response["Location"]
    key = re.search(r"/antrag/([0-9a-f-]+)/", url).group(1)
    for _ in range(20):
        if url.endswith("/pruefen/"):
            break
        step_key = re.search(r"/schritt/([^/]+)/", url).group(1)
        form = Application.objects.get(key=key).form
        step = formengine.find_step(form.schema, step_key)
        data = {}
        for field in step["fields"]:
            if field["type"] == "group":  # one row per group (ADR 0027)
                data[f"{field['name']}-anzahl"] = "1"
                data.update({f"{field['name']}-0-{s['name']}": _value(s) for s in field["fields"]})
            else:
                data[field["name"]] = _value(field)
        response = client.post(url, data)
        assert response.status_code == 302, (slug, step_key, response.content.decode()[-2000:])
        url = response["Location"]
    response = client.post(f"/antraege/antrag/{key}/absenden/")
    assert response.status_code == 302, (slug, response.content[:300])
    return Application.objects.get(key=key)


def test_every_published_form_can_be_submitted_and_reaches_the_clerk(
    client_a, citizen, town_a, social_services, social_office
):
    office = Office.objects.create(municipality=town_a, slug="amt", name="Fachamt A")
    for slug in library.FORMS:
        library.install(make_service(town_a, slug, office=office))
    assert import_form_files(town_a) == 3
    published = FormDefinition.objects.filter(municipality=town_a, state="published")
    online = Service.objects.for_municipality(town_a).filter(
        maturity_level__gte=3, pk__in=published.values("service")
    )
    assert online.count() >= 8, online.count()  # issue 15: eight services end to end

    client_a.force_login(citizen)
    for form in published.select_related("service"):
        app = _submit_every_step(client_a, form.service.slug)
        assert app.state == "submitted" and app.reference, form.service.slug

    clerk = make_staff(town_a, "sozial@a.test", Role.CLERK, office=social_office)
    client_a.force_login(clerk)
    inbox = client_a.get("/antraege/verwaltung/").content.decode()
    for app in Application.objects.filter(service__slug__in=SOCIAL):
        assert app.reference in inbox
    # the social office's clerk does not see the other offices' cases
    other = Application.objects.exclude(service__slug__in=SOCIAL).first()
    assert other.reference not in inbox


def test_data_file_is_valid_json_with_sources():
    payload = _payload()
    assert payload["sources"] and Path(FORM_FILES / "soziales.json").exists()
    assert [f["service"] for f in payload["forms"]] == SOCIAL
