"""Periodic jobs of the participation module (run by `rathaus scheduler`)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from rathaus.core.periodic import Job

from .dialogues.models import Registration
from .reports.models import Report, ReportPhoto

CONFIRM_HOURS = 48


def delete_abandoned_photos() -> int:
    """Photos of reports that were never submitted are deleted after a day (idempotent)."""
    cutoff = timezone.now() - timedelta(days=1)
    count = 0
    for photo in ReportPhoto.objects.filter(report=None, created_at__lt=cutoff):
        photo.image.delete(save=False)
        photo.delete()
        count += 1
    return count


def expire_unconfirmed_registrations() -> int:
    """Registrations never confirmed within 48 hours lapse (the e-mail says so)."""
    cutoff = timezone.now() - timedelta(hours=CONFIRM_HOURS)
    return Registration.objects.filter(
        status=Registration.Status.UNCONFIRMED, created_at__lt=cutoff
    ).update(status=Registration.Status.CANCELLED)


def erase_old_contact_data() -> int:
    """GDPR: contact data of reports finished long ago is erased (the report stays)."""
    cutoff = timezone.now() - timedelta(days=settings.PARTICIPATION_CONTACT_RETENTION_DAYS)
    finished = Report.objects.filter(
        status__in=Report.FINAL_STATUSES, status_changed_at__lt=cutoff
    ).exclude(contact_email="", contact_name="", contact_phone="")
    return finished.update(contact_email="", contact_name="", contact_phone="")


def send_area_alerts() -> int:
    from .reports.alerts import send_due

    return send_due()


JOBS = [
    Job("participation.send_area_alerts", send_area_alerts, 900),
    Job("participation.delete_abandoned_photos", delete_abandoned_photos, 3600),
    Job("participation.expire_unconfirmed_registrations", expire_unconfirmed_registrations, 3600),
    Job("participation.erase_old_contact_data", erase_old_contact_data, 24 * 3600),
]
