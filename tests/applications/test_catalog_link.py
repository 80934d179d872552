"""The catalog entry's call to action and the guest's notice by e-mail."""

import json

import pytest
from django.core import mail
from django.template.loader import render_to_string

from rathaus.applications import cases, library, services
from rathaus.applications.models import Application
from rathaus.catalog.models import MaturityChange, Service

from .conftest import make_service
from .helpers import post_step

pytestmark = pytest.mark.django_db


def test_cta_only_with_published_form(town_a):
    service = make_service(town_a, "hund-anmelden")
    assert "Online beantragen" not in render_to_string(
        "applications/_service_cta.html", {"service": service}
    )
    library.install(service)
    html = render_to_string("applications/_service_cta.html", {"service": service})
    assert "Online beantragen" in html and "/antraege/hund-anmelden/" in html


def test_new_version_retires_the_old_one(town_a):
    service = make_service(town_a, "hund-anmelden")
    first = library.install(service)
    second = first.__class__.objects.create(
        municipality=town_a, service=service, version=2, title="Hund v2", schema=first.schema
    )
    services.publish_form(second)
    first.refresh_from_db()
    assert first.state == "retired" and services.published_form(service) == second


def test_guest_gets_notice_pdf_by_email(client_a, town_a, bulky):
    from rathaus.core.models import Role
    from tests.conftest import make_staff

    app = submit_as_guest(client_a)
    clerk = make_staff(town_a, "umwelt@a.test", Role.CLERK, office=bulky.office)
    cases.decide(app, "approved", "Abholung am gewünschten Tag.", actor=clerk)
    notice_mail = mail.outbox[-1]
    assert notice_mail.to == ["gast@example.org"]
    assert notice_mail.attachments[0][0] == f"Bescheid-{app.reference}.pdf"


def submit_as_guest(client_a) -> Application:
    """A Sperrmüll application submitted without an account (gast@example.org)."""
    app, url = start_guest(client_a)
    url = post_step(client_a, url, {"vorname": "Gerd", "nachname": "Gast"})
    url = post_step(client_a, url, {"strasse": "Weg 2", "plz": "14467", "ort": "M"})
    from datetime import timedelta

    from django.utils import timezone

    day = timezone.localdate() + timedelta(days=7)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    url = post_step(
        client_a,
        url,
        {
            "abholdatum": day.isoformat(),
            "menge": 2,
            "gegenstaende": ["moebel"],
            "erste_abholung": "ja",
        },
    )
    url = post_step(client_a, url, {"email": "gast@example.org"})
    response = client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    assert response["Location"].endswith("/bestaetigung/")  # free service: no payment
    app.refresh_from_db()
    return app


def start_guest(client):
    response = client.post("/antraege/sperrmuell-anmelden/", {"email": "gast@example.org"})
    key = response["Location"].split("/antrag/")[1].split("/")[0]
    return Application.objects.get(key=key), response["Location"]


def test_admin_refuses_a_broken_schema(town_a):
    from rathaus.applications.admin import FormDefinitionForm

    service = make_service(town_a, "hund-anmelden")
    form = FormDefinitionForm(
        data={
            "service": service.pk,
            "version": 1,
            "title": "Hund",
            "schema": json.dumps(
                {"steps": [{"key": "a", "title": "A", "fields": [{"name": "x", "type": "magic"}]}]}
            ),
            "case_statuses": "[]",
            "processing_days": 14,
            "retention_days": 365,
            "maturity_level": 3,
        }
    )
    assert not form.is_valid()
    assert "Unbekannter Feldtyp: magic" in str(form.errors["schema"])


def test_admin_pages_of_the_module_load(client_a, admin_a, bulky):
    client_a.force_login(admin_a)
    for model in ["formdefinition", "apiclient", "webhookendpoint", "oidcprovider"]:
        assert client_a.get(f"/verwaltung/admin/applications/{model}/").status_code == 200
    assert client_a.get("/verwaltung/admin/applications/formdefinition/add/").status_code == 200
    form = bulky.form_definitions.get()
    url = f"/verwaltung/admin/applications/formdefinition/{form.pk}/change/"
    assert client_a.get(url).status_code == 200


