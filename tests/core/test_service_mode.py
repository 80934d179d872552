"""Incident and maintenance mode (issue 20, seed 002)."""

import pytest

from rathaus.core.models import AuditEntry
from rathaus.core.ops import modes
from rathaus.core.ops.models import ServiceMode

ALTERNATIVES = "Bürgertelefon 0331 289-0, offene Sprechstunde Mo–Fr 8–12 Uhr im Rathaus"


@pytest.fixture
def incident(town_a, admin_a):
    return modes.set_mode(
        town_a,
        "incident",
        notice="IT-Störung seit 8 Uhr.",
        alternatives=ALTERNATIVES,
        actor=admin_a,
    )


def test_the_switch_is_for_administrators_and_audited(client_a, admin_a, editor_a, town_a):
    client_a.force_login(editor_a)
    assert client_a.get("/verwaltung/betrieb/modus/").status_code == 403
    client_a.force_login(admin_a)
    refused = client_a.post("/verwaltung/betrieb/modus/", {"mode": "incident", "notice": "x"})
    assert refused.status_code == 200  # incident mode needs the offline alternatives
    assert "Bitte nennen Sie" in refused.content.decode()
    response = client_a.post(
        "/verwaltung/betrieb/modus/",
        {"mode": "incident", "notice": "IT-Störung", "alternatives": ALTERNATIVES},
    )
    assert response.status_code == 302
    assert ServiceMode.objects.get(municipality=town_a).mode == "incident"
    entry = AuditEntry.objects.get(action="core.service_mode_changed")
    assert entry.data["to"] == "incident" and entry.actor == admin_a


def test_in_incident_mode_every_page_shows_the_notice_and_reads_work(client_a, incident):
    page = client_a.get("/aemter/")
    assert page.status_code == 200
    assert "IT-Störung seit 8 Uhr." in page.content.decode()
    notice = client_a.get("/hinweis/").content.decode()
    assert "Bürgertelefon 0331 289-0" in notice


def test_in_incident_mode_citizens_writes_get_an_explanation(client_a, incident):
    api = client_a.post("/api/v1/appointments/holds", {}, content_type="application/json")
    assert api.status_code == 503
    assert api.json()["reason"] == "incident"
    assert "Bürgertelefon" in api.json()["alternatives"]
    assert api["Retry-After"]
    page = client_a.post("/beteiligung/")
    assert page.status_code == 503
    assert "Bürgertelefon" in page.content.decode()


def test_in_incident_mode_staff_keep_working_but_not_in_maintenance(client_a, admin_a, town_a):
    client_a.force_login(admin_a)
    modes.set_mode(town_a, "incident", notice="", alternatives=ALTERNATIVES, actor=admin_a)
    assert client_a.post("/termine/verwaltung/").status_code != 503
    modes.set_mode(
        town_a, "maintenance", notice="Wartung bis 6 Uhr", alternatives="", actor=admin_a
    )
    assert client_a.post("/termine/verwaltung/").status_code == 503
    # ... but the switch back always works
    back = client_a.post(
        "/verwaltung/betrieb/modus/", {"mode": "normal", "notice": "", "alternatives": ""}
    )
    assert back.status_code == 302
    assert "Wartung bis 6 Uhr" not in client_a.get("/aemter/").content.decode()


def test_the_mode_of_one_town_does_not_touch_another(client_b, incident):
    page = client_b.get("/aemter/").content.decode()
    assert "IT-Störung" not in page
