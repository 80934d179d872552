"""Retention row of the catalog (core.retention): the anonymous satisfaction answers."""

from rathaus.core.retention import Rule

from . import services

RETENTION = [
    Rule(
        key="catalog.purge_satisfaction",
        area="Leistungskatalog",
        record="Antworten auf die freiwillige Frage zur Zufriedenheit nach einer Terminbuchung, "
        "einem Online-Antrag oder einem abgeschlossenen Vorgang: Leistung, Monat, Auswahl "
        "(einfach? Zeit gespart?) und der Freitext „Was war schwierig?“ ohne Namen, Adressen, "
        "Telefonnummern und E-Mail-Adressen; ohne Verbindung zum Termin, zum Antrag oder zum "
        "Konto",
        purpose="Qualität der Verwaltungsleistungen messen und verbessern (Nutzbarkeit, "
        "Zeitersparnis)",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
        period=f"Freitext: {services.SATISFACTION_TEXT_MONTHS} Monate; Auswahl-Antworten: "
        f"{services.SATISFACTION_KEEP_MONTHS} Monate",
        action="der Freitext wird gelöscht, später die ganze Antwort",
        job=services.purge_satisfaction,
        every_seconds=24 * 3600,
    ),
]
