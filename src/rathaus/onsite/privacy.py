"""Retention row of Vor-Ort (core.retention)."""

from rathaus.core.retention import Rule, days

from . import services

RETENTION = [
    Rule(
        key="onsite.tickets",
        area="Vor-Ort (Wartenummern)",
        record="Wartenummern mit Verknüpfung zum gebuchten Termin",
        purpose="Aufruf am Schalter, Wartezeitschätzung, Statistik",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
        period=days("ONSITE_RETENTION_DAYS", 90, "{n} Tage nach dem Besuch"),
        action="die Verknüpfung zum Termin wird gelöscht; Zeiten und Leistungen bleiben für die "
        "Statistik",
        job=services.apply_retention,
    ),
]
