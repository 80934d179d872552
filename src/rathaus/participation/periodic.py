"""Periodic jobs of the participation module (run by `rathaus scheduler`).

The retention jobs (photos, contact data, registrations) are rows of the retention
registry in ``participation.privacy`` (core.retention); they live here because the
existing callers and tests know them here.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from rathaus.core.periodic import Job

from .dialogues.models import Registration
from .reports.models import Report, ReportPhoto, ReportUpdate

CONFIRM_HOURS = 48
#: Registrations are deleted this many days after their dialogue ended (or after
#: they were cancelled or lapsed).
REGISTRATION_DAYS = 30


def delete_abandoned_photos(now=None) -> int:
    """Photos of reports that were never submitted are deleted after a day (idempotent)."""
    cutoff = (now or timezone.now()) - timedelta(days=1)
    deleted, _ = ReportPhoto.objects.filter(
        report=None, update=None, created_at__lt=cutoff
    ).delete()
    return deleted  # the files go with their rows (core.files)


def expire_unconfirmed_registrations() -> int:
    """Registrations never confirmed within 48 hours lapse (the e-mail says so)."""
    cutoff = timezone.now() - timedelta(hours=CONFIRM_HOURS)
    return Registration.objects.filter(
        status=Registration.Status.UNCONFIRMED, created_at__lt=cutoff
    ).update(status=Registration.Status.CANCELLED)


def erase_old_contact_data(now=None) -> int:
    """GDPR: contact data of reports finished long ago is erased (the report stays)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PARTICIPATION_CONTACT_RETENTION_DAYS)
    finished = Report.objects.filter(
        status__in=Report.FINAL_STATUSES, status_changed_at__lt=cutoff
    ).exclude(contact_email="", contact_name="", contact_phone="")
    return _erase_contact(finished)


def _erase_contact(reports) -> int:
    """Contact data goes, and with it the internal notes (free text about the person);
    public status notes stay with the public report."""
    ids = list(reports.values_list("pk", flat=True))
    ReportUpdate.objects.filter(report_id__in=ids, is_public=False).exclude(text="").update(text="")
    return Report.objects.filter(pk__in=ids).update(
        contact_email="", contact_name="", contact_phone=""
    )


def erase_stalled_contact_data(now=None) -> int:
    """Reports that never reach a final status lose their contact data after the
    longer period, counted from their last change of status (or their creation)."""
    now = now or timezone.now()
    days = int(getattr(settings, "PARTICIPATION_OPEN_CONTACT_RETENTION_DAYS", 730))
    stalled = (
        Report.objects.exclude(status__in=Report.FINAL_STATUSES)
        .alias(last_change=Coalesce("status_changed_at", "created_at"))
        .filter(last_change__lt=now - timedelta(days=days))
        .exclude(contact_email="", contact_name="", contact_phone="")
    )
    return _erase_contact(stalled)


def delete_past_registrations(now=None) -> int:
    """Registrations for dialogues that ended a month ago, and cancelled or lapsed ones
    a month after they were made, are deleted."""
    cutoff = (now or timezone.now()) - timedelta(days=REGISTRATION_DAYS)
    due = Registration.objects.filter(
        Q(event__ends_at__lt=cutoff)
        | Q(status=Registration.Status.CANCELLED, created_at__lt=cutoff)
    )
    deleted, _ = due.delete()
    return deleted


TREE_GRANT_DAYS = 365


def tree_grant_days() -> int:
    return int(getattr(settings, "PARTICIPATION_TREE_GRANT_RETENTION_DAYS", TREE_GRANT_DAYS))


def delete_expired_tree_grants(now=None) -> int:
    """Sponsorships and water vouchers are deleted a year (configurable) after they
    expired; until then staff can answer questions about plaques and vouchers."""
    from .trees.models import TreeGrant

    cutoff = timezone.localdate(now or timezone.now()) - timedelta(days=tree_grant_days())
    deleted, _ = TreeGrant.objects.filter(valid_until__lt=cutoff).delete()
    return deleted


def send_area_alerts() -> int:
    from .reports.alerts import send_due

    return send_due()


def send_neighbourhood_digests() -> int:
    from .neighbourhood.services import send_due

    return send_due()


JOBS = [
    Job("participation.send_area_alerts", send_area_alerts, 900),
    # Hourly: each subscription gets its digest once its last one is a week old.
    Job("participation.neighbourhood_digests", send_neighbourhood_digests, 3600),
    Job("participation.expire_unconfirmed_registrations", expire_unconfirmed_registrations, 3600),
]
