"""Retention row of the council module (core.retention): e-mail alerts."""

from datetime import datetime, timedelta

from django.db import transaction

from rathaus.core import audit
from rathaus.core.export import Section, Statement, email_q
from rathaus.core.retention import Rule

from .models import SavedSearch

#: A requested alert that was not confirmed within this time lapses.
UNCONFIRMED_DAYS = 7


def delete_unconfirmed_alerts(now: datetime) -> int:
    """Alerts never confirmed within a week are deleted (the address was never verified)."""
    due = SavedSearch.objects.filter(
        confirmed_at__isnull=True, created__lt=now - timedelta(days=UNCONFIRMED_DAYS)
    )
    deleted = 0
    for alert in due.select_related("municipality"):
        with transaction.atomic():
            audit.record("council.alert_lapsed", alert, actor_label="Löschfrist")
            alert.delete()
        deleted += 1
    return deleted


RETENTION = [
    Rule(
        key="council.alerts",
        area="Ratsinformation",
        record="Suchabos: E-Mail-Adresse und Suchbegriff",
        purpose="über neue Vorlagen zum Suchbegriff informieren",
        legal_basis="Art. 6 Abs. 1 lit. a DSGVO (Einwilligung, bestätigt per E-Mail)",
        period=f"unbestätigt {UNCONFIRMED_DAYS} Tage; bestätigt bis zur Abmeldung (Link in "
        "jeder E-Mail)",
        action="das Abo wird gelöscht",
        job=delete_unconfirmed_alerts,
        every_seconds=24 * 3600,
    ),
]


# --- export and account deletion (core.export) ---------------------------------------


def export_alerts(person):
    alerts = SavedSearch.objects.filter(email_q("email", person.emails)).select_related(
        "municipality"
    )
    records = [
        {
            "Kommune": a.municipality.name,
            "Suchbegriff": a.query,
            "E-Mail-Adresse": a.email,
            "bestellt am": a.created,
            "bestätigt am": a.confirmed_at,
        }
        for a in alerts
    ]
    return Section("council.alerts", "Suchabos der Ratsinformation", records)


def erase_alerts(user) -> None:
    for alert in SavedSearch.objects.filter(email_q("email", [user.email])):
        audit.record("council.alert_deleted_with_account", alert, actor_label="Konto gelöscht")
        alert.delete()


EXPORTERS = [export_alerts]
ERASERS = [erase_alerts]
ACCOUNT_DELETION = [
    Statement(area="Ratsinformation", deleted="Suchabos an Ihre E-Mail-Adresse."),
]
