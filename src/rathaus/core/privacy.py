"""Retention rows of the core: sessions, the audit log, task rows, orphaned files."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone

from . import files
from .export import Statement
from .models import AuditEntry
from .retention import Rule, days, setting_days


def delete_expired_sessions(now: datetime) -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=now).delete()
    return deleted


def prune_audit_log(now: datetime) -> int:
    """Audit entries older than the period are deleted (the log is append-only until then)."""
    cutoff = now - timedelta(days=setting_days("RATHAUS_AUDIT_RETENTION_DAYS", 3 * 365))
    deleted, _ = AuditEntry.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def prune_finished_tasks(now: datetime) -> int:
    """Finished background tasks (e-mails sent or failed) are deleted after a week.

    A task row holds its arguments; the e-mail tasks carry ids where they can, but
    older rows and account mails carry an address, so finished rows must not stay.
    """
    from django_tasks_db.models import DBTaskResult

    cutoff = now - timedelta(days=setting_days("RATHAUS_TASK_RETENTION_DAYS", 7))
    finished = DBTaskResult.objects.filter(
        status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff
    )
    deleted, _ = finished.delete()
    # The records that keep a retried task from sending a mail twice go with them.
    from .ops.models import SentMail

    SentMail.objects.filter(sent_at__lt=cutoff).delete()
    return deleted


def _prune_held_mails(now: datetime) -> int:
    from .held_mail import prune

    return prune(now)


RETENTION = [
    Rule(
        key="core.sessions",
        area="Anmeldung",
        record="Sitzungen angemeldeter Personen (Sitzungskennung, Konto-ID, Sprache)",
        purpose="Anmeldung aufrechterhalten",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO; § 25 Abs. 2 Nr. 2 TTDSG (technisch notwendig)",
        period="bis zum Ablauf der Sitzung (höchstens 2 Wochen)",
        action="abgelaufene Sitzungen werden gelöscht",
        job=delete_expired_sessions,
        every_seconds=3600,
    ),
    Rule(
        key="core.audit_log",
        area="Protokoll",
        record="Protokoll der Änderungen und Zugriffe des Personals (wer, was, wann, Objekt-ID)",
        purpose="Nachvollziehbarkeit, Datensicherheit (Art. 5 Abs. 2, Art. 32 DSGVO)",
        legal_basis="Art. 6 Abs. 1 lit. c und e DSGVO",
        period=days("RATHAUS_AUDIT_RETENTION_DAYS", 3 * 365, "{n} Tage"),
        action="Einträge werden gelöscht",
        job=prune_audit_log,
        every_seconds=24 * 3600,
    ),
    Rule(
        key="core.finished_tasks",
        area="E-Mail-Versand",
        record="Aufträge für E-Mails (Empfänger-ID oder -Adresse, Vorlage)",
        purpose="E-Mails nach dem Speichern zuverlässig versenden",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
        period=days("RATHAUS_TASK_RETENTION_DAYS", 7, "{n} Tage nach dem Versand"),
        action="erledigte und fehlgeschlagene Aufträge werden gelöscht",
        recipients="der E-Mail-Server der Kommune",
        job=prune_finished_tasks,
        every_seconds=3600,
    ),
    Rule(
        key="core.held_mails",
        area="E-Mail-Versand",
        record="E-Mails an Adressen, die sonst nirgends gespeichert sind (Bestätigung einer "
        "Kontolöschung, Abstimmungscode): Adresse, Betreff, Text",
        purpose="die E-Mail nach dem Speichern zuverlässig versenden",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO; Art. 12 Abs. 3 DSGVO (Mitteilung der Löschung)",
        period="bis zum Versand, höchstens 7 Tage",
        action="nach dem Versand sofort gelöscht, nicht versendete nach 7 Tagen",
        recipients="der E-Mail-Server der Kommune",
        job=_prune_held_mails,
        every_seconds=3600,
    ),
    Rule(
        key="core.orphan_files",
        area="Hochgeladene Dateien",
        record="Dateien, zu denen es keinen Datensatz mehr gibt",
        purpose="keiner (Reste abgebrochener Vorgänge)",
        legal_basis="Art. 5 Abs. 1 lit. c und e DSGVO (Datenminimierung, Speicherbegrenzung)",
        period="1 Tag",
        action="die Dateien werden gelöscht; Dateien eines gelöschten Datensatzes sofort",
        job=files.sweep_orphans,
        every_seconds=24 * 3600,
    ),
]


# --- export and account deletion (core.export) ---------------------------------------


def export_account(person):
    from .export import Section
    from .models import StaffRole

    user = person.user
    record = {
        "E-Mail-Adresse": user.email,
        "Vorname": user.first_name,
        "Nachname": user.last_name,
        "Anzeigename": user.display_name,
        "registriert am": user.date_joined,
        "letzte Anmeldung": user.last_login,
        "Rollen": [
            f"{role.get_role_display()} ({role.municipality.name})"
            for role in StaffRole.objects.filter(user=user).select_related("municipality")
        ],
    }
    return Section("core.account", "Konto", [record])


def erase_sessions(user) -> None:
    """The account's sessions end with it (every device is logged out)."""
    from django.contrib.sessions.models import Session

    for session in Session.objects.filter(expire_date__gte=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()


def _login_records():
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return [AccessAttempt, AccessFailureLog, AccessLog]


def erase_login_records(user) -> None:
    """The login throttle's records (django-axes) name the account's address."""
    for model in _login_records():
        model.objects.filter(username__iexact=user.email).delete()


def prune_login_records(now: datetime) -> int:
    """Login attempts and the login log are deleted after the period."""
    cutoff = now - timedelta(days=setting_days("RATHAUS_LOGIN_LOG_RETENTION_DAYS", 30))
    return sum(
        model.objects.filter(attempt_time__lt=cutoff).delete()[0] for model in _login_records()
    )


RETENTION.append(
    Rule(
        key="core.login_records",
        area="Anmeldung",
        record="Anmeldeversuche und Anmeldeprotokoll (E-Mail-Adresse, IP-Adresse, Browser, Zeit)",
        purpose="Schutz vor dem Erraten von Passwörtern (Sperre nach Fehlversuchen)",
        legal_basis="Art. 6 Abs. 1 lit. e, Art. 32 DSGVO",
        period=days("RATHAUS_LOGIN_LOG_RETENTION_DAYS", 30, "{n} Tage"),
        action="die Einträge werden gelöscht; beim Löschen des Kontos sofort",
        job=prune_login_records,
        every_seconds=24 * 3600,
    )
)

EXPORTERS = [export_account]
ERASERS = [erase_sessions, erase_login_records]

ACCOUNT_DELETION = [
    Statement(
        area="Konto",
        deleted="Ihr Konto mit Name, E-Mail-Adresse, Passwort und Rollen; alle Anmeldungen "
        "auf allen Geräten enden.",
        kept="Im Protokoll der Verwaltung bleibt, dass ein Konto etwas getan hat, nicht wer.",
        why="Nachvollziehbarkeit der Verwaltung (Art. 5 Abs. 2 DSGVO); das Protokoll wird nach "
        "seiner Frist gelöscht.",
    ),
]
