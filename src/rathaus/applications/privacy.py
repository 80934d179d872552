"""Retention rows of the Online-Anträge (core.retention)."""

from rathaus.core.retention import Rule

from . import services

RETENTION = [
    Rule(
        key="applications.cases",
        area="Online-Anträge",
        record="Anträge: Formularangaben, Nachweise (Dateien), Nachrichten im Postfach, "
        "Bearbeitungsvermerke, Bescheide",
        purpose="Antrag bearbeiten und bescheiden",
        legal_basis="Art. 6 Abs. 1 lit. c und e DSGVO i. V. m. dem Fachrecht der Leistung",
        period="je Leistung festgelegt (zwischen 180 Tagen und 10 Jahren nach Abschluss)",
        action="Formularangaben, Dateien, Nachrichten, freie Texte der Vorgangshistorie und die "
        "Verknüpfung zum Konto werden gelöscht; Leistung, Daten und Ergebnis bleiben für die "
        "Statistik",
        recipients="das Fachverfahren der Kommune (Abruf über die Schnittstelle)",
        job=services.anonymise_closed_cases,
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
