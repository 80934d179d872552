"""Retention rows of the Online-Anträge (core.retention)."""

from rathaus.core.export import ExportFile, Section, Statement, email_q
from rathaus.core.retention import Rule, days

from . import representation, services

#: A registration whose e-mail address was never confirmed lapses after this many days.
UNACTIVATED_DAYS = 7


def delete_unactivated_accounts(now) -> int:
    """Accounts registered but never activated (no login, no role, no application) are
    deleted; the activation link is valid for a day anyway."""
    from datetime import timedelta

    from rathaus.core.models import User

    due = User.objects.filter(
        is_active=False,
        last_login__isnull=True,
        date_joined__lt=now - timedelta(days=UNACTIVATED_DAYS),
        roles__isnull=True,
        applications__isnull=True,
        is_staff=False,
        is_superuser=False,
    )
    deleted, _ = User.objects.filter(pk__in=list(due.values_list("pk", flat=True))).delete()
    return deleted


RETENTION = [
    Rule(
        key="applications.unactivated_accounts",
        area="Nutzerkonto",
        record="Registrierungen, deren E-Mail-Adresse nie bestätigt wurde (Name, E-Mail-Adresse, "
        "Passwort-Hash)",
        purpose="Konto nach Bestätigung der E-Mail-Adresse freischalten",
        legal_basis="Art. 6 Abs. 1 lit. a und e DSGVO",
        period=f"{UNACTIVATED_DAYS} Tage nach der Registrierung",
        action="die Registrierung wird gelöscht",
        job=delete_unactivated_accounts,
        every_seconds=24 * 3600,
    ),
    Rule(
        key="applications.cases",
        area="Online-Anträge",
        record="Anträge: Formularangaben (auch Name, Geburtsdatum und Anschrift einer vertretenen "
        "Person oder Firma), Nachweise (Dateien), Nachrichten im Postfach, "
        "Bearbeitungsvermerke, Bescheide",
        purpose="Antrag bearbeiten und bescheiden",
        legal_basis="Art. 6 Abs. 1 lit. c und e DSGVO i. V. m. dem Fachrecht der Leistung",
        period="je Leistung festgelegt (zwischen 180 Tagen und 10 Jahren nach Abschluss)",
        action="Formularangaben, Angaben zur vertretenen Person oder Firma, Dateien, Nachrichten, "
        "freie Texte der Vorgangshistorie und die Verknüpfung zum Konto werden gelöscht; "
        "Leistung, Daten, Ergebnis und die Art der Vertretung bleiben für die Statistik",
        recipients="das Fachverfahren der Kommune (Abruf über die Schnittstelle)",
        job=services.anonymise_closed_cases,
    ),
    Rule(
        key="applications.booking_payments",
        area="Online-Anträge",
        record="Zahlungen von Termingebühren (Reservierungsgebühr des Traukalenders): Betrag, "
        "Zustand, Kennung beim Zahlungsdienst, Verwendungszweck mit Buchungscode, Link zur "
        "Bezahlseite",
        purpose="Reservierungsgebühr annehmen, Zahlung dem Termin zuordnen, Erstattung prüfen",
        legal_basis="Art. 6 Abs. 1 lit. c und e DSGVO i. V. m. dem Gemeindehaushaltsrecht",
        period=days(
            "APPOINTMENTS_RETENTION_DAYS",
            90,
            "{n} Tage nach dem Termin (wie die Terminbuchung)",
        ),
        action="Buchungscode im Verwendungszweck und Link zur Bezahlseite werden gelöscht; "
        "Betrag, Zustand, Kennung beim Zahlungsdienst und Zeitpunkte bleiben als Kassenbeleg",
        recipients="der von der Kommune eingerichtete Zahlungsdienst",
        job=services.anonymise_booking_payments,
        every_seconds=24 * 3600,
    ),
    Rule(
        key="applications.drafts",
        area="Online-Anträge",
        record="nicht abgeschickte Entwürfe mit hochgeladenen Dateien",
        purpose="Antrag später fortsetzen",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
        period=f"{services.DRAFT_DAYS} Tage nach der letzten Änderung",
        action="der Entwurf wird mit seinen Dateien gelöscht",
        job=services.delete_stale_drafts,
    ),
]


# --- export and account deletion (core.export) ---------------------------------------


def _applications_of(person):
    from django.db.models import Q

    from .models import Application

    return (
        Application.objects.filter(Q(applicant=person.user) | email_q("guest_email", person.emails))
        .select_related("service", "municipality")
        .prefetch_related("payments", "uploads", "case_events")
        .order_by("created_at")
    )


def _upload_file(upload, prefix):
    return ExportFile(
        f"{prefix}/{upload.pk}-{upload.original_name}", lambda: upload.file.open("rb")
    )