def test_admin_creates_api_client_with_key_shown_once(client_a, admin_a):
    from rathaus.applications.models import ApiClient

    client_a.force_login(admin_a)
    response = client_a.post(
        "/verwaltung/admin/applications/apiclient/add/",
        {"name": "Fachverfahren X", "is_active": "on"},
        follow=True,
    )
    text = response.content.decode()
    key = text.split("bitte sicher speichern): ")[1].split("<")[0].strip()
    client = ApiClient.objects.get()
    assert key.startswith(f"rk_{client.key_prefix}_")
    listing = client_a.get("/api/v1/applications/submissions", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert listing.status_code == 200


# --- a catalog import never lowers the maturity a published form proves -------------------


def _history(service):
    return list(service.maturity_history.values_list("pk", "changed_on", "level", "note"))


def test_reimport_keeps_the_maturity_of_a_published_form_and_appends_history(town_a):
    from rathaus.catalog.xzufi import export_catalog, import_catalog

    service = make_service(town_a, "hausnummer-beantragen")
    library.install(service)  # published form: level 3
    service.refresh_from_db()
    assert service.maturity_level == 3
    before = _history(service)

    exported = export_catalog(town_a)
    record = next(r for r in exported["leistungen"] if r["id"] == service.slug)
    record["reifegrad"] = {
        "aktuell": 2,
        "historie": [{"stufe": 1, "seit": "2019-01-01"}, {"stufe": 2, "seit": "2021-09-01"}],
        "geplant": None,
    }
    import_catalog(town_a, exported)
    import_catalog(town_a, exported)  # the demo reload runs twice: nothing changes twice

    service.refresh_from_db()
    assert service.maturity_level == 3
    after = _history(service)
    assert set(before) <= set(after), "history is append-only"
    assert {(day.isoformat(), level) for _, day, level, _ in after} >= {
        ("2019-01-01", 1),
        ("2021-09-01", 2),
    }
    assert len(after) == len(before) + 2
    html = render_to_string("applications/_service_cta.html", {"service": service})
    assert "Online beantragen" in html


def test_without_a_form_the_import_may_lower_the_level_but_keeps_the_history(town_a):
    from rathaus.catalog.xzufi import export_catalog, import_catalog

    service = make_service(town_a, "hausnummer-beantragen")
    service.maturity_level = 3
    service.save()
    exported = export_catalog(town_a)
    record = next(r for r in exported["leistungen"] if r["id"] == service.slug)
    record["reifegrad"]["aktuell"] = 2
    import_catalog(town_a, exported)
    service.refresh_from_db()
    assert service.maturity_level == 2
    assert service.maturity_history.order_by("-changed_on", "-id").first().level == 2


def test_demo_reload_keeps_all_online_services(settings):
    from rathaus.applications import demo as applications_demo
    from rathaus.catalog import dashboard
    from rathaus.catalog import demo as catalog_demo
    from rathaus.core import demo as core_demo

    settings.RATHAUS_DEFAULT_MUNICIPALITY = "musterstadt"
    town = core_demo.load()
    catalog_demo.load(town)
    applications_demo.load(town)
    online = dashboard.figures(town)["online"]
    history = MaturityChange.objects.filter(service__municipality=town).count()
    catalog_demo.load(town)  # `rathaus demo` again: the same import path as a city's
    assert dashboard.figures(town)["online"] == online >= len(library.FORMS)
    assert MaturityChange.objects.filter(service__municipality=town).count() == history
    for slug, spec in library.FORMS.items():
        level = Service.objects.get(municipality=town, slug=slug).maturity_level
        assert level == spec["maturity_level"], slug
