"""Acting for someone else (ADR 0028): a parent, a legal guardian, a company's representative.

A form definition says whether it asks (``schema["representation"]``):

- ``"forbidden"`` (default): only for oneself, no question;
- ``"optional"``: a first step "Für wen stellen Sie den Antrag?" with "für mich selbst"
  and the three capacities;
- ``"required"``: the same step without "für mich selbst" (e.g. a form only a company
  may file).

The step is generated here (not stored in the schema), so every form gets the same
wording, field names and checks. Its answers stay in ``Application.data`` like any other
answers; ``record`` derives the capacity and the represented person's or company's data,
which ``services.save_step`` writes to ``Application.acting_as`` / ``represented`` – the
clerk's list, the case view, the notice, the data export and the pull API read these.
"""

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

MODES = ("forbidden", "optional", "required")
STEP_KEY = "vertretung"
SELF = "selbst"
PERSON_CAPACITIES = ("elternteil", "betreuung")
COMPANY = "firma"
CAPACITIES = [
    (SELF, "für mich selbst", "for myself"),
    ("elternteil", "als Elternteil (für mein minderjähriges Kind)", "as a parent (for my child)"),
    ("betreuung", "als gesetzliche Betreuung", "as legal guardian (gesetzliche Betreuung)"),
    (COMPANY, "als Vertretung einer Firma", "as a company's representative"),
]
#: Short German labels for the clerk, the notice and the export.
LABELS = {
    SELF: "für sich selbst",
    "elternteil": "als Elternteil",
    "betreuung": "als gesetzliche Betreuung",
    COMPANY: "als Vertretung einer Firma",
}


def mode(schema: dict) -> str:
    return schema.get("representation") or "forbidden"


def check(schema: dict, schema_error) -> None:
    if mode(schema) not in MODES:
        raise schema_error(
            "representation muss forbidden, optional oder required sein, nicht "
            f"{schema.get('representation')!r}."
        )
    if any(s.get("key") == STEP_KEY for s in schema.get("steps") or []):
        raise schema_error(f"Der Schrittschlüssel {STEP_KEY} ist für die Vertretung reserviert.")


def _person(show: dict) -> list[dict]:
    return [
        {"name": "vertreten_vorname", "type": "text", "label": "Vorname der vertretenen Person",
         "label_en": "First name of the person you act for", "show_if": show},
        {"name": "vertreten_nachname", "type": "text", "label": "Nachname der vertretenen Person",
         "label_en": "Last name of the person you act for", "show_if": show},
        {"name": "vertreten_geburtsdatum", "type": "date", "label": "Geburtsdatum der vertretenen "
         "Person", "label_en": "Date of birth of the person you act for", "max_date": "today",
         "show_if": show},
        {"name": "vertreten_anschrift", "type": "textarea", "max_length": 300,
         "label": "Anschrift der vertretenen Person", "label_en": "Address of the person you "
         "act for", "hint": "Straße, Hausnummer, Postleitzahl und Ort",
         "hint_en": "Street, house number, postcode and town", "show_if": show},
    ]  # fmt: skip


def _company(show: dict) -> list[dict]:
    return [
        {"name": "firma_name", "type": "text", "label": "Name der Firma",
         "label_en": "Company name", "show_if": show},
        {"name": "firma_register", "type": "text", "required": False, "max_length": 40,
         "label": "Handelsregisternummer", "label_en": "Commercial register number",
         "hint": "falls vorhanden, z. B. HRB 12345", "hint_en": "if any, e.g. HRB 12345",
         "show_if": show},
        {"name": "firma_anschrift", "type": "textarea", "max_length": 300,
         "label": "Anschrift der Firma", "label_en": "Company address", "show_if": show},
    ]  # fmt: skip


def step(schema: dict) -> dict | None:
    """The generated first step, or None when the form does not ask."""
    current = mode(schema)
    if current == "forbidden":
        return None
    choices = [list(c) for c in CAPACITIES if current == "optional" or c[0] != SELF]
    person = {"field": "vertretung", "in": list(PERSON_CAPACITIES)}
    return {
        "key": STEP_KEY,
        "title": "Für wen stellen Sie den Antrag?",
        "title_en": "Who are you applying for?",
        "intro": "Ihre eigenen Angaben machen Sie im nächsten Schritt. Hier geht es um die "
        "Person oder Firma, für die Sie handeln.",
        "intro_en": "You give your own details in the next step. Here we ask about the person "
        "or company you act for.",
        "fields": [
            {
                "name": "vertretung",
                "type": "radio",
                "label": "Ich stelle den Antrag",
                "label_en": "I am applying",
                "choices": choices,
            },
            *_person(person),
            {
                "name": "vertretung_nachweis",
                "type": "file",
                "label": "Betreuerausweis oder Bestellungsurkunde",
                "label_en": "Guardianship certificate",
                "hint": "PDF oder Foto, höchstens 5 MB",
                "show_if": {"field": "vertretung", "equals": "betreuung"},
            },
            *_company({"field": "vertretung", "equals": COMPANY}),
        ],
    }


def with_step(schema: dict) -> list[dict]:
    """The form's steps with the generated representation step first (if it asks)."""
    steps = schema.get("steps", [])
    extra = step(schema)
    return [extra, *steps] if extra else steps


def record(data: dict) -> tuple[str, dict]:
    """(capacity, represented person's/company's data) from the answers."""
    capacity = data.get("vertretung") or ""
    if capacity in PERSON_CAPACITIES:
        keys = ("vorname", "nachname", "geburtsdatum", "anschrift")
        return capacity, {k: data.get(f"vertreten_{k}", "") for k in keys}
    if capacity == COMPANY:
        keys = ("name", "register", "anschrift")
        return capacity, {k: data.get(f"firma_{k}", "") for k in keys}
    return (SELF if capacity == SELF else ""), {}


def describe(acting_as: str, represented: dict) -> str:
    """One German line: "als gesetzliche Betreuung für Max Muster (geb. 01.02.1950)"."""
    if acting_as in PERSON_CAPACITIES:
        name = f"{represented.get('vorname', '')} {represented.get('nachname', '')}".strip()
        born = represented.get("geburtsdatum") or ""
        if born:
            from datetime import date

            try:
                born = f" (geb. {date_format(date.fromisoformat(born), 'd.m.Y')})"
            except ValueError:
                born = ""
        return f"{LABELS[acting_as]} für {name}{born}"
    if acting_as == COMPANY:
        register = represented.get("register") or ""
        return f"{LABELS[COMPANY]}: {represented.get('name', '')}" + (
            f" ({register})" if register else ""
        )
    if acting_as == SELF:
        return str(_("für sich selbst"))
    return ""


def export(acting_as: str, represented: dict) -> dict:
    """The data export's entry (German keys)."""
    if not acting_as:
        return {}
    names = {
        "vorname": "Vorname",
        "nachname": "Nachname",
        "geburtsdatum": "Geburtsdatum",
        "anschrift": "Anschrift",
        "name": "Firma",
        "register": "Handelsregisternummer",
    }
    return {
        "Eigenschaft": LABELS.get(acting_as, acting_as),
        **{names[k]: v for k, v in represented.items() if k in names},
    }
