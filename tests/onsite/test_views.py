"""Pages: kiosk, ticket, display, workstation, statistics, report; roles and tenancy."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rathaus.core.models import Role
from rathaus.onsite import services
from rathaus.onsite.models import Ticket, TicketStatus
from rathaus.onsite.views import ticket_token
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def test_kiosk_lists_groups_in_german_and_english(client_a, location_a, groups):
    url = reverse("onsite:kiosk", args=[location_a.slug])
    page = client_a.get(url).content.decode()
    assert "Ausweise" in page and "Wartenummer" in page
    english = client_a.get(url + "?lang=en").content.decode()
    assert "ID cards" in english
    assert "Welcome" in english and "With an appointment: check in" in english
    assert 'lang="en"' in english


def test_kiosk_draw_redirects_to_ticket(client_a, location_a, groups):
    response = client_a.post(
        reverse("onsite:kiosk_draw", args=[location_a.slug]), {"group": "ausweise"}
    )
    assert response.status_code == 302
    page = client_a.get(response["Location"]).content.decode()
    assert "A001" in page


def test_kiosk_double_tap_gives_the_same_number(client_a, location_a, groups):
    url = reverse("onsite:kiosk_draw", args=[location_a.slug])
    first = client_a.post(url, {"group": "ausweise", "nonce": "abcdef0123456789"})
    again = client_a.post(url, {"group": "ausweise", "nonce": "abcdef0123456789"})
    assert first["Location"] == again["Location"]
    assert Ticket.objects.count() == 1
    client_a.post(url, {"group": "ausweise", "nonce": "0123456789abcdef"})
    assert Ticket.objects.count() == 2


def test_kiosk_contingent_message(client_a, location_a, groups):
    url = reverse("onsite:kiosk_draw", args=[location_a.slug])
    for _ in range(3):
        client_a.post(url, {"group": "ausweise"})
    response = client_a.post(url, {"group": "ausweise"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "alle Wartenummern" in page and "Nächste Sprechzeit ohne Termin" in page


def test_kiosk_check_in_wrong_code(client_a, location_a, groups):
    response = client_a.post(
        reverse("onsite:kiosk_check_in", args=[location_a.slug]), {"code": "NOPE"}
    )
    assert response.status_code == 422
    assert "keinen Termin gefunden" in response.content.decode()


def test_ticket_token_tampered_or_other_town_is_404(client_a, client, location_a, groups, town_b):
    ticket = services.draw(groups[0])
    token = ticket_token(ticket)
    assert client_a.get(reverse("onsite:ticket", args=[location_a.slug, token])).status_code == 200
    bad = reverse("onsite:ticket", args=[location_a.slug, token[:-2] + "xx"])
    assert client_a.get(bad).status_code == 404
    other = client.get(reverse("onsite:ticket", args=[location_a.slug, token]), HTTP_HOST="b.test")
    assert other.status_code == 404


def test_display_shows_called_numbers(client_a, location_a, groups, counters, rules):
    services.draw(groups[0])
    services.open_counter(counters[0], actor=None)
    services.call_next(counters[0], actor=None)
    page = client_a.get(reverse("onsite:display_calls", args=[location_a.slug])).content.decode()
    assert "A001" in page and "Schalter 1" in page
    assert client_a.get(reverse("onsite:signal")).content[:4] == b"RIFF"


def test_location_page_shows_wait(client_a, location_a, groups, counters):
    services.draw(groups[0])
    services.open_counter(counters[0], actor=None)
    page = client_a.get(reverse("core:location", args=[location_a.slug])).content.decode()
    assert "Aktuelle Wartezeit ohne Termin: ca. 10 Minuten" in page


def test_workstation_flow_for_clerk(client_a, location_a, groups, counters, rules, clerk_a):
    client_a.force_login(clerk_a)
    services.draw(groups[0])
    base = [location_a.slug, 1]
    assert client_a.get(reverse("onsite:workstation", args=base)).status_code == 200
    client_a.post(reverse("onsite:action", args=[*base, "open"]))
    client_a.post(reverse("onsite:action", args=[*base, "call"]))
    ticket = Ticket.objects.get()
    assert ticket.status == TicketStatus.CALLED
    page = client_a.get(reverse("onsite:workstation", args=base)).content.decode()
    assert "A001" in page
    service = groups[0].services.first()
    client_a.post(
        reverse("onsite:action", args=[*base, "finish"]),
        {"ticket": ticket.pk, "services": [service.pk]},
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DONE


def test_workstation_roles(client_a, town_a, location_a, counters, clerk_a):
    url = reverse("onsite:workstation", args=[location_a.slug, 1])
    assert client_a.get(url).status_code == 302  # login
    editor = make_staff(town_a, "ed@a.test", Role.CATALOG_EDITOR)
    client_a.force_login(editor)
    assert client_a.get(url).status_code == 403
    assert client_a.get(reverse("onsite:statistics")).status_code == 403
    # A clerk of another office may not use this location's counters.
    from rathaus.core.models import Office

    other = Office.objects.create(municipality=town_a, slug="kfz", name="Kfz")
    stranger = make_staff(town_a, "kfz@a.test", Role.CLERK, office=other)
    client_a.force_login(stranger)
    assert client_a.get(url).status_code == 403
    assert (
        client_a.post(reverse("onsite:action", args=[location_a.slug, 1, "open"])).status_code
        == 403
    )


def test_workstation_other_municipality_is_404(client_b, town_b, location_a, counters):
    manager_b = make_staff(town_b, "m@b.test", Role.APPOINTMENT_MANAGER)
    client_b.force_login(manager_b)
    assert client_b.get(reverse("onsite:workstation", args=[location_a.slug, 1])).status_code == 404


def test_statistics_csv_and_report(client_a, town_a, location_a, offer_a, groups):
    manager = make_staff(town_a, "mgr@a.test", Role.APPOINTMENT_MANAGER)
    client_a.force_login(manager)
    page = client_a.get(reverse("onsite:statistics"))
    assert page.status_code == 200
    assert "Kennzahlen" in page.content.decode()
    csv = client_a.get(reverse("onsite:statistics_csv"))
    assert csv["Content-Type"].startswith("text/csv")
    assert "Leistung;Termine" in csv.content.decode("utf-8-sig")
    bad = client_a.get(reverse("onsite:statistics") + "?first=2025-02-01&last=2025-01-01")
    assert "liegt vor" in bad.content.decode()
    report = client_a.get(reverse("onsite:report"))
    assert "Vergleich der Zeiträume" in report.content.decode()


def test_report_pdf(client_a, town_a, location_a, groups):
    manager = make_staff(town_a, "mgr@a.test", Role.APPOINTMENT_MANAGER)
    client_a.force_login(manager)
    response = client_a.get(reverse("onsite:report_pdf"))
    assert response.status_code == 200
    assert response.content[:4] == b"%PDF"


def test_workstation_queue_fragment(client_a, location_a, groups, counters, clerk_a):
    services.draw(groups[1])
    client_a.force_login(clerk_a)
    page = client_a.get(reverse("onsite:queue", args=[location_a.slug, 1])).content.decode()
    assert "M001" in page and "<html" not in page


def test_admin_pages_for_appointment_manager(client_a, town_a, groups, counters, rules):
    manager = make_staff(town_a, "mgr@a.test", Role.APPOINTMENT_MANAGER)
    client_a.force_login(manager)
    for name in ("servicegroup", "counter", "queuerules"):
        response = client_a.get(f"/verwaltung/admin/onsite/{name}/")
        assert response.status_code == 200, name
        assert response.content.decode().count("Bürgerbüro A Mitte") >= 1


def test_clerk_without_locations_sees_no_figures(client_a, town_a, location_a, groups):
    from rathaus.core.models import Office

    office = Office.objects.create(municipality=town_a, slug="leer", name="Ohne Standort")
    clerk = make_staff(town_a, "leer@a.test", Role.CLERK, office=office)
    client_a.force_login(clerk)
    assert client_a.get(reverse("onsite:statistics")).status_code == 403
    assert client_a.get(reverse("onsite:report")).status_code == 403
    assert client_a.get(reverse("onsite:statistics_csv")).status_code == 403


def test_clerk_cannot_pick_another_location(client_a, town_a, location_a, clerk_a):
    from rathaus.core.models import Location, Office

    office = Office.objects.create(municipality=town_a, slug="kfz", name="Kfz")
    other = Location.objects.create(
        municipality=town_a,
        office=office,
        slug="kfz",
        name="Kfz-Stelle",
        street="Weg 1",
        postcode="14999",
        city="A",
    )
    client_a.force_login(clerk_a)
    page = client_a.get(reverse("onsite:statistics") + f"?location={other.pk}")
    assert "Kfz-Stelle" not in page.content.decode()


# --- after closing: no wait, no dead buttons, no counter "geöffnet" all night ---------------

SUNDAY = timezone.make_aware(datetime(2030, 6, 23, 11, 0))  # the fixture's location is closed


def test_no_waiting_time_after_closing(settings, location_a, groups, counters):
    services.draw(groups[0])
    services.open_counter(counters[0], actor=None)
    monday_open = timezone.make_aware(datetime(2030, 6, 24, 10, 0))
    settings.ONSITE_DRAW_ONLY_WHEN_OPEN = True
    assert services.estimated_wait(location_a, now=monday_open) is not None
    assert services.estimated_wait(location_a, now=SUNDAY) is None


def test_closed_kiosk_shows_no_buttons_and_when_it_opens(
    settings, monkeypatch, client_a, location_a, groups
):
    settings.ONSITE_DRAW_ONLY_WHEN_OPEN = True
    monkeypatch.setattr(timezone, "now", lambda: SUNDAY)
    page = client_a.get(reverse("onsite:kiosk", args=[location_a.slug])).content.decode()
    assert 'name="group"' not in page
    assert "keine Wartenummern" in page and "Nächste Sprechzeit ohne Termin" in page


def test_used_up_group_is_no_button(client_a, location_a, groups):
    ausweis, _ = groups
    for _ in range(ausweis.daily_contingent):
        services.draw(ausweis)
    page = client_a.get(reverse("onsite:kiosk", args=[location_a.slug])).content.decode()
    assert f'value="{ausweis.slug}"' not in page and 'value="melden"' in page
    assert "Heute keine Wartenummern mehr" in page


def test_counters_left_open_are_closed_after_hours(location_a, counters):
    monday = datetime(2030, 6, 24)
    services.open_counter(counters[0], actor=None)
    services.open_counter(counters[1], actor=None)
    # open 8-16: still open at 16:30 (last visitors), closed by the job at 17:05
    assert (
        services.close_counters_after_hours(timezone.make_aware(monday.replace(hour=16, minute=30)))
        == 0
    )
    assert (
        services.close_counters_after_hours(timezone.make_aware(monday.replace(hour=17, minute=5)))
        == 2
    )
    counters[0].refresh_from_db()
    assert not counters[0].is_open and counters[0].sessions.get().closed_at is not None
