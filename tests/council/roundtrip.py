"""OParl round trip: export a town through its own API, import it into another town.

``snapshot`` describes a town's council data by content (names, references, dates,
relations by their natural keys, never by database ids or URLs), counting only what
the OParl API shows: after the round trip both towns must give the same snapshot.
Used by ``test_oparl_roundtrip.py`` and by ``scripts/oparl_roundtrip.py`` in CI.
"""

from urllib.parse import urlsplit

from django.test import Client

from rathaus.council.importer import FetchError, import_system
from rathaus.council.models import (
    AgendaItem,
    Consultation,
    File,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
)
from rathaus.council.oparl import kinds


def api_fetch(host: str):
    """The importer's fetch, answered by the own server in-process (no network)."""
    client = Client(HTTP_HOST=host)

    def fetch(url: str):
        parts = urlsplit(url)
        if parts.hostname != host:
            raise FetchError(f"{url}: fremder Server")
        response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
        if response.status_code != 200:
            raise FetchError(f"{url}: HTTP {response.status_code}")
        return response.json()

    return fetch


def _shown(municipality, kind: str, model):
    """Rows the API shows as live objects (the source side of the comparison)."""
    spec = kinds(municipality)[kind]
    return model.objects.filter(
        pk__in=spec.queryset.filter(spec.visible, deleted=False).values("pk")
    )


def _meeting_key(meeting) -> tuple:
    return (meeting.name, meeting.start.isoformat())


def snapshot(municipality) -> dict[str, set]:
    shown = {
        name: _shown(municipality, kind, model)
        for name, kind, model in (
            ("organizations", "organization", Organization),
            ("persons", "person", Person),
            ("memberships", "membership", Membership),
            ("meetings", "meeting", Meeting),
            ("agenda items", "agendaItem", AgendaItem),
            ("papers", "paper", Paper),
            ("consultations", "consultation", Consultation),
            ("files", "file", File),
        )
    }
    papers = set(shown["papers"].values_list("pk", flat=True))

    def paper_row(p):
        parent = p.superordinated if p.superordinated_id in papers else None
        return (
            p.reference,
            p.name,
            p.date,
            p.paper_type,
            parent.reference if parent else None,
            tuple(sorted(r.reference for r in p.related_papers.all() if r.pk in papers)),
            tuple(sorted(x.name for x in p.originator_persons.all())),
            tuple(sorted(x.name for x in p.originator_organizations.all())),
        )

    return {
        "organizations": {(o.name, o.short_name) for o in shown["organizations"]},
        "persons": {(p.name, p.given_name, p.family_name) for p in shown["persons"]},
        "memberships": {
            (m.person.name, m.organization.name, m.role, m.voting_right, m.start_date, m.end_date)
            for m in shown["memberships"].select_related("person", "organization")
        },
        "meetings": {
            (*_meeting_key(m), m.cancelled, m.organization.name)
            for m in shown["meetings"].select_related("organization")
        },
        "agenda items": {
            (*_meeting_key(i.meeting), i.number, i.order, i.name, i.result)
            for i in shown["agenda items"].select_related("meeting")
        },
        "papers": {paper_row(p) for p in shown["papers"].select_related("superordinated")},
        "consultations": {
            (c.paper.reference, c.organization.name, c.role, c.meeting and _meeting_key(c.meeting))
            for c in shown["consultations"].select_related("paper", "organization", "meeting")
        },
        # Files the API embeds in papers, meetings and agenda items (what the importer reads).
        "files": {
            (f.name, f.file_name, f.mime_type, f.size, f.sha1_checksum, f.role)
            for f in shown["files"].exclude(paper=None, meeting=None, agenda_item=None)
        },
    }


def round_trip(source_town, target_town, host: str):
    """Import ``source_town``'s API (served under ``host``) into ``target_town``."""
    system_url = f"http://{host}/rat/oparl/v1/system"
    report = import_system(target_town, system_url, fetch=api_fetch(host), full=True)
    return report, snapshot(source_town), snapshot(target_town)


def differences(before: dict, after: dict) -> list[str]:
    out = []
    for name in before:
        missing, extra = before[name] - after[name], after[name] - before[name]
        if missing or extra:
            missing, extra = sorted(map(str, missing))[:3], sorted(map(str, extra))[:3]
            out.append(f"{name}: fehlt {missing}, zu viel {extra}")
    return out
