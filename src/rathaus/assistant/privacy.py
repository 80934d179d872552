"""Retention row of the assistant (core.retention)."""

from rathaus.core.retention import Rule

from . import services


def _period() -> str:
    hours = max(1, services.retention_seconds() // 3600)
    return (
        f"Gesprächsverlauf im Wortlaut: {hours} Stunden nach der letzten Frage; "
        "anonymisierte offene Fragen und Bewertungen: 180 Tage"
    )


RETENTION = [
    Rule(
        key="assistant.purge_conversations",
        area="Assistent",
        record="Gesprächsverlauf im Wortlaut (Fragen und Antworten, ohne Konto und ohne "
        "IP-Adresse); Fragen, die der Assistent nicht beantworten konnte, ohne Namen, "
        "Adressen, Telefonnummern und E-Mail-Adressen; Bewertungen der Antworten (ebenso "
        "anonymisiert)",
        purpose="Rückfragen im selben Gespräch verstehen; Antworten verbessern",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
        period=_period,
        action="das Gespräch wird gelöscht; offene Fragen und Bewertungen werden nach 180 Tagen "
        "gelöscht",
        job=services.purge_expired,
        every_seconds=600,
    ),
]
