"""Retention rows of the Terminvergabe (core.retention)."""

from rathaus.core.export import Section, Statement, email_q
from rathaus.core.retention import Rule, days

from .services import retention

RETENTION = [
    Rule(
        key="appointments.bookings",
        area="Terminvergabe",
        record="Terminbuchungen: Name, E-Mail-Adresse, Telefon (freiwillig), Buchungscode, "
        "interne Notiz",
        purpose="Termin bestätigen, erinnern, verschieben oder absagen; Vorsprache vorbereiten",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO i. V. m. dem Fachrecht der Leistung",
        period=days(
            "APPOINTMENTS_RETENTION_DAYS", 90, "{n} Tage nach dem Termin (in jedem Zustand)"
        ),
        action="Termine, die einen Tag nach ihrem Ende noch offen sind, werden geschlossen; nach "
        "Fristablauf werden Name, Kontakt, Notiz, Absagegrund und Buchungscode gelöscht (ein "
        "neuer Zufallscode ersetzt ihn, alte Links und QR-Codes führen ins Leere). Zeit, "
        "Leistung und Zustand bleiben für die Statistik. Links zum Verwalten gelten bis 30 "
        "Tage nach dem Termin.",
        job=retention.bookings,
    ),
    Rule(
        key="appointments.waitlist_retention",
        area="Terminvergabe",
        record="Wartelistenplätze: Name, E-Mail-Adresse, Telefon",
        purpose="frei gewordene Termine anbieten",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
        period="30 Tage nach Buchung, Abmeldung oder Verfall des Angebots; höchstens 1 Jahr",
        action="der Eintrag wird gelöscht",
        job=retention.waitlist_entries,
        every_seconds=24 * 3600,
    ),
    Rule(
        key="appointments.lottery_retention",
        area="Terminvergabe",
        record="Teilnahmen an Terminverlosungen: Name, E-Mail-Adresse, Telefon, Wünsche",
        purpose="Termine bei großem Andrang fair verlosen",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
        period="30 Tage nach dem letzten verlosten Tag",
        action="die Teilnahmen werden gelöscht (gewonnene Termine folgen der Frist der "
        "Terminbuchungen); Zahl und Prüfsumme der Ziehung bleiben",
        job=retention.lottery_entries,
        every_seconds=24 * 3600,
    ),
]


# --- export and account deletion (core.export) ---------------------------------------


def bookings_of(person):
    """The bookings of ``person`` (account, booked for them, or their e-mail addresses);
    the applications app uses it to export the payments of these bookings."""
    from django.db.models import Q

    from .models import Booking

    return (
        Booking.objects.filter(
            Q(account=person.user)
            | Q(booked_by=person.user)
            | Q(person_key__in=person.emails)
            | email_q("email", person.emails)
        )
        .select_related("service", "resource__location", "municipality")
        .order_by("starts_at")
    )


def export_bookings(person):
    bookings = bookings_of(person)
    records = [
        {
            "Kommune": b.municipality.name,
            "Leistung": b.service.name,
            "Ort": b.resource.location.name,
            "Beginn": b.starts_at,
            "Zustand": b.get_status_display(),
            "Buchungscode": b.code,
            "Name": b.name,
            "E-Mail-Adresse": b.email,
            "Telefon": b.phone,
            "gebucht am": b.created_at,
        }
        for b in bookings
    ]
    return Section("appointments.bookings", "Termine (auch ohne Konto gebuchte)", records)


def export_waiting_and_lottery(person):
    from django.db.models import Q

    from .models import LotteryEntry, WaitlistEntry

    mine = Q(person_key__in=person.emails) | email_q("email", person.emails)
    records = [
        {
            "Art": "Warteliste",
            "Leistung": e.service.name,
            "Zustand": e.get_status_display(),
            "Name": e.name,
            "E-Mail-Adresse": e.email,
            "Telefon": e.phone,
            "am": e.created_at,
        }
        for e in WaitlistEntry.objects.filter(mine).select_related("service")
    ] + [
        {
            "Art": "Verlosung",
            "Leistung": e.service.name,
            "Zustand": e.get_status_display(),
            "Wunschtage": e.days,
            "Name": e.name,
            "E-Mail-Adresse": e.email,
            "Telefon": e.phone,
            "am": e.created_at,
        }
        for e in LotteryEntry.objects.filter(mine).select_related("service")
    ]
    return Section("appointments.waiting", "Wartelisten und Terminverlosungen", records)


EXPORTERS = [export_bookings, export_waiting_and_lottery]
ACCOUNT_DELETION = [
    Statement(
        area="Terminvergabe",
        deleted="Die Verknüpfung Ihrer Termine mit dem Konto.",
        kept="Gebuchte Termine bleiben bestehen (absagen können Sie über den Link in der "
        "Bestätigungs-E-Mail); Name und Kontakt werden 90 Tage nach dem Termin gelöscht. "
        "Wartelisten- und Verlosungsplätze folgen ihren Löschfristen.",
        why="Ein Termin ist eine Verabredung mit dem Amt; er endet nicht mit dem Konto.",
    ),
]