def export_applications(person):
    records, files = [], []
    for app in _applications_of(person):
        prefix = app.reference or str(app.key)
        records.append(
            {
                "Kommune": app.municipality.name,
                "Leistung": app.service.name,
                "Aktenzeichen": app.reference,
                "Zustand": app.get_state_display(),
                "Bearbeitungsstand": app.case_status,
                "Ergebnis": app.get_outcome_display(),
                "eingereicht am": app.submitted_at,
                "Angaben": {k: v for k, v in app.data.items() if not k.startswith("_")},
                "Vertretung": representation.export(app.acting_as, app.represented),
                "Zahlungen": [
                    {"Betrag (Cent)": p.amount_cents, "Status": p.status, "am": p.created_at}
                    for p in app.payments.all()
                ],
                "Verlauf": [
                    {"am": e.created_at, "Art": e.get_kind_display(), "Text": e.text}
                    for e in app.case_events.all()
                    if not e.internal
                ],
                "Dateien": [
                    f"files/applications.cases/{prefix}/{u.pk}-{u.original_name}"
                    for u in app.uploads.all()
                ],
            }
        )
        files.extend(_upload_file(u, prefix) for u in app.uploads.all())
    return Section("applications.cases", "Online-Anträge", records, files)


def export_booking_payments(person):
    """The fee payments of the person's bookings (the wedding calendar's 60 €, ADR 0034);
    the bookings themselves are in the appointments app's section."""
    from rathaus.appointments.privacy import bookings_of

    from .models import Payment

    payments = (
        Payment.objects.filter(booking__in=bookings_of(person).values("pk"))
        .select_related("booking__service", "municipality")
        .order_by("created_at", "id")
    )
    records = [
        {
            "Kommune": p.municipality.name,
            "Leistung": p.booking.service.name,
            "Termin": p.booking.starts_at,
            "Buchungscode": p.booking.code,
            "Verwendungszweck": p.description,
            "Betrag (Cent)": p.amount_cents,
            "Status": p.get_status_display(),
            "Zahlungsdienst": p.provider,
            "Kennung beim Zahlungsdienst": p.provider_id,
            "angelegt am": p.created_at,
            "geändert am": p.updated_at,
        }
        for p in payments
    ]
    return Section("applications.booking_payments", "Zahlungen von Termingebühren", records)


def export_messages(person):
    from django.db.models import Q

    from .models import Message

    messages = Message.objects.filter(
        Q(recipient=person.user) | Q(sender=person.user)
    ).select_related("application")
    records = [
        {
            "Richtung": m.get_direction_display(),
            "Betreff": m.subject,
            "Text": m.body,
            "Aktenzeichen": m.application.reference if m.application else "",
            "am": m.created_at,
            "gelesen am": m.read_at,
        }
        for m in messages
    ]
    return Section(
        "applications.messages", "Postfach (empfangene und gesendete Nachrichten)", records
    )


def export_login_identities(person):
    from .models import OidcIdentity, TotpDevice

    records = [
        {"Anmeldedienst": i.issuer, "Kennung beim Dienst": i.subject, "verknüpft am": i.created_at}
        for i in OidcIdentity.objects.filter(user=person.user)
    ]
    if TotpDevice.objects.filter(user=person.user).exists():
        records.append({"Zwei-Faktor-Anmeldung": "eingerichtet (Authenticator-App)"})
    return Section("applications.identities", "Anmeldeverfahren", records)


def erase_applications(user) -> None:
    """Drafts go at once (with their files); submitted applications stay under their
    retention period, reachable by e-mail (the account's address) instead of the Postfach."""
    from rathaus.core import audit

    from .models import Application

    for draft in Application.objects.filter(applicant=user, state=Application.State.DRAFT):
        audit.record("applications.draft_deleted_with_account", draft, actor_label="Konto gelöscht")
        draft.uploads.all().delete()
        draft.delete()
    submitted = Application.objects.filter(applicant=user, anonymised_at__isnull=True)
    for app in submitted:
        audit.record("applications.account_deleted", app, actor_label="Konto gelöscht")
    submitted.update(applicant=None, guest_email=user.email)


EXPORTERS = [
    export_applications,
    export_booking_payments,
    export_messages,
    export_login_identities,
]
ERASERS = [erase_applications]
ACCOUNT_DELETION = [
    Statement(
        area="Online-Anträge",
        deleted="Entwürfe mit ihren Dateien, Ihr Postfach, Verknüpfungen mit Anmeldediensten "
        "(z. B. BundID) und die Zwei-Faktor-Anmeldung.",
        kept="Abgeschickte Anträge mit Angaben, Nachweisen und Bescheiden bleiben bis zum Ende "
        "ihrer Aufbewahrungsfrist; Nachrichten dazu erhalten Sie dann per E-Mail.",
        why="Die Verwaltung muss Vorgänge nach dem Fachrecht aufbewahren (Art. 17 Abs. 3 lit. b "
        "DSGVO).",
    ),
]
