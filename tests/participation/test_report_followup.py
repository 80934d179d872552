"""Mängelmelder follow-up (issue 18): citizens' updates, photos and confirmations under
moderation; public staff notes; service levels, routing, overdue lists; geocoding
against the town's own address list."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from rathaus.core.models import AuditEntry, Office
from rathaus.participation.reports import alerts, geocoding, services
from rathaus.participation.reports.models import (
    Report,
    ReportPhoto,
    ReportUpdate,
    RoutingRule,
    StreetAddress,
)

from .conftest import jpeg_with_gps

pytestmark = pytest.mark.django_db

ADDRESSES = """street,house_number,postcode,latitude,longitude
Lindenstraße,12,14467,52.401000,13.061000
Lindenstraße,14,14467,52.401200,13.061400
Gutenbergstraße,3a,14467,52.405000,13.058000
"""


def published(town, category, **kw):
    kw.setdefault("address", "Lindenstraße 1")
    report = services.submit_report(town, category=category, description="Loch", **kw)
    return services.moderate(report, publish=True, actor=None)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 120, 0)).save(out, format="PNG")
    return out.getvalue()


# --- 1. citizens' updates -----------------------------------------------------------


def test_citizen_update_waits_for_moderation_then_shows(client_a, pothole, moderator_a):
    report = published(pothole.municipality, pothole)
    url = f"/beteiligung/maengel/{report.pk}/"
    page = client_a.get(url).content.decode()
    assert "Ist der Mangel noch da?" in page
    data = {"confirmation": "still_there", "text": "Immer noch tief, heute fast gestürzt."}
    data["photo_1"] = SimpleUploadedFile("a.jpg", jpeg_with_gps())
    response = client_a.post(url + "hinweis/", data)
    assert response.status_code == 302
    update = ReportUpdate.objects.get(kind="citizen")
    assert update.moderation == "pending" and not update.is_public
    photo = update.photos.get()
    assert photo.report_id is None  # not one of the report's own (Open311) photos
    with open(photo.image.path, "rb") as handle:
        assert b"Spionkamera" not in handle.read()  # re-encoded, metadata gone
    assert "fast gestürzt" not in client_a.get(url).content.decode()
    # a second click sends the same again: nothing new
    data["photo_1"] = SimpleUploadedFile("a.jpg", jpeg_with_gps())
    client_a.post(url + "hinweis/", data)
    assert ReportUpdate.objects.filter(kind="citizen").count() == 1
    client_a.force_login(moderator_a)
    inbox = client_a.get("/beteiligung/verwaltung/maengel/?ansicht=hinweise").content.decode()
    assert f">{report.pk}</a>" in inbox  # waiting notes have their own inbox view
    client_a.post(
        f"/beteiligung/verwaltung/maengel/{report.pk}/hinweis/",
        {"update": update.pk, "decision": "publish"},
    )
    client_a.logout()
    page = client_a.get(url).content.decode()
    assert "fast gestürzt" in page and "Der Mangel ist noch da" in page
    assert "1 × „noch da“" in page
    assert AuditEntry.objects.filter(
        action="participation.report.citizen_update_moderated"
    ).exists()
    client_a.force_login(moderator_a)
    inbox = client_a.get("/beteiligung/verwaltung/maengel/?ansicht=hinweise").content.decode()
    assert f">{report.pk}</a>" not in inbox


def test_rejected_update_stays_hidden_and_loses_its_photo(client_a, pothole, moderator_a):
    report = published(pothole.municipality, pothole)
    update = services.add_citizen_update(
        report, text="Beleidigung", photos=[SimpleUploadedFile("p.png", png())]
    )
    assert ReportPhoto.objects.filter(update=update).count() == 1
    services.moderate_update(update, publish=False, actor=moderator_a)
    assert not ReportPhoto.objects.filter(update=update).exists()
    assert "Beleidigung" not in client_a.get(f"/beteiligung/maengel/{report.pk}/").content.decode()


def test_clerk_cannot_publish_citizen_updates(client_a, pothole, clerk_road):
    report = published(pothole.municipality, pothole)
    update = services.add_citizen_update(report, text="Hinweis", confirmation="fixed")
    client_a.force_login(clerk_road)
    response = client_a.post(
        f"/beteiligung/verwaltung/maengel/{report.pk}/hinweis/",
        {"update": update.pk, "decision": "publish"},
    )
    assert response.status_code == 403
    update.refresh_from_db()
    assert update.moderation == "pending"


def test_update_photos_are_checked_by_content(client_a, pothole):
    report = published(pothole.municipality, pothole)
    url = f"/beteiligung/maengel/{report.pk}/hinweis/"
    polyglot = b"\xff\xd8\xff\xe0<html><script>alert(1)</script>" + b"\x00" * 100
    cases = [
        (SimpleUploadedFile("x.jpg", b"%PDF-1.4 kein Bild"), "kein lesbares Foto"),
        (SimpleUploadedFile("x.jpg", polyglot), "HTML oder Skript"),
    ]
    for upload, message in cases:
        response = client_a.post(url, {"text": "Foto anbei", "photo_1": upload})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not ReportUpdate.objects.filter(kind="citizen").exists()
    assert not ReportPhoto.objects.exists()


def test_no_update_from_another_town(client_b, town_b, pothole):
    report = published(pothole.municipality, pothole)
    response = client_b.post(
        f"/beteiligung/maengel/{report.pk}/hinweis/", {"confirmation": "fixed"}
    )
    assert response.status_code == 404
    assert not ReportUpdate.objects.filter(kind="citizen").exists()


def test_no_update_on_closed_or_unpublished_reports(client_a, pothole):
    town = pothole.municipality
    pending = services.submit_report(town, category=pothole, description="x", address="y")
    assert (
        client_a.post(
            f"/beteiligung/maengel/{pending.pk}/hinweis/", {"confirmation": "fixed"}
        ).status_code
        == 404
    )
    done = published(town, pothole)
    services.change_status(done, status="fixed", actor=None)
    response = client_a.post(f"/beteiligung/maengel/{done.pk}/hinweis/", {"confirmation": "fixed"})
    assert response.status_code == 400
    assert not ReportUpdate.objects.filter(kind="citizen").exists()
    assert (
        "Ist der Mangel noch da?"
        not in client_a.get(f"/beteiligung/maengel/{done.pk}/").content.decode()
    )


def test_empty_and_hostile_updates_get_german_messages(client_a, pothole):
    report = published(pothole.municipality, pothole)
    url = f"/beteiligung/maengel/{report.pk}/hinweis/"
    response = client_a.post(url, {})
    assert (
        response.status_code == 400 and "Bitte wählen Sie eine Angabe" in response.content.decode()
    )
    for value in ("x" * 10_000, "\x00\x01", "😀" * 50, "²", str(10**40)):
        cache.clear()  # the rate limit is not what this test is about
        response = client_a.post(url, {"text": value, "confirmation": value})
        assert response.status_code == 400, value  # bad confirmation or too long
        response = client_a.post(url, {"text": value[:2000]})
        assert response.status_code in (302, 400), value


def test_public_staff_note_shows_and_alerts(client_a, pothole, clerk_road):
    town = pothole.municipality
    report = published(town, pothole, latitude=Decimal("52.40"), longitude=Decimal("13.06"))
    client_a.force_login(clerk_road)
    client_a.post(
        f"/beteiligung/verwaltung/maengel/{report.pk}/note/", {"text": "Intern: Firma X anrufen"}
    )
    client_a.post(
        f"/beteiligung/verwaltung/maengel/{report.pk}/note/",
        {"text": "Reparatur ist für Dienstag bestellt.", "public": "on"},
    )
    client_a.logout()
    page = client_a.get(f"/beteiligung/maengel/{report.pk}/").content.decode()
    assert "Reparatur ist für Dienstag bestellt." in page
    assert "Firma X" not in page


# --- 2. service levels, routing, overdue -------------------------------------------


def test_due_date_from_category_and_overdue_lists(client_a, pothole, clerk_road):
    town = pothole.municipality
    pothole.service_days = 7
    pothole.save()
    report = published(town, pothole)
    assert report.due_at.date() == (timezone.now() + timedelta(days=7)).date()
    assert not report.is_overdue
    Report.objects.filter(pk=report.pk).update(due_at=timezone.now() - timedelta(hours=1))
    on_time = published(town, pothole)
    client_a.force_login(clerk_road)
    inbox = client_a.get("/beteiligung/verwaltung/maengel/?ansicht=frist").content.decode()
    assert f">{report.pk}</a>" in inbox and f">{on_time.pk}</a>" not in inbox
    assert "Über der Frist (1)" in inbox
    client_a.logout()
    listing = client_a.get("/beteiligung/maengel/").content.decode()
    assert "Fristen je Kategorie" in listing and "über der Frist" in listing
    stats = services.statistics(town)
    assert stats["overdue"] == 1
    assert stats["by_category"][0]["overdue"] == 1 and stats["by_category"][0]["days"] == 7
    # fixed after the deadline counts as late, fixed before as on time
    services.change_status(report, status="fixed", actor=None)
    services.change_status(on_time, status="fixed", actor=None)
    stats = services.statistics(town)
    assert stats["overdue"] == 0 and stats["on_time_percent"] == 50


def test_routing_by_category_and_street_or_area(pothole, lamp, town_a, town_b):
    parks = Office.objects.create(municipality=town_a, slug="a-gruen", name="Grünflächenamt A")
    RoutingRule.objects.create(
        municipality=town_a, category=pothole, street="Am Park", office=parks, position=1
    )
    RoutingRule.objects.create(
        municipality=town_a,
        category=None,
        south=Decimal("52.41"),
        west=Decimal("13.05"),
        north=Decimal("52.42"),
        east=Decimal("13.07"),
        office=parks,
        position=2,
    )
    submit = services.submit_report
    on_street = submit(town_a, category=pothole, description="x", address="Am Park 3")
    other_category = submit(town_a, category=lamp, description="x", address="Am Park 3")
    in_box = submit(town_a, category=lamp, description="x", latitude=52.415, longitude=13.06)
    outside = submit(town_a, category=pothole, description="x", latitude=52.40, longitude=13.06)
    assert on_street.office == parks and in_box.office == parks
    assert other_category.office == lamp.office and outside.office == pothole.office
    # a rule of another town never routes this town's reports
    office_b = Office.objects.for_municipality(town_b).first()
    RoutingRule.objects.create(municipality=town_b, street="Hauptstraße", office=office_b)
    here = submit(town_a, category=pothole, description="x", address="Hauptstraße 1")
    assert here.office == pothole.office


# --- 3. geocoding against the town's address list ------------------------------------


def test_address_only_report_gets_a_map_position(tmp_path, pothole, town_a, town_b):
    file = tmp_path / "adressen.csv"
    file.write_text(ADDRESSES, encoding="utf-8")
    call_command("import_addresses", town_a.slug, str(file))
    assert StreetAddress.objects.for_municipality(town_a).count() == 3
    submit = services.submit_report
    exact = submit(town_a, category=pothole, description="x", address="Lindenstr. 14")
    assert (exact.latitude, exact.longitude) == (Decimal("52.401200"), Decimal("13.061400"))
    assert exact.geocoded
    letter = submit(town_a, category=pothole, description="x", address="gutenbergstrasse 3 a")
    assert letter.latitude == Decimal("52.405000")
    street_only = submit(town_a, category=pothole, description="x", address="Lindenstraße")
    assert street_only.latitude == Decimal("52.401100")  # the middle of the known numbers
    unknown = submit(town_a, category=pothole, description="x", address="Hinter dem Bahnhof")
    assert unknown.latitude is None and not unknown.geocoded
    # the map position the citizen picked wins over the address
    picked = submit(
        town_a,
        category=pothole,
        description="x",
        address="Lindenstraße 14",
        latitude=52.39,
        longitude=13.05,
    )
    assert picked.latitude == Decimal("52.390000") and not picked.geocoded
    # another town's list is not used
    cat_b = pothole.__class__.objects.create(
        municipality=town_b,
        code="loch",
        name="Loch",
        office=Office.objects.for_municipality(town_b).first(),
    )
    other = submit(town_b, category=cat_b, description="x", address="Lindenstraße 14")
    assert other.latitude is None


def test_bad_address_file_changes_nothing(tmp_path, town_a):
    from django.core.management.base import CommandError

    geocoding.import_addresses(town_a, ADDRESSES)
    bad = ADDRESSES + "Bahnhofstraße,1,14467,viel,13.0\n"
    file = tmp_path / "a.csv"
    file.write_text(bad, encoding="utf-8")
    with pytest.raises(CommandError, match="Zeile 5: Breitengrad"):
        call_command("import_addresses", town_a.slug, str(file))
    assert StreetAddress.objects.count() == 3
    for text in ("street,lat\nx,1\n", "street,house_number,latitude,longitude\nA,1,1e40,2\n"):
        file.write_text(text, encoding="utf-8")
        with pytest.raises(CommandError):
            call_command("import_addresses", town_a.slug, str(file))
    assert StreetAddress.objects.count() == 3


def test_geocoded_report_reaches_an_area_alert(client_a, pothole, town_a):
    geocoding.import_addresses(town_a, ADDRESSES)
    alert = alerts.subscribe(
        town_a,
        email="anna@example.org",
        south=Decimal("52.400"),
        west=Decimal("13.060"),
        north=Decimal("52.402"),
        east=Decimal("13.062"),
    )
    alerts.confirm(alert)
    mail.outbox.clear()
    report = published(town_a, pothole, address="Lindenstraße 12")
    alerts.send_due(timezone.now() + timedelta(seconds=1))
    assert len(mail.outbox) == 1 and f"Nr. {report.pk}" in mail.outbox[0].body


def test_published_citizen_update_is_news_for_area_alerts(pothole, town_a, moderator_a):
    alert = alerts.subscribe(town_a, email="anna@example.org", street="Lindenstraße")
    alerts.confirm(alert)
    report = published(town_a, pothole, address="Lindenstraße 12")
    alerts.send_due()
    mail.outbox.clear()
    update = services.add_citizen_update(report, text="Noch da", confirmation="still_there")
    alerts.send_due()
    assert mail.outbox == []  # waiting for moderation: no news yet
    services.moderate_update(update, publish=True, actor=moderator_a)
    alerts.send_due()
    assert len(mail.outbox) == 1 and f"Nr. {report.pk}" in mail.outbox[0].body
