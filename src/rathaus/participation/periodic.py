"""Periodic jobs of the participation module (run by `rathaus scheduler`)."""

from datetime import timedelta

from django.utils import timezone

from rathaus.core.periodic import Job

from .reports.models import ReportPhoto


def delete_abandoned_photos() -> int:
    """Photos of reports that were never submitted are deleted after a day (idempotent)."""
    cutoff = timezone.now() - timedelta(days=1)
    count = 0
    for photo in ReportPhoto.objects.filter(report=None, created_at__lt=cutoff):
        photo.image.delete(save=False)
        photo.delete()
        count += 1
    return count


JOBS = [Job("participation.delete_abandoned_photos", delete_abandoned_photos, 3600)]
