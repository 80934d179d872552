"""Mängelmelder: the three-step flow, moderation, statuses, reopen links, privacy."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from rathaus.core.models import AuditEntry
from rathaus.participation.reports import services
from rathaus.participation.reports.models import Report, ReportPhoto

from .conftest import jpeg_with_gps

pytestmark = pytest.mark.django_db


def start(client, category, **data):
    payload = {
        "category": category.pk,
        "address": "Lindenstraße 5",
        "latitude": "",
        "longitude": "",
    }
    payload.update(data)
    return client.post("/beteiligung/maengel/melden/", payload)


def details(client, **data):
    payload = {"description": "Tiefes Schlagloch", "attr_flaeche": "fahrbahn"}
    payload.update(data)
    return client.post("/beteiligung/maengel/melden/beschreibung/", payload)


def test_full_flow_with_photo_strips_metadata(client_a, pothole, mailoutbox):
    assert start(client_a, pothole, latitude="52.400100", longitude="13.060200").status_code == 302
    photo = SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(), content_type="image/jpeg")
    response = details(
        client_a, photo_1=photo, contact_email="erika@example.org", contact_name="Erika Mustermann"
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    check = client_a.get("/beteiligung/maengel/melden/pruefen/")
    assert "Tiefes Schlagloch" in check.content.decode()
    assert client_a.post("/beteiligung/maengel/melden/pruefen/").status_code == 302
    report = Report.objects.get()
    assert report.moderation == "pending" and report.office.slug == "a-tiefbau"
    assert report.attributes == {"flaeche": "fahrbahn"}
    stored = report.photos.get()
    with Image.open(stored.image.path) as image:
        assert image.format == "JPEG"
        assert not image.getexif()  # no EXIF at all, so no GPS, no camera model
        assert "exif" not in image.info and "comment" not in image.info
    with open(stored.image.path, "rb") as handle:
        raw = handle.read()
    assert b"Spionkamera" not in raw and b"geheimer Kommentar" not in raw and b"Exif" not in raw
    assert mailoutbox and mailoutbox[0].to == ["erika@example.org"]
    # second click on "Absenden" creates nothing new
    assert client_a.post("/beteiligung/maengel/melden/pruefen/").status_code == 302
    assert Report.objects.count() == 1
    assert AuditEntry.objects.filter(action="participation.report.submitted").count() == 1


def test_photo_checked_by_content_not_name(client_a, pothole):
    start(client_a, pothole)
    fake = SimpleUploadedFile("foto.jpg", b"%PDF-1.4 kein Bild", content_type="image/jpeg")
    response = details(client_a, photo_1=fake)
    assert response.status_code == 200
    assert "kein lesbares Foto" in response.content.decode()
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    response = details(client_a, photo_1=SimpleUploadedFile("x.jpg", gif.getvalue()))
    assert "JPEG, PNG oder WebP" in response.content.decode()
    assert not ReportPhoto.objects.exists()


def test_photo_size_limit(client_a, pothole, settings):
    settings.PARTICIPATION_PHOTO_MAX_BYTES = 100
    start(client_a, pothole)
    response = details(client_a, photo_1=SimpleUploadedFile("a.jpg", jpeg_with_gps()))
    assert "zu groß" in response.content.decode()


def test_location_required_with_german_error(client_a, pothole):
    response = start(client_a, pothole, address="")
    assert response.status_code == 200
    assert "Bitte geben Sie eine Adresse an" in response.content.decode()
    response = start(client_a, pothole, address="", latitude="52.4")
    assert "zusammen" in response.content.decode()


def test_duplicates_suggested_nearby_same_category(client_a, pothole, lamp):
    town = pothole.municipality
    near = services.submit_report(
        town, category=pothole, description="Loch A", latitude=52.40010, longitude=13.06010
    )
    services.moderate(near, publish=True, actor=None)
    far = services.submit_report(
        town, category=pothole, description="Loch B", latitude=52.41, longitude=13.06
    )
    services.moderate(far, publish=True, actor=None)
    other = services.submit_report(
        town, category=lamp, description="Lampe", latitude=52.40010, longitude=13.06010
    )
    services.moderate(other, publish=True, actor=None)
    start(client_a, pothole, latitude="52.400000", longitude="13.060000")
    page = client_a.get("/beteiligung/maengel/melden/beschreibung/").content.decode()
    assert "Wurde das schon gemeldet?" in page
    assert f"/beteiligung/maengel/{near.pk}/" in page
    assert f"/beteiligung/maengel/{far.pk}/" not in page
    assert f"/beteiligung/maengel/{other.pk}/" not in page


def test_distance():
    assert 1100 < services.distance_m(52.40, 13.06, 52.41, 13.06) < 1120


def test_public_pages_show_only_moderated_reports_and_never_contact(client_a, pothole):
    town = pothole.municipality
    report = services.submit_report(
        town,
        category=pothole,
        description="Loch",
        address="Am Markt",
        contact_email="geheim@example.org",
        contact_name="Geheim Name",
        contact_phone="0331 999",
    )
    assert client_a.get(f"/beteiligung/maengel/{report.pk}/").status_code == 404
    assert "Loch" not in client_a.get("/beteiligung/maengel/").content.decode()
    services.moderate(report, publish=True, actor=None)
    for url in (
        f"/beteiligung/maengel/{report.pk}/",
        "/beteiligung/maengel/",
        "/beteiligung/maengel/karte.json",
    ):
        content = client_a.get(url).content.decode()
        for secret in ("geheim@example.org", "Geheim Name", "0331 999"):
            assert secret not in content
    assert "Am Markt" in client_a.get(f"/beteiligung/maengel/{report.pk}/").content.decode()


def test_other_municipality_sees_nothing(client_a, town_b, pothole):
    report = services.submit_report(
        pothole.municipality, category=pothole, description="Loch", address="x"
    )
    services.moderate(report, publish=True, actor=None)
    other = Client(HTTP_HOST="b.test")
    assert other.get(f"/beteiligung/maengel/{report.pk}/").status_code == 404
    assert "Loch" not in other.get("/beteiligung/maengel/").content.decode()


def reopen_link(mail):
    return re.search(r"(/beteiligung/maengel/wieder-oeffnen/[^/\s]+/)", mail.body).group(1)


def test_fixed_and_closed_are_distinct_and_reopen_link(client_a, pothole, mailoutbox):
    town = pothole.municipality
    report = services.submit_report(
        town, category=pothole, description="Loch", address="x", contact_email="erika@example.org"
    )
    services.moderate(report, publish=True, actor=None)
    services.change_status(report, status="fixed", actor=None, note="Verfüllt.")
    report.refresh_from_db()
    assert (
        report.status == "fixed" and report.open311_status == "closed" and not report.close_reason
    )
    link = reopen_link(mailoutbox[-1])
    assert "Erledigt" in mailoutbox[-1].body
    tampered = link[:-3] + "xx/"
    assert client_a.get(tampered).status_code == 404
    assert client_a.post(link, {"reason": "Immer noch da"}).status_code == 302
    report.refresh_from_db()
    assert report.status == "reopened"
    # the link is used up: the status timestamp changed
    assert client_a.get(link).status_code == 404
    with pytest.raises(Exception, match="Grund"):
        services.change_status(report, status="closed", actor=None)
    services.change_status(report, status="closed", actor=None, close_reason="not_responsible")
    report.refresh_from_db()
    assert report.status == "closed" and report.close_reason == "not_responsible"
    assert "Nicht zuständig" in mailoutbox[-1].body


def test_reopen_link_expires(client_a, pothole, mailoutbox, settings):
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    report = services.submit_report(
        pothole.municipality,
        category=pothole,
        description="Loch",
        address="x",
        contact_email="e@example.org",
    )
    services.change_status(report, status="fixed", actor=None)
    link = reopen_link(mailoutbox[-1])
    later = timezone.now() + timedelta(days=settings.PARTICIPATION_REOPEN_DAYS + 1)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        assert client_a.get(link).status_code == 404


def test_duplicate_needs_original(pothole):
    town = pothole.municipality
    first = services.submit_report(town, category=pothole, description="a", address="x")
    second = services.submit_report(town, category=pothole, description="b", address="x")
    with pytest.raises(Exception, match="ursprüngliche"):
        services.change_status(second, status="closed", actor=None, close_reason="duplicate")
    services.change_status(
        second, status="closed", actor=None, close_reason="duplicate", duplicate_of=first
    )
    second.refresh_from_db()
    assert second.duplicate_of == first


def test_staff_inbox_roles(client_a, pothole, moderator_a, clerk_road, citizen, town_a):
    from rathaus.core.models import Office
    from tests.conftest import make_staff

    report = services.submit_report(
        town_a, category=pothole, description="Loch", address="x", contact_email="erika@example.org"
    )
    url = f"/beteiligung/verwaltung/maengel/{report.pk}/"
    assert client_a.get(url).status_code == 302  # login first
    client_a.force_login(citizen)
    assert client_a.get(url).status_code == 403
    other_office = Office.objects.create(municipality=town_a, slug="a-gruen", name="Grünflächen")
    client_a.force_login(make_staff(town_a, "gruen@a.test", "clerk", office=other_office))
    assert client_a.get(url).status_code == 404  # another office's report
    client_a.force_login(clerk_road)
    page = client_a.get(url).content.decode()
    assert "erika@example.org" in page  # staff see the contact
    # clerks cannot moderate
    assert client_a.post(url + "moderation/", {"decision": "publish"}).status_code == 403
    client_a.post(url + "note/", {"text": "Bauhof informiert"})
    client_a.post(url + "assign/", {"assignee": clerk_road.pk})
    client_a.post(url + "status/", {"status": "in_progress", "note": "Wird geprüft"})
    report.refresh_from_db()
    assert report.assignee == clerk_road and report.status == "in_progress"
    assert report.updates.filter(kind="note", is_public=False).exists()
    client_a.force_login(moderator_a)
    client_a.post(url + "moderation/", {"decision": "publish"})
    report.refresh_from_db()
    assert report.moderation == "published"
    public = Client(HTTP_HOST="a.test").get(f"/beteiligung/maengel/{report.pk}/").content.decode()
    assert "Bauhof informiert" not in public  # internal notes stay internal
    assert "Wird geprüft" in public


def test_submit_rate_limited(client_a, pothole):
    for _ in range(5):
        start(client_a, pothole)
        details(client_a)
        client_a.post("/beteiligung/maengel/melden/pruefen/")
    start(client_a, pothole)
    details(client_a)
    assert client_a.post("/beteiligung/maengel/melden/pruefen/").status_code == 429
    assert Report.objects.count() == 5


def test_reroute_to_other_office(client_a, pothole, moderator_a, town_a, town_b):
    from rathaus.core.models import Office

    report = services.submit_report(town_a, category=pothole, description="Ast", address="x")
    green = Office.objects.create(municipality=town_a, slug="a-gruen", name="Grünflächenamt")
    client_a.force_login(moderator_a)
    client_a.post(f"/beteiligung/verwaltung/maengel/{report.pk}/reroute/", {"office": green.pk})
    report.refresh_from_db()
    assert report.office == green
    foreign = Office.objects.filter(municipality=town_b).first()
    client_a.post(f"/beteiligung/verwaltung/maengel/{report.pk}/reroute/", {"office": foreign.pk})
    report.refresh_from_db()
    assert report.office == green  # another municipality's office is refused


def test_english_second(client_a, pothole):
    page = client_a.get("/beteiligung/maengel/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Report a problem" in page and "Mangel melden" not in page


def test_moderator_of_other_municipality_gets_nothing(pothole, town_a, town_b):
    from tests.conftest import make_staff

    report = services.submit_report(
        town_a, category=pothole, description="Loch", address="x", contact_email="erika@example.org"
    )
    foreign = make_staff(town_b, "mod@b.test", "moderator")
    on_a = Client(HTTP_HOST="a.test")
    on_a.force_login(foreign)
    assert on_a.get(f"/beteiligung/verwaltung/maengel/{report.pk}/").status_code == 403
    on_b = Client(HTTP_HOST="b.test")
    on_b.force_login(foreign)
    assert on_b.get(f"/beteiligung/verwaltung/maengel/{report.pk}/").status_code == 404
    response = on_b.post(
        f"/beteiligung/verwaltung/maengel/{report.pk}/moderation/", {"decision": "publish"}
    )
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.moderation == "pending"


def test_office_is_mailed_when_report_is_published(pothole, mailoutbox):
    pothole.office.email = "tiefbau@a.test"
    pothole.office.save()
    report = services.submit_report(
        pothole.municipality, category=pothole, description="Loch", address="x"
    )
    services.moderate(report, publish=True, actor=None)
    assert [m.to for m in mailoutbox] == [["tiefbau@a.test"]]
    assert f"/beteiligung/verwaltung/maengel/{report.pk}/" in mailoutbox[0].body


def test_public_statistics(pothole):
    from datetime import timedelta

    town = pothole.municipality
    for days in (2, 4, 9):
        report = services.submit_report(town, category=pothole, description="x", address="y")
        services.moderate(report, publish=True, actor=None)
        services.change_status(report, status="fixed", actor=None)
        Report.objects.filter(pk=report.pk).update(
            created_at=report.status_changed_at - timedelta(days=days)
        )
    services.submit_report(town, category=pothole, description="pending", address="y")
    stats = services.statistics(town)
    assert {k: stats[k] for k in ("open", "fixed", "closed", "median_days_to_fix")} == {
        "open": 0,
        "fixed": 3,
        "closed": 0,
        "median_days_to_fix": 4.0,
    }
    assert stats["overdue"] == 0 and stats["by_category"] == []
