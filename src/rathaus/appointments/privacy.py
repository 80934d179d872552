"""Retention rows of the Terminvergabe (core.retention)."""

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
        key="appointments.waitlist",
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
        key="appointments.lottery",
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
