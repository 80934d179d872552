"""Import from another OParl server (1.0 or 1.1), so a city can migrate its RIS.

Reads the system, the first body (or a chosen one) and its lists - organizations,
people with memberships, meetings with agenda items, papers with consultations,
files - following ``links.next``. A second run asks only for objects changed
since the last run (``modified_since``). Objects are matched by their OParl id
(stored as ``external_id``), so running twice changes nothing.

Tolerated vendor deviations (each counted in the report): missing or 1.0 ``type``,
embedded objects where URLs are expected and the reverse, date-times without a
time zone (read as Europe/Berlin), dates where date-times are expected, lists
given as a plain JSON array, and single properties given as one-element arrays.
What cannot be imported is skipped and reported with its reason.
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from rathaus.core import audit
from rathaus.core.parsing import ParseError, parse_date, parse_datetime, parse_int, parse_url

from . import services
from .models import (
    AgendaItem,
    Consultation,
    File,
    LegislativeTerm,
    Meeting,
    Membership,
    OParlSource,
    Organization,
    Paper,
    Person,
    Place,
)

log = logging.getLogger(__name__)

KINDS = {
    "System",
    "Body",
    "LegislativeTerm",
    "Organization",
    "Person",
    "Membership",
    "Meeting",
    "AgendaItem",
    "Paper",
    "Consultation",
    "File",
    "Location",
}
MAX_PAGES = 10_000


# One OParl page (up to 1000 objects with embedded ones) stays far below this.
MAX_FETCH_BYTES = 32 * 1024 * 1024
MAX_REDIRECTS = 5


class FetchError(Exception):
    pass


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a few redirects, and only to http(s): never to file:, ftp: or data:."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise FetchError(f"Weiterleitung auf eine andere Adressart abgelehnt: {newurl}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener() -> urllib.request.OpenerDirector:
    # Only the handlers we need: urlopen()'s default opener also reads file:, ftp: and data:.
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _HttpOnlyRedirects(),
        urllib.request.HTTPErrorProcessor(),
        urllib.request.HTTPDefaultErrorHandler(),
    ):
        opener.add_handler(handler)
    return opener


def http_fetch(url: str, timeout: int = 30) -> dict | list:
    """GET one OParl document: http(s) only, with a timeout and a size limit."""
    try:
        url = parse_url(url, "url")
    except ParseError as exc:
        raise FetchError(f"{str(url)[:200]}: {exc.reason}") from None
    request = urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": "Rathaus-OParl-Import/1.0"}
    )
    try:
        with _opener().open(request, timeout=timeout) as response:
            body = response.read(MAX_FETCH_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise FetchError(f"{url}: {exc}") from exc
    if len(body) > MAX_FETCH_BYTES:
        raise FetchError(f"{url}: Antwort größer als {MAX_FETCH_BYTES // 2**20} MiB")
    try:
        return json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise FetchError(f"{url}: kein gültiges JSON ({exc})") from exc


@dataclass
class Report:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    deviations: Counter = field(default_factory=Counter)
    skipped: list = field(default_factory=list)  # (url, reason)

    def skip(self, url, reason: str) -> None:
        self.skipped.append((url or "(ohne id)", reason))

    def lines(self) -> list[str]:
        out = []
        for kind in sorted(set(self.created) | set(self.updated) | set(self.deleted)):
            out.append(
                f"{kind}: {self.created[kind]} neu, {self.updated[kind]} aktualisiert, "
                f"{self.deleted[kind]} gelöscht"
            )
        for what, count in sorted(self.deviations.items()):
            out.append(f"Abweichung toleriert: {what} ({count}×)")
        for url, reason in self.skipped:
            out.append(f"Übersprungen: {url} – {reason}")
        return out


def add_query(url: str, **params) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query.update({k: v for k, v in params.items() if v is not None})
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


class Importer:
    def __init__(self, municipality, system_url, *, fetch=http_fetch, since=None, body_url=None):
        self.municipality = municipality
        self.system_url = system_url
        self.fetch = fetch
        self.since = since
        self.body_url = body_url
        self.report = Report()
        self.cache: dict[str, object] = {}
        self.done: set[str] = set()  # ids written in this run (embedded objects repeat)
        self.body = services.body_of(municipality)

    # --- helpers ---------------------------------------------------------------------

    def kind_of(self, data: dict, expected: str) -> str:
        raw = data.get("type") or ""
        kind = raw.rstrip("/").rsplit("/", 1)[-1]
        if not raw:
            self.report.deviations["fehlendes type"] += 1
            return expected
        if kind not in KINDS:
            return expected
        if "schema.oparl.org/1.1" not in raw:
            self.report.deviations["type aus OParl 1.0"] += 1
        return kind

    def when(self, value) -> datetime | None:
        if not value:
            return None
        if isinstance(value, list):
            value = value[0] if value else None
            if value is None:
                return None
        text = str(value).strip()
        if len(text) <= 10:  # a bare date where a date-time belongs
            only_date = self.day(text)
            if only_date is None:
                return None
            self.report.deviations["Datum statt Zeitpunkt"] += 1
            return timezone.make_aware(datetime.combine(only_date, time(0, 0)))
        if not any(mark in text[10:] for mark in ("Z", "z", "+", "-")):
            self.report.deviations["Zeitpunkt ohne Zeitzone"] += 1
        try:
            return parse_datetime(text, "date")  # impossible dates are refused, not raised
        except ParseError:
            self.report.deviations["unlesbares Datum"] += 1
            return None

    def day(self, value) -> date | None:
        if not value:
            return None
        try:
            return parse_date(str(value)[:10], "date")
        except ParseError:
            self.report.deviations["unlesbares Datum"] += 1
            return None

    def number(self, value, *, maximum: int) -> int:
        """A non-negative integer from the source; anything else counts as 0."""
        try:
            return parse_int(value or 0, "number", minimum=0, maximum=maximum)
        except ParseError:
            self.report.deviations["unlesbare Zahl"] += 1
            return 0

    def one(self, value):
        """A single property some vendors send as a one-element array."""
        if isinstance(value, list):
            self.report.deviations["Liste statt Einzelwert"] += 1
            return value[0] if value else None
        return value

    def many(self, value) -> list:
        if value is None:
            return []
        return value if isinstance(value, list) else [value]

    def resolve(self, ref, expected: str):
        """A referenced (URL) or embedded (dict) object -> local model instance."""
        if ref is None:
            return None
        if isinstance(ref, dict):
            return self.import_object(ref, expected)
        url = str(ref)
        if url in self.cache:
            return self.cache[url]
        model = MODELS[expected]
        found = model.objects.for_municipality(self.municipality).filter(external_id=url).first()
        if found is None:
            try:
                data = self.fetch(url)
            except FetchError as exc:
                self.report.skip(url, f"Referenz nicht abrufbar ({exc})")
                self.cache[url] = None
                return None
            self.report.deviations["Objekt einzeln nachgeladen"] += 1
            found = self.import_object(data, expected) if isinstance(data, dict) else None
        self.cache[url] = found
        return found

    def pages(self, url: str, use_since=True):
        """Yield the objects of an external list, following links.next."""
        if use_since and self.since:
            url = add_query(url, modified_since=self.since.isoformat())
        seen: set[str] = set()
        while url and url not in seen and len(seen) < MAX_PAGES:
            seen.add(url)
            try:
                page = self.fetch(url)
            except FetchError as exc:
                self.report.skip(url, f"Listenseite nicht abrufbar ({exc})")
                return
            if isinstance(page, list):
                self.report.deviations["Liste ohne data/links"] += 1
                yield from page
                return
            yield from page.get("data", [])
            url = (page.get("links") or {}).get("next") or page.get("next")

    def save(self, model, data: dict, kind: str, values: dict):
        """Create or update by OParl id; honour deleted: true."""
        url = data.get("id")
        if not url:
            self.report.skip(None, f"{kind} ohne id")
            return None
        if url in self.done and self.cache.get(url) is not None:
            return self.cache[url]
        self.done.add(url)
        scoped = model.objects.for_municipality(self.municipality)
        existing = scoped.filter(external_id=url).first()
        if data.get("deleted"):
            if existing is not None and not existing.deleted:
                services.soft_delete(existing)
                self.report.deleted[kind] += 1
            self.cache[url] = existing
            return existing
        created = self.when(data.get("created"))
        if existing is None:
            obj = model(municipality=self.municipality, external_id=url, **values)
            if created:
                obj.created = created
            obj.save()
            self.report.created[kind] += 1
        else:
            changed = existing.deleted or any(
                getattr(existing, name) != value for name, value in values.items()
            )
            obj = existing
            if changed:  # unchanged objects keep their modified date (no needless re-sync)
                for name, value in values.items():
                    setattr(existing, name, value)
                existing.deleted = False
                existing.save()
                self.report.updated[kind] += 1
        self.cache[url] = obj
        return obj

    # --- object types ----------------------------------------------------------------

    def import_object(self, data: dict, expected: str):
        kind = self.kind_of(data, expected)
        handler = getattr(self, f"import_{kind.lower()}", None)
        if handler is None:
            self.report.skip(data.get("id"), f"Objekttyp {kind} wird nicht importiert")
            return None
        try:
            with transaction.atomic():
                return handler(data)
        except Exception as exc:  # one bad object must not stop a migration
            log.exception("OParl import of %s failed", data.get("id"))
            self.report.skip(data.get("id"), f"Fehler: {exc}")
            return None

    def import_location(self, data):
        return self.save(
            Place,
            data,
            "Location",
            {
                "description": (data.get("description") or data.get("streetAddress") or "Ort")[
                    :300
                ],
                "street_address": (data.get("streetAddress") or "")[:200],
                "room": (data.get("room") or "")[:100],
                "postal_code": (data.get("postalCode") or "")[:10],
                "locality": (data.get("locality") or "")[:100],
            },
        )

    def import_legislativeterm(self, data):
        return self.save(
            LegislativeTerm,
            data,
            "LegislativeTerm",
            {
                "body": self.body,
                "name": (data.get("name") or "Wahlperiode")[:200],
                "start_date": self.day(data.get("startDate")),
                "end_date": self.day(data.get("endDate")),
            },
        )

    def import_organization(self, data):
        classification = (data.get("classification") or "").lower()
        org_type = (data.get("organizationType") or "").lower()
        if "beirat" in classification or "beirat" in (data.get("name") or "").lower():
            kind = Organization.Kind.ADVISORY_BOARD
        elif "fraktion" in org_type or "fraktion" in classification:
            kind = Organization.Kind.GROUP
        elif "ausschuss" in classification:
            kind = Organization.Kind.COMMITTEE
        elif "vertretung" in classification or "hauptorgan" in classification:
            kind = Organization.Kind.COUNCIL
        else:
            kind = (
                Organization.Kind.OTHER if org_type == "sonstiges" else Organization.Kind.COMMITTEE
            )
        place = data.get("location")
        return self.save(
            Organization,
            data,
            "Organization",
            {
                "body": self.body,
                "name": (data.get("name") or data.get("shortName") or "Gremium")[:300],
                "short_name": (data.get("shortName") or "")[:100],
                "kind": kind,
                "start_date": self.day(data.get("startDate")),
                "end_date": self.day(data.get("endDate")),
                "website": (data.get("website") or "")[:200],
                "place": self.resolve(place, "Location") if isinstance(place, dict) else None,
            },
        )

    def import_person(self, data):
        person = self.save(
            Person,
            data,
            "Person",
            {
                "body": self.body,
                "name": (
                    data.get("name")
                    or " ".join(p for p in [data.get("givenName"), data.get("familyName")] if p)
                    or "Unbekannt"
                )[:200],
                "family_name": (data.get("familyName") or "")[:100],
                "given_name": (data.get("givenName") or "")[:100],
                "form_of_address": (data.get("formOfAddress") or "")[:30],
                "title": " ".join(self.many(data.get("title")))[:60],
                "gender": (data.get("gender") or "")[:20],
                "status": ", ".join(self.many(data.get("status")))[:100],
                "life": data.get("life") or "",
            },
        )
        if person is not None and not data.get("deleted"):
            for membership in self.many(data.get("membership")):
                if isinstance(membership, dict):
                    membership.setdefault("person", data.get("id"))
                    self.import_object(membership, "Membership")
                else:
                    self.report.deviations["Mitgliedschaft referenziert statt eingebettet"] += 1
                    self.resolve(membership, "Membership")
        return person

    def import_membership(self, data):
        if data.get("deleted"):
            return self.save(Membership, data, "Membership", {})
        person = self.resolve(data.get("person"), "Person")
        organization = self.resolve(self.one(data.get("organization")), "Organization")
        if person is None or organization is None:
            self.report.skip(data.get("id"), "Mitgliedschaft ohne auflösbare Person/Gremium")
            return None
        on_behalf = data.get("onBehalfOf")
        return self.save(
            Membership,
            data,
            "Membership",
            {
                "person": person,
                "organization": organization,
                "role": (data.get("role") or "Mitglied")[:100],
                "voting_right": bool(data.get("votingRight", True)),
                "start_date": self.day(data.get("startDate")),
                "end_date": self.day(data.get("endDate")),
                "on_behalf_of": self.resolve(on_behalf, "Organization") if on_behalf else None,
            },
        )

    def import_meeting(self, data):
        if data.get("deleted"):
            return self.save(Meeting, data, "Meeting", {})
        organizations = [
            self.resolve(ref, "Organization") for ref in self.many(data.get("organization"))
        ]
        organization = next((o for o in organizations if o is not None), None)
        start = self.when(data.get("start"))
        if organization is None or start is None:
            self.report.skip(data.get("id"), "Sitzung ohne Gremium oder Beginn")
            return None
        location = data.get("location")
        state = (data.get("meetingState") or "").lower()
        meeting = self.save(
            Meeting,
            data,
            "Meeting",
            {
                "name": (data.get("name") or f"Sitzung {organization.name}")[:300],
                "organization": organization,
                "start": start,
                "end": self.when(data.get("end")),
                "cancelled": bool(data.get("cancelled", False)),
                "state": Meeting.State.HELD
                if "durchgef" in state or start < timezone.now()
                else Meeting.State.INVITED,
                "agenda_published_at": start,
                "minutes_approved": bool(data.get("resultsProtocol")),
                "place": self.resolve(location, "Location") if location else None,
            },
        )
        if meeting is None:
            return None
        for position, item in enumerate(self.many(data.get("agendaItem")), start=1):
            if isinstance(item, dict):
                item.setdefault("meeting", data.get("id"))
                item.setdefault("order", position)
                self.import_object(item, "AgendaItem")
            else:
                self.resolve(item, "AgendaItem")
        for role, refs in (
            (File.Role.INVITATION, self.many(data.get("invitation"))),
            (File.Role.RESULTS_PROTOCOL, self.many(data.get("resultsProtocol"))),
            (File.Role.AUXILIARY, self.many(data.get("auxiliaryFile"))),
        ):
            for ref in refs:
                self.attach(ref, role, meeting=meeting)
        return meeting

    def import_agendaitem(self, data):
        if data.get("deleted"):
            return self.save(AgendaItem, data, "AgendaItem", {})
        meeting = self.resolve(data.get("meeting"), "Meeting")
        if meeting is None:
            self.report.skip(data.get("id"), "Tagesordnungspunkt ohne Sitzung")
            return None
        item = self.save(
            AgendaItem,
            data,
            "AgendaItem",
            {
                "meeting": meeting,
                "number": str(data.get("number") or "")[:20],
                "order": self.number(data.get("order"), maximum=2**31 - 1),
                "name": (data.get("name") or "Tagesordnungspunkt")[:500],
                "public": data.get("public") is not False,
                "result": (data.get("result") or "")[:60],
                "resolution_text": data.get("resolutionText") or data.get("resolution") or "",
                "start": self.when(data.get("start")),
                "end": self.when(data.get("end")),
            },
        )
        for ref in self.many(data.get("auxiliaryFile")):
            self.attach(ref, File.Role.AUXILIARY, agenda_item=item, public=item.public)
        return item

    def import_paper(self, data):
        if data.get("deleted"):
            return self.save(Paper, data, "Paper", {})
        paper = self.save(
            Paper,
            data,
            "Paper",
            {
                "body": self.body,
                "name": (data.get("name") or data.get("reference") or "Drucksache")[:500],
                "reference": (data.get("reference") or "")[:60],
                "date": self.day(data.get("date")) or timezone.localdate(),
                "paper_type": (data.get("paperType") or "Vorlage")[:40],
                "public": True,
            },
        )
        if paper is None:
            return None
        main = data.get("mainFile")
        if main:
            self.attach(self.one(main), File.Role.MAIN, paper=paper)
        for ref in self.many(data.get("auxiliaryFile")):
            self.attach(ref, File.Role.AUXILIARY, paper=paper)
        for consultation in self.many(data.get("consultation")):
            if isinstance(consultation, dict):
                consultation.setdefault("paper", data.get("id"))
                self.import_object(consultation, "Consultation")
            else:
                self.resolve(consultation, "Consultation")
        return paper

    def import_consultation(self, data):
        if data.get("deleted"):
            return self.save(Consultation, data, "Consultation", {})
        paper = self.resolve(data.get("paper"), "Paper")
        organizations = [
            self.resolve(ref, "Organization") for ref in self.many(data.get("organization"))
        ]
        organization = next((o for o in organizations if o is not None), None)
        meeting = self.resolve(data.get("meeting"), "Meeting") if data.get("meeting") else None
        item = (
            self.resolve(data.get("agendaItem"), "AgendaItem") if data.get("agendaItem") else None
        )
        if organization is None and meeting is not None:
            organization = meeting.organization
        if paper is None or organization is None:
            self.report.skip(data.get("id"), "Beratung ohne Drucksache oder Gremium")
            return None
        if (
            item is not None
            and Consultation.objects.filter(agenda_item=item)
            .exclude(external_id=data.get("id"))
            .exists()
        ):
            item = None  # one consultation per agenda item here; keep the first
        role = (data.get("role") or "").strip()
        if data.get("authoritative") and not role:
            role = Consultation.Role.DECISION
        return self.save(
            Consultation,
            data,
            "Consultation",
            {
                "paper": paper,
                "organization": organization,
                "meeting": meeting,
                "agenda_item": item,
                "role": (role or Consultation.Role.PREPARATION)[:60],
                "planned_date": timezone.localtime(meeting.start).date() if meeting else None,
            },
        )

    def import_file(self, data, **owner):
        access = data.get("accessUrl") or data.get("downloadUrl") or ""
        name = data.get("name") or data.get("fileName") or "Datei"
        return self.save(
            File,
            data,
            "File",
            {
                "name": name[:300],
                "file_name": (data.get("fileName") or name)[:255],
                "mime_type": (data.get("mimeType") or "application/octet-stream")[:100],
                "date": self.day(data.get("date")) or timezone.localdate(),
                "size": self.number(data.get("size"), maximum=2**63 - 1),
                "sha1_checksum": (data.get("sha1Checksum") or "")[:40],
                "text": data.get("text") or "",
                "source_url": access[:500],
                **owner,
            },
        )

    def attach(self, ref, role, public=True, **owner):
        if ref is None:
            return None
        if not isinstance(ref, dict):
            self.report.deviations["Datei referenziert statt eingebettet"] += 1
            try:
                ref = self.fetch(ref)
            except FetchError as exc:
                self.report.skip(ref, f"Datei nicht abrufbar ({exc})")
                return None
        if not (ref.get("accessUrl") or ref.get("downloadUrl")) and not ref.get("deleted"):
            self.report.skip(ref.get("id"), "Datei ohne accessUrl")
            return None
        with transaction.atomic():
            return self.import_file(ref, role=role, public=public, **owner)

    # --- the run ---------------------------------------------------------------------

    def run(self) -> Report:
        started = timezone.now()
        system = self.fetch(self.system_url)
        if not isinstance(system, dict) or "body" not in system:
            raise FetchError(f"{self.system_url}: kein OParl-System (Eigenschaft body fehlt)")
        self.kind_of(system, "System")
        bodies = system["body"]
        body_data = None
        if isinstance(bodies, list):
            self.report.deviations["body als Liste statt URL"] += 1
            candidates = bodies
        else:
            candidates = list(self.pages(bodies, use_since=False))
        for candidate in candidates:
            if isinstance(candidate, str):
                candidate = self.fetch(candidate)
            if self.body_url is None or candidate.get("id") == self.body_url:
                body_data = candidate
                break
        if body_data is None:
            raise FetchError("Keine passende Körperschaft (Body) gefunden.")
        self.kind_of(body_data, "Body")
        for term in self.many(body_data.get("legislativeTerm")):
            if isinstance(term, dict):
                self.import_object(term, "LegislativeTerm")
        for prop, kind in (
            ("locationList", "Location"),
            ("organization", "Organization"),
            ("person", "Person"),
            ("membership", "Membership"),
            ("meeting", "Meeting"),
            ("paper", "Paper"),
        ):
            url = body_data.get(prop)
            if not url or not isinstance(url, str):
                continue
            for data in self.pages(url):
                if isinstance(data, dict):
                    self.import_object(data, kind)
                else:
                    self.report.skip(str(data), "Listeneintrag ist kein Objekt")
        source, _ = OParlSource.objects.get_or_create(
            municipality=self.municipality, system_url=self.system_url
        )
        source.last_run = started
        source.save()
        audit.record(
            "council.oparl_imported",
            source,
            actor_label="OParl-Import",
            data={
                "created": dict(self.report.created),
                "updated": dict(self.report.updated),
                "skipped": len(self.report.skipped),
            },
        )
        return self.report


MODELS = {
    "Location": Place,
    "LegislativeTerm": LegislativeTerm,
    "Organization": Organization,
    "Person": Person,
    "Membership": Membership,
    "Meeting": Meeting,
    "AgendaItem": AgendaItem,
    "Paper": Paper,
    "Consultation": Consultation,
    "File": File,
}


def import_system(municipality, system_url, *, full=False, fetch=http_fetch, body_url=None):
    """Run an import; incremental (modified_since the last run) unless ``full``."""
    since = None
    if not full:
        source = OParlSource.objects.filter(
            municipality=municipality, system_url=system_url
        ).first()
        since = source.last_run if source else None
    importer = Importer(municipality, system_url, fetch=fetch, since=since, body_url=body_url)
    return importer.run()
