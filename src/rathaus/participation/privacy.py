"""Retention rows of the participation module (core.retention)."""

from rathaus.core.export import ExportFile, Section, Statement, email_q
from rathaus.core.retention import Rule, days

from . import periodic
from .budget import secrecy
from .neighbourhood import services as neighbourhood
from .reports import alerts

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
        action="die Kontaktdaten und interne Vermerke werden gelöscht; die Meldung und ihre "
        "öffentlichen Rückmeldungen bleiben",
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
        action="die Kontaktdaten und interne Vermerke werden gelöscht; die Meldung und ihre "
        "öffentlichen Rückmeldungen bleiben",
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
        key="participation.budget_ballots",
        area="Bürgerhaushalt",
        record="Stimmzettel: wer abgestimmt hat (Konto) und die vergebenen Punkte",
        purpose="geheime Abstimmung über die Vorschläge; jede Person stimmt einmal ab",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
        period="Punkte: bis zum Ende der Abstimmung mit dem Konto verbunden; „hat abgestimmt“: "
        f"{secrecy.VOTER_LIST_DAYS} Tage nach dem Ende der Abstimmung",
        action="am Ende der Abstimmung werden die Punkte vom Konto getrennt und in zufälliger "
        "Reihenfolge neu gespeichert (niemand kann sie einer Person zuordnen); danach wird "
        "der Vermerk „hat abgestimmt“ gelöscht",
        job=secrecy.seal_and_prune,
        every_seconds=3600,
    ),
    Rule(
        key="participation.area_alerts",
        area="Mängelmelder",
        record="Gebietsbenachrichtigungen: E-Mail-Adresse und Gebiet oder Straße",
        purpose="über neue Meldungen im gewählten Gebiet informieren",
        legal_basis="Art. 6 Abs. 1 lit. a DSGVO (Einwilligung durch Bestätigung)",
        period=f"bis zur Abbestellung; unbestätigte Anfragen {alerts.UNCONFIRMED_DAYS} Tage",
        action="die Benachrichtigung wird gelöscht (Abbestellen löscht sofort)",
        job=alerts.delete_unconfirmed,
        every_seconds=24 * 3600,
    ),
    Rule(
        key="participation.neighbourhood",
        area="Nachbarschafts-Abo",
        record="Nachbarschafts-Abos: E-Mail-Adresse und Straße, Adresse mit Umkreis oder Gebiet",
        purpose="einmal in der Woche über Meldungen, Ratsdokumente, Bäume und Dialoge in "
        "der gewählten Nachbarschaft informieren",
        legal_basis="Art. 6 Abs. 1 lit. a DSGVO (Einwilligung durch Bestätigung)",
        period=f"bis zur Abbestellung; unbestätigte Anfragen {neighbourhood.UNCONFIRMED_DAYS} Tage",
        action="das Abo wird gelöscht (Abbestellen löscht sofort)",
        job=neighbourhood.delete_unconfirmed,
        every_seconds=24 * 3600,
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
    Rule(
        key="participation.tree_grants",
        area="Baumgießen",
        record="Baumpatenschaften mit Schild und Wassergutscheine: Konto, Baum, Text des "
        "Schildes, Liter, ausgegeben am, gültig bis, ausgebende Person",
        purpose="Schilder und Gutscheine ausgeben und Rückfragen dazu beantworten",
        legal_basis="Art. 6 Abs. 1 lit. e DSGVO",
        period=days(
            "PARTICIPATION_TREE_GRANT_RETENTION_DAYS",
            periodic.TREE_GRANT_DAYS,
            "{n} Tage nach Ablauf; bei Löschung des Kontos sofort",
        ),
        action="der Eintrag wird gelöscht",
        job=periodic.delete_expired_tree_grants,
        every_seconds=24 * 3600,
    ),
]


# --- export and account deletion (core.export) ---------------------------------------


def export_reports(person):
    from .reports.models import Report

    reports = (
        Report.objects.filter(email_q("contact_email", person.emails))
        .select_related("category", "municipality")
        .prefetch_related("photos")
    )
    records, files = [], []
    for r in reports:
        records.append(
            {
                "Kommune": r.municipality.name,
                "Nummer": r.pk,
                "Kategorie": r.category.name,
                "Beschreibung": r.description,
                "Ort": r.address,
                "Zustand": r.get_status_display(),
                "Name": r.contact_name,
                "E-Mail-Adresse": r.contact_email,
                "Telefon": r.contact_phone,
                "gemeldet am": r.created_at,
                "Fotos": [f"files/participation.reports/{r.pk}-{p.pk}.jpg" for p in r.photos.all()],
            }
        )
        files.extend(
            ExportFile(f"{r.pk}-{p.pk}.jpg", lambda p=p: p.image.open("rb")) for p in r.photos.all()
        )
    return Section("participation.reports", "Mängelmeldungen", records, files)


