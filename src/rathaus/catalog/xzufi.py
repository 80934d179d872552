"""XZuFi-shaped JSON export and import of a municipality's catalog.

The structure follows the XZuFi Leistung (Leistungsschlüssel, Bezeichnung,
Texte by Textart, Zuständigkeit, Onlinedienst, Kosten, Reifegrad) in JSON with
German field names. Import validates every record first and imports nothing if
any record is invalid; errors name the record (index and id) and the field.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone

from rathaus.core.models import Location, Office

from .fee_rules import FeeRuleError, check_rule
from .models import LifeSituation, MaturityLevel, Service, Topic, TrustLevel
from .priority import ITPLR_PRIORITY

FORMAT = "rathaus-xzufi-json"
VERSION = "1.0"

# Textart (XZuFi) -> model field. Unterlagen is a list; all others are text.
TEXT_TYPES = {
    "Kurztext": "summary",
    "Volltext": "description",
    "Voraussetzungen": "requirements",
    "Unterlagen": "documents",
    "Verfahrensablauf": "procedure",
    "Fristen": "deadlines",
    "Bearbeitungsdauer": "processing_time",
    "Rechtsgrundlage": "legal_basis",
    "Hinweise": "hints",
}
# The English texts staff can write (issue 16), exported with sprache "en".
TEXT_TYPES_EN = {
    "Kurztext": "summary_en",
    "Volltext": "description_en",
    "Voraussetzungen": "requirements_en",
    "Unterlagen": "documents_en",
    "Verfahrensablauf": "procedure_en",
    "Fristen": "deadlines_en",
    "Bearbeitungsdauer": "processing_time_en",
}
SLUG = re.compile(r"^[-a-z0-9_]+$")
LEIKA = re.compile(r"^\d{14}$")


# --- export ----------------------------------------------------------------------------


def export_catalog(municipality) -> dict:
    services = (
        Service.objects.for_municipality(municipality)
        .select_related("topic", "office")
        .prefetch_related("fees", "maturity_history", "life_situations", "locations")
        .order_by("name")
    )
    return {
        "format": FORMAT,
        "version": VERSION,
        "exportiert_am": timezone.now().isoformat(timespec="seconds"),
        "kommune": {"name": municipality.name, "ags": municipality.ags, "ars": municipality.ars},
        "leistungen": [service_to_xzufi(s) for s in services],
    }


def service_to_xzufi(s: Service) -> dict:
    return content_to_xzufi(service_content(s), office_name=s.office.name)


def service_content(s: Service) -> dict:
    """A stored service in the content format of ``services.upsert_services``."""
    content = {field: getattr(s, field) for field in CONTENT_FIELDS}
    content.update(
        slug=s.slug,
        topic=s.topic.slug,
        office=s.office.slug,
        life_situations=[ls.slug for ls in s.life_situations.all()],
        locations=[loc.slug for loc in s.locations.all()],
        maturity_history=[[c.changed_on, c.level] for c in s.maturity_history.all()],
        fees=[
            {
                "label": fee.label,
                "label_en": fee.label_en,
                "amount": fee.amount,
                "amount_max": fee.amount_max,
                "note": fee.note,
                "note_en": fee.note_en,
                "rule": fee.rule,
            }
            for fee in s.fees.all()
        ],
    )
    return content


CONTENT_FIELDS = (
    *TEXT_TYPES.values(),
    *TEXT_TYPES_EN.values(),
    "leika_key",
    "ozg_priority",
    "name",
    "name_en",
    "synonyms",
    "keywords_en",
    "online_url",
    "trust_level",
    "appointment_required",
    "maturity_level",
    "planned_level",
    "planned_date",
    "popularity",
    "is_published",
)


def content_to_xzufi(c: dict, *, office_name: str = "") -> dict:
    """One content record (a stored service or demo data) as an XZuFi-shaped record.

    New kinds of text (e.g. more English texts) are new entries in ``texte`` with
    their ``textart`` and ``sprache``, so the format grows without breaking readers.
    """
    texte = []
    for textart, field_name in TEXT_TYPES.items():
        if c.get(field_name):
            texte.append({"textart": textart, "sprache": "de", "inhalt": c[field_name]})
    for textart, field_name in TEXT_TYPES_EN.items():
        if c.get(field_name):
            texte.append({"textart": textart, "sprache": "en", "inhalt": c[field_name]})
    planned_level, planned_date = c.get("planned_level"), c.get("planned_date")
    return {
        "id": c["slug"],
        "leistungsschluessel": c.get("leika_key") or "",
        "priorisierte_ozg_leistung": c.get("ozg_priority") or "",
        "bezeichnung": {"de": c["name"], "en": c.get("name_en") or ""},
        "texte": texte,
        "kosten": [
            {
                "bezeichnung": fee["label"],
                "bezeichnung_en": fee.get("label_en") or "",
                "betrag": str(fee["amount"]),
                "betrag_bis": str(fee["amount_max"]) if fee.get("amount_max") is not None else None,
                "hinweis": fee.get("note") or "",
                "hinweis_en": fee.get("note_en") or "",
                "waehrung": "EUR",
                "regel": fee.get("rule") or None,
            }
            for fee in c.get("fees", [])
        ],
        "synonyme": _split_list(c.get("synonyms")),
        "suchbegriffe_en": _split_list(c.get("keywords_en")),
        "themenfeld": c["topic"],
        "lebenslagen": list(c.get("life_situations", [])),
        "zustaendigkeit": {
            "organisationseinheit": c["office"],
            "bezeichnung": office_name,
            "standorte": list(c.get("locations", [])),
        },
        "onlinedienst": {
            "link": c.get("online_url") or "",
            "vertrauensniveau": c.get("trust_level") or TrustLevel.NONE,
            "persoenliches_erscheinen": bool(c.get("appointment_required")),
        },
        "reifegrad": {
            "aktuell": c["maturity_level"],
            "historie": [
                {"stufe": level, "seit": _iso(day)} for day, level in c.get("maturity_history", [])
            ],
            "geplant": (
                {"stufe": planned_level, "bis": _iso(planned_date)}
                if planned_level is not None and planned_date
                else None
            ),
        },
        "beliebtheit": c.get("popularity", 0),
        "veroeffentlicht": c.get("is_published", True),
    }


def _iso(day) -> str:
    return day if isinstance(day, str) else day.isoformat()


def _split_list(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


# --- import: validation ---------------------------------------------------------------


@dataclass
class ImportProblem:
    index: int  # position in "leistungen", counted from 1
    record_id: str
    field: str
    message: str

    def __str__(self) -> str:
        record = self.record_id or "ohne id"
        return f"Datensatz {self.index} ({record}), Feld '{self.field}': {self.message}"


class CatalogImportError(Exception):
    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Record:
    """Reads one XZuFi record, collecting problems instead of failing on the first."""

    def __init__(self, index: int, data, refs: dict, *, land: bool = False):
        self.index, self.data, self.refs, self.land = index, data, refs, land
        self.problems: list[ImportProblem] = []
        self.id = str(data.get("id", "")) if isinstance(data, dict) else ""

    def problem(self, field: str, message: str) -> None:
        self.problems.append(ImportProblem(self.index, self.id, field, message))

    def get(self, path: str, kind, default=None, required=False):
        value = self.data
        for key in path.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            if required:
                self.problem(path, "Pflichtfeld fehlt.")
            return default
        if not isinstance(value, kind):
            self.problem(path, f"Falscher Typ ({type(value).__name__}).")
            return default
        return value

    def to_content(self) -> dict | None:
        """The record in the content format of ``services.upsert_services``, or None."""
        if not isinstance(self.data, dict):
            self.problem("(Datensatz)", "Ein Datensatz muss ein JSON-Objekt sein.")
            return None
        content = {"slug": self.get("id", str, "", required=True)}
        if content["slug"] and not SLUG.match(content["slug"]):
            self.problem("id", "Nur Kleinbuchstaben, Ziffern und Bindestriche erlaubt.")
        content["leika_key"] = self.get("leistungsschluessel", str, "")
        if content["leika_key"] and not LEIKA.match(content["leika_key"]):
            self.problem("leistungsschluessel", "Der Leistungsschlüssel hat 14 Ziffern.")
        content["ozg_priority"] = self.get("priorisierte_ozg_leistung", str, "")
        if content["ozg_priority"] and content["ozg_priority"] not in ITPLR_PRIORITY:
            self.problem(
                "priorisierte_ozg_leistung",
                "Keine der vom IT-Planungsrat priorisierten OZG-Leistungen.",
            )
        content["name"] = self.get("bezeichnung.de", str, "", required=True).strip()
        if not content["name"] and "bezeichnung.de" not in {p.field for p in self.problems}:
            self.problem("bezeichnung.de", "Die Bezeichnung darf nicht leer sein.")
        content["name_en"] = self.get("bezeichnung.en", str, "")
        self._texts(content)
        if self.land:
            # A Land's text (ADR 0211): office, locations, online service, maturity and
            # fees are each town's own; a Land file carries none of them.
            content["topic"] = self.get("themenfeld", str, "", required=True)
            if content["topic"] and content["topic"] not in self.refs["topics"]:
                self.problem("themenfeld", f"Unbekanntes Themenfeld {content['topic']!r}.")
            self._model_limits(content)
            return content
        content["synonyms"] = ", ".join(self._strings("synonyme"))
        content["keywords_en"] = ", ".join(self._strings("suchbegriffe_en"))
        self._taxonomy(content)
        self._responsibility(content)
        self._online(content)
        self._maturity(content)
        content["fees"] = self._fees()
        content["popularity"] = self.get("beliebtheit", int, 0)
        if content["popularity"] < 0:
            self.problem("beliebtheit", "Muss 0 oder größer sein.")
        content["is_published"] = self.get("veroeffentlicht", bool, True)
        self._model_limits(content)
        return content

    def _strings(self, path: str) -> list[str]:
        values = self.get(path, list, [])
        if not all(isinstance(v, str) for v in values):
            self.problem(path, "Erwartet eine Liste von Texten.")
            return []
        return values

    def _texts(self, content: dict) -> None:
        for field_name in (*TEXT_TYPES.values(), *TEXT_TYPES_EN.values()):
            content[field_name] = [] if field_name.startswith("documents") else ""
        for position, text in enumerate(self.get("texte", list, [])):
            where = f"texte[{position}]"
            if not isinstance(text, dict):
                self.problem(where, "Erwartet ein Objekt mit textart, sprache, inhalt.")
                continue
            table = TEXT_TYPES_EN if text.get("sprache") == "en" else TEXT_TYPES
            field_name = table.get(text.get("textart"))
            if field_name is None:
                self.problem(f"{where}.textart", f"Unbekannte Textart {text.get('textart')!r}.")
                continue
            inhalt = text.get("inhalt")
            if field_name.startswith("documents"):
                if not isinstance(inhalt, list) or not all(isinstance(d, str) for d in inhalt):
                    self.problem(f"{where}.inhalt", "Unterlagen sind eine Liste von Texten.")
                    continue
            elif not isinstance(inhalt, str):
                self.problem(f"{where}.inhalt", "Erwartet einen Text.")
                continue
            content[field_name] = inhalt
        if not content["summary"]:
            self.problem("texte", "Der Kurztext (textart 'Kurztext', sprache 'de') fehlt.")

    def _taxonomy(self, content: dict) -> None:
        content["topic"] = self.get("themenfeld", str, "", required=True)
        if content["topic"] and content["topic"] not in self.refs["topics"]:
            self.problem("themenfeld", f"Unbekanntes Themenfeld {content['topic']!r}.")
        content["life_situations"] = self._strings("lebenslagen")
        for slug in content["life_situations"]:
            if slug not in self.refs["situations"]:
                self.problem("lebenslagen", f"Unbekannte Lebenslage {slug!r}.")

    def _responsibility(self, content: dict) -> None:
        office = self.get("zustaendigkeit.organisationseinheit", str, "", required=True)
        if office and office not in self.refs["offices"]:
            self.problem(
                "zustaendigkeit.organisationseinheit",
                f"Unbekannte Organisationseinheit {office!r}.",
            )
        content["office"] = office
        content["locations"] = self._strings("zustaendigkeit.standorte")
        for slug in content["locations"]:
            if slug not in self.refs["locations"]:
                self.problem("zustaendigkeit.standorte", f"Unbekannter Standort {slug!r}.")

    def _online(self, content: dict) -> None:
        content["online_url"] = self.get("onlinedienst.link", str, "")
        if content["online_url"]:
            try:
                URLValidator(schemes=["https", "http"])(content["online_url"])
            except ValidationError:
                self.problem("onlinedienst.link", "Keine gültige Internetadresse.")
        content["trust_level"] = self.get("onlinedienst.vertrauensniveau", str, TrustLevel.NONE)
        if content["trust_level"] not in TrustLevel.values:
            self.problem(
                "onlinedienst.vertrauensniveau", f"Erlaubt: {', '.join(TrustLevel.values)}."
            )
        content["appointment_required"] = self.get(
            "onlinedienst.persoenliches_erscheinen", bool, False
        )

    def _level(self, path: str, value) -> bool:
        if value not in MaturityLevel.values or isinstance(value, bool):
            self.problem(path, "Der Reifegrad ist eine Zahl von 0 bis 4.")
            return False
        return True

    def _maturity(self, content: dict) -> None:
        level = self.get("reifegrad.aktuell", int, None, required=True)
        if level is not None and self._level("reifegrad.aktuell", level):
            content["maturity_level"] = level
        history = []
        for position, entry in enumerate(self.get("reifegrad.historie", list, [])):
            where = f"reifegrad.historie[{position}]"
            if not isinstance(entry, dict):
                self.problem(where, "Erwartet ein Objekt mit stufe und seit.")
                continue
            day = self._date(f"{where}.seit", entry.get("seit"))
            if self._level(f"{where}.stufe", entry.get("stufe")) and day:
                history.append([day.isoformat(), entry["stufe"]])
        content["maturity_history"] = history
        planned = self.get("reifegrad.geplant", dict, None)
        content["planned_level"] = content["planned_date"] = None
        if planned is not None:
            if self._level("reifegrad.geplant.stufe", planned.get("stufe")):
                content["planned_level"] = planned["stufe"]
            content["planned_date"] = self._date("reifegrad.geplant.bis", planned.get("bis"))

    def _date(self, path: str, value) -> date | None:
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.problem(path, "Datum im Format JJJJ-MM-TT erwartet.")
            return None

    def _fees(self) -> list[dict]:
        fees = []
        for position, fee in enumerate(self.get("kosten", list, [])):
            where = f"kosten[{position}]"
            if not isinstance(fee, dict):
                self.problem(where, "Erwartet ein Objekt mit bezeichnung und betrag.")
                continue
            label = fee.get("bezeichnung")
            if not isinstance(label, str) or not label.strip() or len(label) > 200:
                self.problem(f"{where}.bezeichnung", "Bezeichnung fehlt oder ist zu lang.")
            english = {}
            for key, name, limit in (
                ("bezeichnung_en", "label_en", 200),
                ("hinweis_en", "note_en", 300),
            ):
                value = fee.get(key) or ""
                if not isinstance(value, str) or len(value) > limit:
                    self.problem(
                        f"{where}.{key}", f"Erwartet einen Text mit höchstens {limit} Zeichen."
                    )
                    value = ""
                english[name] = value
            amount = self._amount(f"{where}.betrag", fee.get("betrag"), required=True)
            amount_max = self._amount(f"{where}.betrag_bis", fee.get("betrag_bis"))
            if amount is not None and amount_max is not None and amount_max < amount:
                self.problem(f"{where}.betrag_bis", "Der Höchstbetrag ist kleiner als der Betrag.")
            rule = fee.get("regel") or {}
            try:
                check_rule(rule, f"{where}.regel")
            except FeeRuleError as exc:
                self.problem(exc.path, exc.reason)
                rule = {}
            fees.append(
                {
                    "label": label,
                    "amount": amount,
                    "amount_max": amount_max,
                    "note": fee.get("hinweis") or "",
                    "rule": rule,
                    **english,
                }
            )
        return fees

    def _amount(self, path: str, value, required=False) -> Decimal | None:
        if value in (None, ""):
            if required:
                self.problem(path, "Betrag fehlt.")
            return None
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            self.problem(path, "Betrag als Zahl mit Punkt angeben, z. B. 37.00.")
            return None
        if not amount.is_finite() or amount < 0 or amount >= Decimal("10000000"):
            self.problem(path, "Betrag außerhalb des erlaubten Bereichs.")
            return None
        return amount.quantize(Decimal("0.01"))

    def _model_limits(self, content: dict) -> None:
        """Lengths and formats the database enforces, reported with XZuFi field names."""
        limits = {
            "name": ("bezeichnung.de", 200),
            "name_en": ("bezeichnung.en", 200),
            "slug": ("id", 120),
            "processing_time": ("texte[Bearbeitungsdauer]", 200),
            "processing_time_en": ("texte[Bearbeitungsdauer, en]", 200),
        }
        for field_name, (path, limit) in limits.items():
            if len(content.get(field_name) or "") > limit:
                self.problem(path, f"Höchstens {limit} Zeichen.")


def validate(municipality, payload) -> list[dict]:
    """Content records for every service in ``payload``; raises CatalogImportError."""
    return validate_payload(payload, references(municipality))


def references(municipality) -> dict[str, set[str]]:
    """The slugs an import may refer to: taxonomy, the municipality's offices and locations."""
    return {
        "topics": set(Topic.objects.values_list("slug", flat=True)),
        "situations": set(LifeSituation.objects.values_list("slug", flat=True)),
        "offices": set(
            Office.objects.for_municipality(municipality).values_list("slug", flat=True)
        ),
        "locations": set(
            Location.objects.for_municipality(municipality).values_list("slug", flat=True)
        ),
    }


