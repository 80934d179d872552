"""Retention rows of participation: stalled reports, dialogue registrations, photos."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rathaus.core.retention import rules
from rathaus.participation.dialogues.models import DialogueEvent, Registration
from rathaus.participation.reports import services
from rathaus.participation.reports.models import Report, ReportPhoto, ReportUpdate

from .conftest import jpeg_with_gps

pytestmark = pytest.mark.django_db


def _rule(key):
    return next(rule for rule in rules() if rule.key == key)


def test_reports_that_never_finish_lose_contact_data(pothole, settings):
    settings.PARTICIPATION_OPEN_CONTACT_RETENTION_DAYS = 730
    report = services.submit_report(
        pothole.municipality,
        category=pothole,
        description="Loch",
        address="x",
        contact_email="e@example.org",
        contact_name="Erika",
        contact_phone="0331",
    )
    job = _rule("participation.erase_stalled_contact_data")
    assert job.run(timezone.now() + timedelta(days=729)) == 0
    assert job.run(timezone.now() + timedelta(days=731)) == 1
    report.refresh_from_db()
    assert (report.contact_email, report.contact_name, report.contact_phone) == ("", "", "")
    assert Report.objects.filter(pk=report.pk).exists()


def test_finished_reports_lose_contact_data_after_their_period(pothole):
    report = services.submit_report(
        pothole.municipality,
        category=pothole,
        description="Loch",
        address="x",
        contact_email="e@example.org",
    )
    ReportUpdate.objects.create(report=report, kind="note", text="Frau E. rief an", is_public=False)
    public = ReportUpdate.objects.create(
        report=report, kind="note", text="Wird repariert", is_public=True
    )
    services.change_status(report, status="fixed", actor=None)
    job = _rule("participation.erase_old_contact_data")
    assert job.run(timezone.now() + timedelta(days=179)) == 0
    assert job.run(timezone.now() + timedelta(days=181)) == 1
    assert not ReportUpdate.objects.filter(text__contains="rief an").exists()
    public.refresh_from_db()
    assert public.text == "Wird repariert"


def test_abandoned_photo_and_its_file_are_deleted(pothole, django_capture_on_commit_callbacks):
    photo = services.add_draft_photo("k", SimpleUploadedFile("a.jpg", jpeg_with_gps()))
    path = photo.image.path
    job = _rule("participation.delete_abandoned_photos")
    assert job.run(timezone.now()) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert job.run(timezone.now() + timedelta(days=2)) == 1
    assert not ReportPhoto.objects.exists()
    import os

    assert not os.path.exists(path)


def test_registrations_are_deleted_a_month_after_the_dialogue(town_a):
    start = timezone.now() + timedelta(days=3)
    event = DialogueEvent.objects.create(
        municipality=town_a,
        kind="walk",
        slug="w",
        title="W",
        venue="V",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )
    Registration.objects.create(
        event=event, name="A", email="a@example.org", status=Registration.Status.CONFIRMED
    )
    cancelled = Registration.objects.create(
        event=DialogueEvent.objects.create(
            municipality=town_a,
            kind="walk",
            slug="v",
            title="V",
            venue="V",
            starts_at=start + timedelta(days=90),
            ends_at=start + timedelta(days=90, hours=1),
        ),
        name="B",
        email="b@example.org",
        status=Registration.Status.CANCELLED,
    )
    job = _rule("participation.registrations")
    assert job.run(timezone.now() + timedelta(days=20)) == 0
    assert job.run(timezone.now() + timedelta(days=31)) == 1  # the cancelled one
    assert not Registration.objects.filter(pk=cancelled.pk).exists()
    assert job.run(timezone.now() + timedelta(days=35)) == 1  # the dialogue's one
    assert not Registration.objects.exists()