def export_budget(person):
    from .budget.models import Ballot, Proposal, Support

    user = person.user
    records = [
        {
            "Art": "Vorschlag",
            "Bürgerhaushalt": p.round.title,
            "Titel": p.title,
            "Beschreibung": p.description,
            "Zustand": p.get_status_display(),
            "am": p.created_at,
        }
        for p in Proposal.objects.filter(author=user).select_related("round")
    ]
    records += [
        {"Art": "Unterstützung", "Vorschlag": s.proposal.title, "am": s.created_at}
        for s in Support.objects.filter(user=user).select_related("proposal")
    ]
    records += [
        {
            "Art": "Stimmzettel",
            "Bürgerhaushalt": b.round.title,
            "Punkte": {e.proposal.title: e.points for e in b.entries.select_related("proposal")}
            if not b.round.ballots_sealed_at
            else "geheim: seit dem Ende der Abstimmung nicht mehr mit Ihrem Konto verbunden",
            "am": b.updated_at,
        }
        for b in Ballot.objects.filter(user=user).select_related("round")
    ]
    return Section("participation.budget", "Bürgerhaushalt", records)


def export_trees(person):
    from .trees.models import Adoption, StreetGroupMember, TreeGrant, Watering

    user = person.user
    records = (
        [
            {
                "Art": "Gießen",
                "Baum": str(w.tree),
                "Liter": w.litres,
                "Datum": w.date,
                "Name": w.name,
            }
            for w in Watering.objects.filter(user=user).select_related("tree")
        ]
        + [
            {"Art": "Patenschaft", "Baum": str(a.tree), "seit": a.created_at}
            for a in Adoption.objects.filter(user=user).select_related("tree")
        ]
        + [
            {"Art": "Gießgruppe", "Straße": m.street, "Name": m.name, "seit": m.joined_at}
            for m in StreetGroupMember.objects.filter(user=user)
        ]
        + [
            {
                "Art": g.get_kind_display(),
                "Baum": str(g.tree),
                "Text des Schildes": g.plaque_text,
                "Liter": g.litres,
                "ausgegeben am": g.issued_on,
                "gültig bis": g.valid_until,
            }
            for g in TreeGrant.objects.filter(user=user).select_related("tree")
        ]
    )
    return Section("participation.trees", "Baumgießen", records)


def export_registrations(person):
    from .dialogues.models import Registration

    registrations = Registration.objects.filter(email_q("email", person.emails)).select_related(
        "event"
    )
    records = [
        {
            "Veranstaltung": r.event.title,
            "Beginn": r.event.starts_at,
            "Name": r.name,
            "E-Mail-Adresse": r.email,
            "Zustand": r.get_status_display(),
            "angemeldet am": r.created_at,
        }
        for r in registrations
    ]
    return Section("participation.registrations", "Anmeldungen zu Dialogen", records)


def export_area_alerts(person):
    from .reports.models import AreaAlert

    records = [
        {
            "Gebiet": a.area_label,
            "E-Mail-Adresse": a.email,
            "bestätigt am": a.confirmed_at,
            "angefragt am": a.created_at,
        }
        for a in AreaAlert.objects.filter(email_q("email", person.emails))
    ]
    return Section("participation.area_alerts", "Gebietsbenachrichtigungen", records)


def export_neighbourhood(person):
    from .neighbourhood.models import NeighbourhoodSubscription

    records = [
        {
            "Nachbarschaft": s.area_label,
            "E-Mail-Adresse": s.email,
            "bestätigt am": s.confirmed_at,
            "letzte Zusammenfassung bis": s.digest_until,
            "angefragt am": s.created_at,
        }
        for s in NeighbourhoodSubscription.objects.filter(email_q("email", person.emails))
    ]
    return Section("participation.neighbourhood", "Nachbarschafts-Abos", records)


def erase_participation(user) -> None:
    """Supports, adoptions and ballots go with the account (cascade); waterings stay as
    figures without the pseudonym; proposals stay as public contributions, without author."""
    from .trees.models import Watering

    Watering.objects.filter(user=user).update(name="", user=None)


EXPORTERS = [
    export_reports,
    export_budget,
    export_trees,
    export_registrations,
    export_area_alerts,
    export_neighbourhood,
]
ERASERS = [erase_participation]
ACCOUNT_DELETION = [
    Statement(
        area="Beteiligung",
        deleted="Unterstützungen, Stimmzettel, Baumpatenschaften (auch mit Schild), "
        "Wassergutscheine und Mitgliedschaften in Gießgruppen; bei Gießeinträgen Ihr Name "
        "(Pseudonym).",
        kept="Ihre Bürgerhaushalts-Vorschläge bleiben ohne Verbindung zu Ihnen veröffentlicht; "
        "gegossene Liter bleiben in der Statistik. Mängelmeldungen, Gebietsbenachrichtigungen, "
        "Nachbarschafts-Abos "
        "und Anmeldungen zu Dialogen (ohne Konto gemacht) folgen ihren Löschfristen; "
        "Benachrichtigungen bestellen Sie mit dem Link in jeder E-Mail ab.",
        why="Vorschläge sind Teil eines öffentlichen Verfahrens, über das der Rat entscheidet.",
    ),
]
