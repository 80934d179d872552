"""Back office (admin for catalog editors) and the OZG dashboard numbers, CSV and PDF."""

import csv
import io

import pytest

from rathaus.catalog import services
from rathaus.catalog.models import MaturityChange, Service
from rathaus.core.models import AuditEntry, Role
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

ADMIN_URL = "/verwaltung/admin/catalog/service/"


def admin_form(service, **changes):
    data = {
        "name": service.name,
        "slug": service.slug,
        "leika_key": service.leika_key,
        "is_published": "on",
        "popularity": service.popularity,
        "summary": service.summary,
        "documents": "[]",
        "topic": service.topic_id,
        "office": service.office_id,
        "trust_level": service.trust_level,
        "maturity_level": service.maturity_level,
        "fees-TOTAL_FORMS": 0,
        "fees-INITIAL_FORMS": 0,
        "maturity_history-TOTAL_FORMS": 0,
        "maturity_history-INITIAL_FORMS": 0,
    }
    data.update(changes)
    return data


def test_editor_changes_maturity_and_history_plus_audit_are_recorded(client_a, catalog_a, editor_a):
    client_a.force_login(editor_a)
    service = Service.objects.get(municipality=catalog_a, slug="gewerbe-abmelden")
    before = service.maturity_history.count()
    response = client_a.post(
        f"{ADMIN_URL}{service.pk}/change/", admin_form(service, maturity_level=3)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    service.refresh_from_db()
    assert service.maturity_level == 3
    assert service.maturity_history.count() == before + 1
    assert service.maturity_history.last().level == 3
    entry = AuditEntry.objects.get(action="catalog.maturity_changed")
    assert entry.data["from"] == 0 and entry.data["to"] == 3 and entry.actor == editor_a
    # Saving again without a change adds no second history entry.
    client_a.post(f"{ADMIN_URL}{service.pk}/change/", admin_form(service, maturity_level=3))
    assert service.maturity_history.count() == before + 1


def test_admin_is_scoped_to_municipality_and_role(client_a, catalog_a, catalog_b, citizen):
    clerk = make_staff(catalog_a, "clerk@a.test", Role.CLERK)
    client_a.force_login(clerk)
    assert client_a.get(ADMIN_URL).status_code == 403
    editor = make_staff(catalog_a, "ed@a.test", Role.CATALOG_EDITOR)
    client_a.force_login(editor)
    listing = client_a.get(ADMIN_URL).content.decode()
    assert "Gewerbe anmelden" in listing and "B-Leistung" not in listing
    b_service = Service.objects.get(municipality=catalog_b, slug="geheime-b-leistung")
    assert client_a.get(f"{ADMIN_URL}{b_service.pk}/change/").status_code in (302, 404)


def test_record_maturity_service_function(catalog_a):
    service = Service.objects.get(municipality=catalog_a, slug="reisepass-beantragen")
    change = services.record_maturity(service, 4)
    assert isinstance(change, MaturityChange) and service.maturity_level == 4
    assert services.record_maturity(service, 4) is None


def test_dashboard_numbers(client_a, catalog_a, catalog_b):
    response = client_a.get("/ozg-dashboard/")
    context = response.context
    assert context["total"] == 8
    assert context["online"] == 3  # hund (4), sperrmüll (3), gewerbe-anmelden (3)
    assert round(context["online_share"]) == 38
    assert [b.count for b in context["levels"]] == [1, 2, 2, 2, 1]
    topics = {row.topic.slug: row for row in context["topics"]}
    assert topics["unternehmensfuehrung"].total == 2 and topics["unternehmensfuehrung"].online == 1
    assert len(context["topics"]) == 14
    assert [s.slug for s in context["roadmap"]] == [
        "sperrmuell-anmelden",
        "personalausweis-beantragen",
    ]
    html = response.content.decode()
    assert 'id="kpi-share">38 %' in html
    assert "<svg" in html and "<table" in html


def test_dashboard_csv_and_pdf(client_a, catalog_a):
    response = client_a.get("/ozg-dashboard/ozg-dashboard.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Leistung" and len(rows) == 9
    hund = next(r for r in rows if r[1] == "hund-anmelden")
    assert hund[5] == "4"
    pdf = client_a.get("/ozg-dashboard/ozg-bericht.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_demo_loader_is_idempotent_and_loads_all_content(town_a):
    from rathaus.catalog import demo
    from rathaus.core import demo as core_demo

    municipality = core_demo.load()
    demo.load(municipality)
    first = Service.objects.for_municipality(municipality).count()
    histories = MaturityChange.objects.filter(service__municipality=municipality).count()
    demo.load(municipality)
    assert Service.objects.for_municipality(municipality).count() == first
    assert MaturityChange.objects.filter(service__municipality=municipality).count() == histories
    assert first == len(demo.all_demo_services())


def test_staff_home_links_to_catalog_admin_for_editors_only(client_a, catalog_a, editor_a):
    client_a.force_login(editor_a)
    assert ADMIN_URL in client_a.get("/verwaltung/").content.decode()
    clerk = make_staff(catalog_a, "clerk2@a.test", Role.CLERK)
    client_a.force_login(clerk)
    assert ADMIN_URL not in client_a.get("/verwaltung/").content.decode()


def test_editor_of_one_town_cannot_use_the_admin_of_another(client_b, catalog_a, catalog_b):
    editor = make_staff(catalog_a, "ed-a@a.test", Role.CATALOG_EDITOR)
    client_b.force_login(editor)
    assert client_b.get(ADMIN_URL).status_code == 403


def test_roadmap_flags_overdue_and_drops_reached_plans(client_a, catalog_a):
    from datetime import date, timedelta

    passport = Service.objects.get(municipality=catalog_a, slug="personalausweis-beantragen")
    passport.planned_date = date.today() - timedelta(days=1)
    passport.save()
    bulky = Service.objects.get(municipality=catalog_a, slug="sperrmuell-anmelden")
    bulky.planned_level = bulky.maturity_level  # reached: no longer on the Fahrplan
    bulky.save()
    response = client_a.get("/ozg-dashboard/")
    roadmap = response.context["roadmap"]
    assert [s.slug for s in roadmap] == ["personalausweis-beantragen"]
    assert roadmap[0].overdue and response.context["overdue"] == 1
    assert "überfällig" in response.content.decode()


def test_dashboard_lists_every_service_per_level(client_a, catalog_a):
    response = client_a.get("/ozg-dashboard/")
    by_level = response.context["by_level"]
    assert sum(len(listed) for _, listed in by_level) == response.context["total"]
    html = response.content.decode()
    for _, listed in by_level:
        for s in listed:
            assert s.get_absolute_url() in html
