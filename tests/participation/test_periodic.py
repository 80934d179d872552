"""Periodic jobs: abandoned draft photos, lapsed registrations, contact-data retention."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rathaus.participation import periodic
from rathaus.participation.dialogues.models import DialogueEvent, Registration
from rathaus.participation.reports import services
from rathaus.participation.reports.models import Report, ReportPhoto

from .conftest import jpeg_with_gps

pytestmark = pytest.mark.django_db


def test_jobs_are_discovered():
    from rathaus.core.periodic import discover

    names = {job.name for job in discover()}
    assert "participation.erase_old_contact_data" in names


def test_abandoned_photos_deleted(pothole):
    old = services.add_draft_photo("k", SimpleUploadedFile("a.jpg", jpeg_with_gps()))
    ReportPhoto.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    fresh = services.add_draft_photo("k", SimpleUploadedFile("b.jpg", jpeg_with_gps()))
    assert periodic.delete_abandoned_photos() == 1
    assert list(ReportPhoto.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_unconfirmed_registrations_lapse(town_a):
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
    old = Registration.objects.create(event=event, name="A", email="a@example.org")
    Registration.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=49))
    new = Registration.objects.create(event=event, name="B", email="b@example.org")
    assert periodic.expire_unconfirmed_registrations() == 1
    assert Registration.objects.get(pk=old.pk).status == "cancelled"
    assert Registration.objects.get(pk=new.pk).status == "unconfirmed"


def test_contact_data_erased_after_retention(pothole, settings):
    town = pothole.municipality
    done = services.submit_report(
        town,
        category=pothole,
        description="a",
        address="x",
        contact_email="e@example.org",
        contact_name="E",
    )
    services.change_status(done, status="fixed", actor=None)
    running = services.submit_report(
        town, category=pothole, description="b", address="x", contact_email="f@example.org"
    )
    Report.objects.update(status_changed_at=timezone.now() - timedelta(days=181))
    assert periodic.erase_old_contact_data() == 1
    done.refresh_from_db()
    running.refresh_from_db()
    assert (done.contact_email, done.contact_name) == ("", "")
    assert running.contact_email == "f@example.org"