def validate_payload(payload, refs: dict[str, set[str]], *, land: bool = False) -> list[dict]:
    """Like ``validate``, with the references given (no database needed); ``land``: a
    Land's texts for the catalog template (no office, fees or maturity)."""
    if not isinstance(payload, dict) or not isinstance(payload.get("leistungen"), list):
        raise CatalogImportError(
            [ImportProblem(0, "", "leistungen", "Die Datei enthält keine Liste 'leistungen'.")]
        )
    problems, records, seen = [], [], {}
    for index, data in enumerate(payload["leistungen"], 1):
        record = _Record(index, data, refs, land=land)
        content = record.to_content()
        if content and content["slug"] in seen:
            record.problem("id", f"Doppelt (wie Datensatz {seen[content['slug']]}).")
        if content and content["slug"]:
            seen.setdefault(content["slug"], index)
        problems.extend(record.problems)
        records.append(content)
    if problems:
        raise CatalogImportError(problems)
    return records


def import_catalog(municipality, payload, *, actor=None) -> int:
    """Validate everything, then import all services in one transaction (or nothing)."""
    from . import services

    records = validate(municipality, payload)
    return services.upsert_services(municipality, records, actor=actor, action="catalog.imported")


def validate_land(land: str, payload) -> list[dict]:
    """The Land's texts in ``payload`` as content records; raises CatalogImportError.
    A file that names its Land (``"land": "ST"``) must name ``land``."""
    named = payload.get("land") if isinstance(payload, dict) else None
    if named not in (None, "", land):
        raise CatalogImportError(
            [ImportProblem(0, "", "land", f"Die Datei gehört zum Land {named!r}, nicht {land!r}.")]
        )
    refs = {"topics": set(Topic.objects.values_list("slug", flat=True))}
    return validate_payload(payload, refs, land=True)


def import_land(land: str, payload, *, actor=None, actor_label: str = "") -> tuple[int, int]:
    """Validate everything, then save every text of the Land's template (or nothing).
    Returns (services saved, town rows brought up to date)."""
    from . import land_template

    return land_template.save_land_set(
        land, validate_land(land, payload), actor=actor, actor_label=actor_label
    )
