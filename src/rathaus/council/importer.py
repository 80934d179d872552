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
import re
import time as time_module
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from rathaus.core import audit
from rathaus.core.parsing import (
    ParseError,
    clean_text,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_int,
    parse_url,
    strip_control_characters,
)

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
    rejected: list = field(default_factory=list)  # (url, property, reason): object kept
    pages: int = 0
    objects: int = 0
    seconds: float = 0.0

    def skip(self, url, reason: str) -> None:
        self.skipped.append((url or "(ohne id)", reason))

    def reject(self, url, prop: str, reason: str) -> None:
        self.rejected.append((url or "(ohne id)", prop, reason))

    def snapshot(self) -> tuple:
        return (Counter(self.created), Counter(self.updated), Counter(self.deleted))

    def restore(self, snapshot: tuple) -> None:
        """An object whose transaction rolled back was not created after all."""
        self.created, self.updated, self.deleted = (Counter(c) for c in snapshot)

    @property
    def rate(self) -> float:
        return self.objects / self.seconds if self.seconds else 0.0

    def progress_line(self) -> str:
        return (
            f"{self.objects} Objekte, {self.pages} Listenseiten, {self.rate:.0f} Objekte/s, "
            f"{len(self.skipped)} übersprungen, {len(self.rejected)} Felder verworfen"
        )

    def lines(self) -> list[str]:
        out = []
        for kind in sorted(set(self.created) | set(self.updated) | set(self.deleted)):
            out.append(
                f"{kind}: {self.created[kind]} neu, {self.updated[kind]} aktualisiert, "
                f"{self.deleted[kind]} gelöscht"
            )
        for what, count in sorted(self.deviations.items()):
            out.append(f"Abweichung toleriert: {what} ({count}×)")
        for url, prop, reason in self.rejected:
            out.append(f"Feld verworfen: {url} {prop} – {reason}")
        for url, reason in self.skipped:
            out.append(f"Übersprungen: {url} – {reason}")
        out.append(self.progress_line())
        return out


def add_query(url: str, **params) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query.update({k: v for k, v in params.items() if v is not None})
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _scalar_text(value) -> bool:
    return isinstance(value, str)


