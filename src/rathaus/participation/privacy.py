"""Retention rows of the participation module (core.retention)."""

from rathaus.core.retention import Rule, days

from . import periodic

RETENTION = [
    Rule(
        key="participation.erase_old_contact_data",
        area="Mängelmelder",
        record="Kontaktdaten zu Meldungen (Name, E-Mail-Adresse, Telefon); die Meldung selbst "
        "ist öffentlich und enthält keine Kontaktdaten",
        purpose="Rückfragen und Rückmeldung zur Meldung",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
        period=days(
            "PARTICIPATION_CONTACT_RETENTION_DAYS", 180, "{n} Tage nach Erledigung der Meldung"
        ),
        action="die Kontaktdaten werden gelöscht; die Meldung bleibt",
        job=periodic.erase_old_contact_data,
        every_seconds=24 * 3600,
    ),
    Rule(
        key="participation.erase_stalled_contact_data",
        area="Mängelmelder",
        record="Kontaktdaten zu Meldungen, die nie erledigt wurden",
        purpose="Rückfragen und Rückmeldung zur Meldung",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
        period=days(
            "PARTICIPATION_OPEN_CONTACT_RETENTION_DAYS",
            730,
            "{n} Tage nach der letzten Statusänderung",
        ),
        action="die Kontaktdaten werden gelöscht; die Meldung bleibt",
        job=periodic.erase_stalled_contact_data,
        every_seconds=24 * 3600,
    ),
    Rule(
        key="participation.delete_abandoned_photos",
        area="Mängelmelder",
        record="Fotos zu Meldungen, die nie abgeschickt wurden",
        purpose="Foto einer Meldung vor dem Absenden zeigen",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
        period="1 Tag",
        action="das Foto wird gelöscht",
        job=periodic.delete_abandoned_photos,
        every_seconds=3600,
    ),
    Rule(
        key="participation.registrations",
        area="Dialoge und Sprechstunden",
        record="Anmeldungen: Name und E-Mail-Adresse",
        purpose="Plätze vergeben, über Änderungen informieren",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
        period=f"{periodic.REGISTRATION_DAYS} Tage nach der Veranstaltung oder nach Abmeldung "
        "bzw. Verfall einer unbestätigten Anmeldung",
        action="die Anmeldung wird gelöscht",
        job=periodic.delete_past_registrations,
        every_seconds=24 * 3600,
    ),
]
