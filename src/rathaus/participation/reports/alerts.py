"""Area alerts (issue 18): new reports and their public updates in a box or a street,
by e-mail after double opt-in, and as an RSS feed that needs no subscription.

Only published reports count; contact data never leaves the staff side. A report
without a map position matches a street alert by its address text.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from rathaus.core import audit, tenancy

from ..tasks import mail_after_commit
from .models import AreaAlert, Report

# A box larger than this (about 20 x 20 km) is refused: it would mail the whole town.
MAX_SPAN = Decimal("0.2")


def check_area(south, west, north, east, street: str) -> None:
    if street:
        return
    if None in (south, west, north, east):
        raise ValidationError("Wählen Sie ein Gebiet oder eine Straße.")
    if south >= north or west >= east:
        raise ValidationError("Süden muss südlich von Norden, Westen westlich von Osten liegen.")
    if north - south > MAX_SPAN or east - west > MAX_SPAN:
        raise ValidationError("Das Gebiet ist zu groß (höchstens etwa 20 × 20 km).")


def in_area(reports, alert):
    """The published reports of the alert's area or street (a queryset filter)."""
    reports = reports.filter(moderation=Report.Moderation.PUBLISHED)
    if alert.street:
        return reports.filter(address__icontains=alert.street)
    return reports.filter(
        latitude__gte=alert.south,
        latitude__lte=alert.north,
        longitude__gte=alert.west,
        longitude__lte=alert.east,
    )


@transaction.atomic
def subscribe(municipality, *, email, south=None, west=None, north=None, east=None, street=""):
    street = street.strip()
    check_area(south, west, north, east, street)
    alert = AreaAlert.objects.create(
        municipality=municipality,
        email=email.strip().lower(),
        south=None if street else south,
        west=None if street else west,
        north=None if street else north,
        east=None if street else east,
        street=street,
    )
    audit.record(
        "participation.area_alert_requested",
        alert,
        municipality=municipality,
        actor_label="Bürger/in",
    )
    mail_after_commit("alert_confirm", alert.pk)
    return alert


def confirm_mail(pk, ids=()):
    """The double opt-in mail, rendered when the task runs (the task row has the id)."""
    alert = AreaAlert.objects.select_related("municipality").filter(pk=pk).first()
    if alert is None or alert.confirmed_at is not None:
        return None
    confirm = _absolute(
        alert.municipality, reverse("participation:area_alert_confirm", args=[alert.token])
    )
    return (
        "Bitte bestätigen Sie Ihre Benachrichtigung",
        f"Guten Tag,\n\nSie möchten über neue Meldungen im Mängelmelder informiert werden "
        f"({alert.area_label}). Bitte bestätigen Sie das hier:\n{confirm}\n\n"
        "Wenn Sie das nicht waren, ignorieren Sie diese E-Mail; dann geschieht nichts.",
        alert.email,
        alert.municipality,
    )


@transaction.atomic
def confirm(alert: AreaAlert) -> AreaAlert:
    if alert.confirmed_at is None:
        alert.confirmed_at = alert.checked_until = timezone.now()
        alert.save(update_fields=["confirmed_at", "checked_until"])
        audit.record("participation.area_alert_confirmed", alert, actor_label="Bürger/in")
    return alert


UNCONFIRMED_DAYS = 7


def delete_unconfirmed(now) -> int:
    """Requests never confirmed by their double opt-in link are deleted after a week."""
    cutoff = now - timedelta(days=UNCONFIRMED_DAYS)
    deleted, _ = AreaAlert.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def unsubscribe(alert: AreaAlert) -> None:
    audit.record("participation.area_alert_cancelled", alert, actor_label="Bürger/in")
    alert.delete()


def send_due(now=None) -> int:
    """Periodic job: one e-mail per confirmed alert listing reports published or changed
    in its area since the last run. Returns the number of e-mails."""
    now = now or timezone.now()
    sent = 0
    for alert_id in AreaAlert.objects.filter(confirmed_at__isnull=False).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            alert = AreaAlert.objects.select_for_update().filter(pk=alert_id).first()
            if alert is None:
                continue
            changed = in_area(Report.objects.for_municipality(alert.municipality), alert).filter(
                updated_at__gt=alert.checked_until, updated_at__lte=now
            )
            reports = list(changed.select_related("category").order_by("created_at")[:50])
            alert.checked_until = now
            alert.save(update_fields=["checked_until"])
            if reports:
                sent += 1
                mail_after_commit("alert_digest", alert.pk, [r.pk for r in reports])
    return sent


def digest_mail(pk, report_ids):
    """The reports of one run for one alert; an alert cancelled before sending gets none."""
    alert = AreaAlert.objects.select_related("municipality").filter(pk=pk).first()
    if alert is None:
        return None
    reports = list(
        Report.objects.for_municipality(alert.municipality)
        .filter(pk__in=report_ids)
        .select_related("category")
        .order_by("created_at")
    )
    if not reports:
        return None
    lines = []
    for report in reports:
        new = report.created_at > (alert.confirmed_at or report.created_at)
        label = "Neu" if new and report.status == Report.Status.RECEIVED else "Neuer Stand"
        url = _absolute(
            alert.municipality, reverse("participation:report_detail", args=[report.pk])
        )
        lines.append(
            f"- {label}: Nr. {report.pk} {report.category.name}, {report.get_status_display()}"
            f"{', ' + report.address if report.address else ''}\n  {url}"
        )
    stop = _absolute(
        alert.municipality, reverse("participation:area_alert_unsubscribe", args=[alert.token])
    )
    return (
        f"Mängelmelder: {len(reports)} Meldung(en) in Ihrem Gebiet",
        "Guten Tag,\n\nin Ihrem Gebiet ({}) gibt es Neues:\n\n{}\n\nAbbestellen: {}".format(
            alert.area_label, "\n".join(lines), stop
        ),
        alert.email,
        alert.municipality,
    )


def _absolute(municipality, path: str) -> str:
    """Links in alert e-mails lead to the town's own configured address (issue 21)."""
    return tenancy.public_url(municipality, path)


def feed_filter(south, west, north, east, street: str) -> Q:
    """The same area rule for the RSS feed (no subscription, no personal data)."""
    if street:
        return Q(address__icontains=street)
    return Q(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)