class Importer:
    PROGRESS_EVERY = 500  # objects between two progress lines

    def __init__(
        self,
        municipality,
        system_url,
        *,
        fetch=http_fetch,
        since=None,
        body_url=None,
        progress=None,
    ):
        self.municipality = municipality
        self.system_url = system_url
        self.fetch = fetch
        self.since = since
        self.body_url = body_url
        self.progress = progress  # callable(str) or None
        self.report = Report()
        self.cache: dict[str, object] = {}
        self.done: set[str] = set()  # ids written in this run (embedded objects repeat)
        self.links: list[tuple] = []  # (paper pk, property, url): linked after all lists
        self.body = services.body_of(municipality)
        self.started = time_module.monotonic()

    # --- fields: keep every valid one, record every rejected one ---------------------

    def reject(self, data: dict, prop: str, reason: str) -> None:
        self.report.reject(data.get("id"), prop, reason)

    def text(self, data: dict, prop: str, max_length: int, *, default="", cut=True) -> str:
        """A string property; a wrong type or a value that does not fit is recorded."""
        raw = self.one(data.get(prop))
        if raw is None or raw == "":
            return default
        if not _scalar_text(raw):
            self.reject(data, prop, f"kein Text, sondern {type(raw).__name__}")
            return default
        try:
            return clean_text(raw, prop, max_length=max_length, multiline=True) or default
        except ParseError as exc:
            if exc.code == "control_characters":
                self.reject(data, prop, "Steuerzeichen entfernt")
                return self.text({**data, prop: strip_control_characters(raw)}, prop, max_length)
            if exc.code == "too_long" and cut:
                self.reject(data, prop, f"auf {max_length} Zeichen gekürzt")
                return raw.strip()[:max_length]
            self.reject(data, prop, exc.reason)
            return default

    def flag(self, data: dict, prop: str, default: bool) -> bool:
        """A boolean: the string "false" is false (some vendors quote booleans)."""
        raw = self.one(data.get(prop))
        if raw is None:
            return default
        if not isinstance(raw, bool):
            self.report.deviations["Wahrheitswert als Text"] += 1
        try:
            return parse_bool(raw, prop)
        except ParseError as exc:
            self.reject(data, prop, exc.reason)
            return default

    def number(self, data: dict, prop: str, default: int, *, maximum=2**31 - 1) -> int:
        raw = self.one(data.get(prop))
        if raw is None or raw == "":
            return default
        try:
            return parse_int(raw, prop, minimum=0, maximum=maximum)
        except ParseError as exc:
            self.reject(data, prop, f"{raw!r}: {exc.reason}")
            return default

    def when(self, data: dict, prop: str) -> datetime | None:
        raw = self.one(data.get(prop))
        if raw is None or raw == "":
            return None
        text = str(raw).strip()
        try:
            parsed = parse_datetime(text, prop)
        except ParseError:
            day = self.day({"id": data.get("id"), prop: text}, prop)
            if day is None:
                return None
            self.report.deviations["Datum statt Zeitpunkt"] += 1
            return timezone.make_aware(datetime.combine(day, time(0, 0)))
        if len(text) <= 10:
            self.report.deviations["Datum statt Zeitpunkt"] += 1
        elif not _HAS_ZONE.search(text):
            self.report.deviations["Zeitpunkt ohne Zeitzone"] += 1
        return parsed

    def day(self, data: dict, prop: str) -> date | None:
        """A date; never invented: unreadable gives None and a recorded rejection."""
        raw = self.one(data.get(prop))
        if raw is None or raw == "":
            return None
        text = str(raw).strip()
        if _ISO_DAY_PREFIX.match(text):
            text = text[:10]  # a date-time where a date is expected
        elif _GERMAN_DAY.fullmatch(text):
            self.report.deviations["Datum im deutschen Format"] += 1
        try:
            return parse_date(text, prop)
        except ParseError as exc:
            self.reject(data, prop, f"{raw!r}: {exc.reason}")
            return None

    def url(self, data: dict, prop: str) -> str:
        raw = self.one(data.get(prop))
        if raw is None or raw == "":
            return ""
        try:
            return parse_url(raw, prop, max_length=500)
        except ParseError as exc:
            self.reject(data, prop, exc.reason)
            return ""

    # --- helpers ---------------------------------------------------------------------

    def kind_of(self, data: dict, expected: str) -> str:
        raw = data.get("type") or ""
        if not isinstance(raw, str):
            raw = ""
        kind = raw.rstrip("/").rsplit("/", 1)[-1]
        if not raw:
            self.report.deviations["fehlendes type"] += 1
            return expected
        if kind not in KINDS:
            return expected
        if "schema.oparl.org/1.1" not in raw:
            self.report.deviations["type aus OParl 1.0"] += 1
        return kind

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
        if not isinstance(ref, str):
            self.report.skip(str(ref), f"Verweis auf {expected} ist keine URL")
            return None
        url = ref
        if url in self.cache:
            return self.cache[url]
        model = MODELS[expected]
        found = (
            model.objects.for_municipality(self.municipality)
            .filter(external_id=url)
            .order_by("pk")
            .first()
        )
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
        """Yield the objects of an external list, following links.next; survive any page."""
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
            self.report.pages += 1
            if isinstance(page, list):
                self.report.deviations["Liste ohne data/links"] += 1
                yield from page
                return
            if not isinstance(page, dict):
                self.report.skip(url, "Listenseite ist kein JSON-Objekt")
                return
            data = page.get("data")
            if not isinstance(data, list):
                self.report.skip(url, f"Listenseite ohne Liste in data ({type(data).__name__})")
                data = []
            yield from data
            links = page.get("links") if isinstance(page.get("links"), dict) else {}
            url = links.get("next") or page.get("next")
            url = url if isinstance(url, str) else None

    def count_object(self) -> None:
        self.report.objects += 1
        self.report.seconds = time_module.monotonic() - self.started
        if self.progress and self.report.objects % self.PROGRESS_EVERY == 0:
            self.progress(self.report.progress_line())

    def save(self, model, data: dict, kind: str, values: dict):
        """Create or update by OParl id; honour deleted: true."""
        url = data.get("id")
        if not url or not isinstance(url, str):
            self.report.skip(None, f"{kind} ohne id")
            return None
        if url in self.done and self.cache.get(url) is not None:
            return self.cache[url]
        self.done.add(url)
        self.count_object()
        scoped = model.objects.for_municipality(self.municipality)
        existing = scoped.filter(external_id=url).order_by("pk").first()
        if data.get("deleted") is True or data.get("deleted") == "true":
            if existing is not None and not existing.deleted:
                # Cascades to what only exists through it (consultations, files).
                services.soft_delete(existing)
                self.report.deleted[kind] += 1
            self.cache[url] = existing
            return existing
        created = self.when(data, "created")
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
        snapshot = self.report.snapshot()
        try:
            with transaction.atomic():
                return handler(data)
        except Exception as exc:  # one bad object must not stop a migration
            log.exception("OParl import of %s failed", data.get("id"))
            self.report.restore(snapshot)  # rolled back: not "created" after all
            self.report.skip(data.get("id"), f"Fehler: {exc}")
            self.cache.pop(data.get("id"), None)
            return None

    def import_location(self, data):
        return self.save(
            Place,
            data,
            "Location",
            {
                "description": self.text(data, "description", 300)
                or self.text(data, "streetAddress", 300)
                or "Ort",
                "street_address": self.text(data, "streetAddress", 200),
                "room": self.text(data, "room", 100),
                "postal_code": self.text(data, "postalCode", 10),
                "locality": self.text(data, "locality", 100),
            },
        )

    def import_legislativeterm(self, data):
        return self.save(
            LegislativeTerm,
            data,
            "LegislativeTerm",
            {
                "body": self.body,
                "name": self.text(data, "name", 200, default="Wahlperiode"),
                "start_date": self.day(data, "startDate"),
                "end_date": self.day(data, "endDate"),
            },
        )

    def import_organization(self, data):
        name = self.text(data, "name", 300)
        classification = self.text(data, "classification", 100).lower()
        org_type = self.text(data, "organizationType", 100).lower()
        if "beirat" in classification or "beirat" in name.lower():
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
        short_name = self.text(data, "shortName", 100)
        return self.save(
            Organization,
            data,
            "Organization",
            {
                "body": self.body,
                "name": name or short_name or "Gremium",
                "short_name": short_name,
                "kind": kind,
                "start_date": self.day(data, "startDate"),
                "end_date": self.day(data, "endDate"),
                "website": self.url(data, "website")[:200],
                "place": self.resolve(place, "Location") if isinstance(place, dict) else None,
            },
        )

    def _joined(self, data, prop, max_length, separator) -> str:
        values = [v for v in self.many(data.get(prop)) if isinstance(v, str)]
        if len(values) != len(self.many(data.get(prop))):
            self.reject(data, prop, "Einträge, die kein Text sind, verworfen")
        return self.text({"id": data.get("id"), prop: separator.join(values)}, prop, max_length)

    def import_person(self, data):
        given, family = self.text(data, "givenName", 100), self.text(data, "familyName", 100)
        person = self.save(
            Person,
            data,
            "Person",
            {
                "body": self.body,
                "name": self.text(data, "name", 200)
                or " ".join(p for p in [given, family] if p)
                or "Unbekannt",
                "family_name": family,
                "given_name": given,
                "form_of_address": self.text(data, "formOfAddress", 30),
                "title": self._joined(data, "title", 60, " "),
                "gender": self.text(data, "gender", 20),
                "status": self._joined(data, "status", 100, ", "),
                "life": self.text(data, "life", 20_000),
            },
        )
        if person is not None and data.get("deleted") is not True:
            for membership in self.many(data.get("membership")):
                if isinstance(membership, dict):
                    membership.setdefault("person", data.get("id"))
                    self.import_object(membership, "Membership")
                else:
                    self.report.deviations["Mitgliedschaft referenziert statt eingebettet"] += 1
                    self.resolve(membership, "Membership")
        return person

    def import_membership(self, data):
        if data.get("deleted") is True:
            return self.save(Membership, data, "Membership", {})
        person = self.resolve(self.one(data.get("person")), "Person")
        organization = self.resolve(self.one(data.get("organization")), "Organization")
        if person is None or organization is None:
            self.report.skip(data.get("id"), "Mitgliedschaft ohne auflösbare Person/Gremium")
            return None
        on_behalf = self.one(data.get("onBehalfOf"))
        return self.save(
            Membership,
            data,
            "Membership",
            {
                "person": person,
                "organization": organization,
                "role": self.text(data, "role", 100, default="Mitglied"),
                "voting_right": self.flag(data, "votingRight", True),
                "start_date": self.day(data, "startDate"),
                "end_date": self.day(data, "endDate"),
                "on_behalf_of": self.resolve(on_behalf, "Organization") if on_behalf else None,
            },
        )

    def import_meeting(self, data):
        if data.get("deleted") is True:
            return self.save(Meeting, data, "Meeting", {})
        organizations = [
            self.resolve(ref, "Organization") for ref in self.many(data.get("organization"))
        ]
        organization = next((o for o in organizations if o is not None), None)
        start = self.when(data, "start")
        if organization is None or start is None:
            self.report.skip(data.get("id"), "Sitzung ohne Gremium oder Beginn")
            return None
        location = self.one(data.get("location"))
        state = self.text(data, "meetingState", 100).lower()
        meeting = self.save(
            Meeting,
            data,
            "Meeting",
            {
                "name": self.text(data, "name", 300) or f"Sitzung {organization.name}"[:300],
                "organization": organization,
                "start": start,
                "end": self.when(data, "end"),
                "cancelled": self.flag(data, "cancelled", False),
                "state": Meeting.State.HELD
                if "durchgef" in state or start < timezone.now()
                else Meeting.State.INVITED,
                "agenda_published_at": start,
                "minutes_approved": bool(data.get("resultsProtocol")),
                "place": self.resolve(location, "Location") if location else None,
            },
        )
        if meeting is None or data.get("deleted") is True:
            return meeting
        for position, item in enumerate(self.many(data.get("agendaItem")), start=1):
            if isinstance(item, dict):
                item.setdefault("meeting", data.get("id"))
                item.setdefault("order", position)
                item["_position"] = position
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
        if data.get("deleted") is True:
            return self.save(AgendaItem, data, "AgendaItem", {})
        meeting = self.resolve(self.one(data.get("meeting")), "Meeting")
        if meeting is None:
            self.report.skip(data.get("id"), "Tagesordnungspunkt ohne Sitzung")
            return None
        number = self.one(data.get("number"))
        item = self.save(
            AgendaItem,
            data,
            "AgendaItem",
            {
                "meeting": meeting,
                # Numbers are text in OParl ("3a"); some vendors send integers.
                "number": str(number)[:20] if isinstance(number, (int, str)) else "",
                "order": self.number(data, "order", data.get("_position", 0)),
                "name": self.text(data, "name", 500, default="Tagesordnungspunkt"),
                "public": self.flag(data, "public", True),
                "result": self.text(data, "result", 60),
                "resolution_text": self.text(data, "resolutionText", 50_000)
                or self.text(data, "resolution", 50_000),
                "start": self.when(data, "start"),
                "end": self.when(data, "end"),
            },
        )
        if item is None or item.deleted:
            return item
        for ref in self.many(data.get("auxiliaryFile")):
            self.attach(ref, File.Role.AUXILIARY, agenda_item=item, public=item.public)
        return item

    def import_paper(self, data):
        if data.get("deleted") is True:
            return self.save(Paper, data, "Paper", {})
        reference = self.text(data, "reference", 200, cut=False)
        paper = self.save(
            Paper,
            data,
            "Paper",
            {
                "body": self.body,
                "name": self.text(data, "name", 500) or reference or "Drucksache",
                "reference": reference,
                "date": self.day(data, "date"),
                "paper_type": self.text(data, "paperType", 40, default="Vorlage"),
                "public": True,
            },
        )
        if paper is None or paper.deleted:
            return paper
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
        for prop in PAPER_LINKS:
            for ref in self.many(data.get(prop)):
                ref = ref.get("id") if isinstance(ref, dict) else ref
                if isinstance(ref, str):
                    self.links.append((paper.pk, prop, ref))
                else:
                    self.reject(data, prop, "Eintrag ist keine URL")
        return paper

    def link_papers(self) -> None:
        """Relations between papers and to people, once every list has been read.

        Deferred: a related or superordinated paper is often on a later list page.
        """
        grouped: dict[tuple, list] = {}
        for paper_pk, prop, url in self.links:
            grouped.setdefault((paper_pk, prop), []).append(url)
        for (paper_pk, prop), urls in grouped.items():
            paper = Paper.objects.filter(pk=paper_pk).first()
            if paper is None:
                continue
            kind = "Person" if prop == "originatorPerson" else "Paper"
            if prop == "originatorOrganization":
                kind = "Organization"
            targets = [t for t in (self.resolve(url, kind) for url in urls) if t is not None]
            if len(targets) < len(urls):
                self.report.reject(paper.external_id, prop, "Verweis nicht auflösbar")
            if prop == "superordinatedPaper":
                parent = next((t for t in targets if t.pk != paper.pk), None)
                if parent is not None and paper.superordinated_id != parent.pk:
                    paper.superordinated = parent
                    paper.save(update_fields=["superordinated"])
            elif prop == "relatedPaper":
                paper.related_papers.add(*[t for t in targets if t.pk != paper.pk])
            elif prop == "originatorPerson":
                paper.originator_persons.add(*targets)
            else:
                paper.originator_organizations.add(*targets)

    def import_consultation(self, data):
        if data.get("deleted") is True:
            return self.save(Consultation, data, "Consultation", {})
        paper = self.resolve(self.one(data.get("paper")), "Paper")
        organizations = [
            self.resolve(ref, "Organization") for ref in self.many(data.get("organization"))
        ]
        organization = next((o for o in organizations if o is not None), None)
        meeting_ref, item_ref = self.one(data.get("meeting")), self.one(data.get("agendaItem"))
        meeting = self.resolve(meeting_ref, "Meeting") if meeting_ref else None
        item = self.resolve(item_ref, "AgendaItem") if item_ref else None
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
        role = self.text(data, "role", 60)
        if self.flag(data, "authoritative", False) and not role:
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
                "role": role or Consultation.Role.PREPARATION,
                "planned_date": timezone.localtime(meeting.start).date() if meeting else None,
            },
        )

    def import_file(self, data, **owner):
        access = self.url(data, "accessUrl") or self.url(data, "downloadUrl")
        name = self.text(data, "name", 300) or self.text(data, "fileName", 300) or "Datei"
        checksum = self.text(data, "sha1Checksum", 40)
        if checksum and not _SHA1.fullmatch(checksum):
            self.reject(data, "sha1Checksum", "keine SHA-1-Prüfsumme")
            checksum = ""
        return self.save(
            File,
            data,
            "File",
            {
                "name": name,
                "file_name": self.text(data, "fileName", 255) or name[:255],
                "mime_type": self.text(data, "mimeType", 100, default="application/octet-stream"),
                "date": self.day(data, "date"),
                "size": self.number(data, "size", 0, maximum=2**62),
                "sha1_checksum": checksum.lower(),
                "text": self.text(data, "text", 1_000_000),
                "source_url": access,
                **owner,
            },
        )

    def attach(self, ref, role, public=True, **owner):
        """A file of a paper, meeting or agenda item: its failure costs only the file."""
        if ref is None:
            return None
        if not isinstance(ref, dict):
            if not isinstance(ref, str):
                self.report.skip(str(ref), "Dateiverweis ist keine URL")
                return None
            self.report.deviations["Datei referenziert statt eingebettet"] += 1
            try:
                ref = self.fetch(ref)
            except FetchError as exc:
                self.report.skip(ref, f"Datei nicht abrufbar ({exc})")
                return None
            if not isinstance(ref, dict):
                return None
        if ref.get("deleted") is True:
            return self.save(File, ref, "File", {})
        if not (ref.get("accessUrl") or ref.get("downloadUrl")):
            self.report.skip(ref.get("id"), "Datei ohne accessUrl")
            return None
        snapshot = self.report.snapshot()
        try:
            with transaction.atomic():
                return self.import_file(ref, role=role, public=public, **owner)
        except Exception as exc:  # the paper/meeting stays; only this file is skipped
            log.exception("OParl import of file %s failed", ref.get("id"))
            self.report.restore(snapshot)
            self.report.skip(ref.get("id"), f"Datei: Fehler: {exc}")
            return None

    # --- the run ---------------------------------------------------------------------

    def take_body(self, body_data: dict) -> None:
        """The source body's name (and short name, website) name the imported council."""
        values = {
            "name": self.text(body_data, "name", 300),
            "short_name": self.text(body_data, "shortName", 100),
            "website": self.url(body_data, "website")[:200],
        }
        changed = {k: v for k, v in values.items() if v and getattr(self.body, k) != v}
        if changed:
            for name, value in changed.items():
                setattr(self.body, name, value)
            self.body.save()

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
            if not isinstance(candidate, dict):
                continue
            if self.body_url is None or candidate.get("id") == self.body_url:
                body_data = candidate
                break
        if body_data is None:
            raise FetchError("Keine passende Körperschaft (Body) gefunden.")
        self.kind_of(body_data, "Body")
        self.take_body(body_data)
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
                    self.report.skip(str(data)[:200], "Listeneintrag ist kein Objekt")
            if self.progress:
                self.progress(f"{prop}: {self.report.progress_line()}")
        with transaction.atomic():
            self.link_papers()
        self.report.seconds = time_module.monotonic() - self.started
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
                "rejected": len(self.report.rejected),
            },
        )
        return self.report


PAPER_LINKS = ("superordinatedPaper", "relatedPaper", "originatorPerson", "originatorOrganization")
_HAS_ZONE = re.compile(r"(Z|z|[+-]\d{2}(:?\d{2})?)$")
_ISO_DAY_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]")
_GERMAN_DAY = re.compile(r"\d{1,2}\.\d{1,2}\.\d{4}")
_SHA1 = re.compile(r"[0-9a-fA-F]{40}")


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


def import_system(
    municipality, system_url, *, full=False, fetch=http_fetch, body_url=None, progress=None
):
    """Run an import; incremental (modified_since the last run) unless ``full``."""
    since = None
    if not full:
        source = OParlSource.objects.filter(
            municipality=municipality, system_url=system_url
        ).first()
        since = source.last_run if source else None
    importer = Importer(
        municipality, system_url, fetch=fetch, since=since, body_url=body_url, progress=progress
    )
    return importer.run()
