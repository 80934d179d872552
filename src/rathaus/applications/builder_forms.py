"""The form builder's input forms: every value parsed with ``core.parsing`` (ADR 0009),
German messages, KERN styling and error summaries from ``KernForm``."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory

from rathaus.core.forms import KernForm
from rathaus.core.parsing import ParseError, clean_text, parse_decimal, parse_int

from . import services_builder as builder


class TextField(forms.CharField):
    """Text through ``parsing.clean_text`` (NFC, no control characters, length)."""

    def __init__(self, *, max_length: int, multiline=False, **kwargs):
        self.limit, self.multiline = max_length, multiline
        if multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(strip=False, **kwargs)

    def to_python(self, value):
        try:
            return clean_text(value, "text", max_length=self.limit, multiline=self.multiline)
        except ParseError as error:
            raise ValidationError(error.reason) from None


class IntField(forms.CharField):
    """A whole number in ASCII digits (``parsing.parse_int``), empty allowed if optional."""

    def __init__(self, *, minimum: int, maximum: int, **kwargs):
        self.minimum, self.maximum = minimum, maximum
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "maxlength": "12"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in ("", None):
            return None
        try:
            return parse_int(value, "zahl", minimum=self.minimum, maximum=self.maximum)
        except ParseError as error:
            raise ValidationError(error.reason) from None


class EuroField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "maxlength": "14"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in ("", None):
            return None
        try:
            amount = parse_decimal(value, "betrag", minimum=0, maximum=9_999_999)
        except ParseError as error:
            raise ValidationError(error.reason) from None
        return f"{amount:.2f}"


def values_list(raw: str) -> list[str]:
    return [v.strip() for v in raw.split(",") if v.strip()]


class SettingsForm(KernForm):
    title = TextField(label="Titel des Formulars", max_length=200)
    intro = TextField(
        label="Einleitung",
        max_length=5000,
        multiline=True,
        required=False,
        help_text="Erscheint auf der Startseite des Antrags.",
    )
    guest_allowed = forms.BooleanField(label="Antrag ohne Konto möglich", required=False)
    processing_days = IntField(label="Bearbeitungsfrist in Tagen", minimum=1, maximum=3650)
    retention_days = IntField(
        label="Aufbewahrungsfrist in Tagen",
        minimum=1,
        maximum=10950,
        help_text="Nach Abschluss werden die personenbezogenen Daten nach dieser Frist gelöscht.",
    )
    maturity_level = forms.TypedChoiceField(
        label="Reifegrad bei Veröffentlichung",
        choices=[("3", "3 – Online-Dienst"), ("4", "4 – Online-Transaktion (Ende-zu-Ende)")],
        coerce=int,
    )
    notice_title = TextField(label="Überschrift des Bescheids", max_length=200, required=False)
    office = forms.ChoiceField(label="Zuständige Stelle")
    documents = TextField(
        label="Erforderliche Unterlagen",
        max_length=15000,
        multiline=True,
        required=False,
        help_text="Eine Unterlage je Zeile. Erscheint in der Leistungsbeschreibung.",
    )

    def __init__(self, *args, offices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].choices = [(o.slug, o.name) for o in offices]

    def clean_documents(self):
        lines = [line.strip() for line in self.cleaned_data["documents"].split("\n")]
        lines = [line for line in lines if line]
        if len(lines) > 50:
            raise ValidationError("Höchstens 50 Unterlagen.")
        if any(len(line) > 300 for line in lines):
            raise ValidationError("Eine Unterlage hat höchstens 300 Zeichen.")
        return lines


class AddStepForm(KernForm):
    step_title = TextField(label="Titel des neuen Schritts", max_length=200)


class ConditionMixin:
    """ "Nur zeigen, wenn …": an earlier answer and the values that show this step/field."""

    def setup_condition(self, candidates: list[dict]):
        self.candidates = {f["name"]: f for f in candidates}
        self.fields["show_if_field"].choices = [("", "immer zeigen")] + [
            (f["name"], f"{f.get('label', f['name'])} ({f['name']})") for f in candidates
        ]

    def condition(self) -> dict | None:
        name = self.cleaned_data.get("show_if_field") or ""
        if not name:
            return None
        spec = self.candidates[name]
        if spec.get("type") == "checkbox":
            return {"field": name, "checked": True}
        values = values_list(self.cleaned_data.get("show_if_values") or "")
        if not values:
            self.add_error("show_if_values", "Geben Sie an, bei welchem Wert gezeigt wird.")
            return None
        allowed = [str(c[0]) for c in spec.get("choices", [])]
        wrong = [v for v in values if allowed and v not in allowed]
        if wrong:
            self.add_error(
                "show_if_values",
                f"„{wrong[0]}“ ist kein Wert von „{spec.get('label')}“. Erlaubt: "
                f"{', '.join(allowed)}.",
            )
            return None
        if len(values) == 1:
            return {"field": name, "equals": values[0]}
        return {"field": name, "in": values}


def condition_initial(rule: dict | None) -> dict:
    rule = rule or {}
    values = [rule["equals"]] if "equals" in rule else rule.get("in", [])
    return {
        "show_if_field": rule.get("field", ""),
        "show_if_values": ", ".join(str(v) for v in values),
    }


CONDITION_HINT = (
    "Werte mit Komma trennen; bei einem Bestätigungskästchen: gezeigt, wenn angekreuzt."
)


class StepForm(ConditionMixin, KernForm):
    title = TextField(label="Titel des Schritts", max_length=200)
    intro = TextField(label="Erläuterung", max_length=2000, multiline=True, required=False)
    show_if_field = forms.ChoiceField(label="Nur zeigen, wenn diese Antwort …", required=False)
    show_if_values = TextField(
        label="… einen dieser Werte hat", max_length=500, required=False, help_text=CONDITION_HINT
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_condition(list(candidates))

    def clean(self):
        data = super().clean()
        data["show_if"] = self.condition()
        return data


class AddFieldForm(KernForm):
    label = TextField(label="Beschriftung des neuen Felds", max_length=200)
    type = forms.ChoiceField(label="Feldtyp")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = builder.addable_types()


DATE_RE = re.compile(r"^(?:heute|today)(?:\s*([+-])\s*(\d{1,5}))?$")


def date_spec(value: str) -> str:
    """'heute+3' -> 'today+3' (the engine's relative date)."""
    match = DATE_RE.match(value.strip().lower())
    if not match:
        raise ValidationError("Erlaubt: leer, „heute“, „heute+3“ oder „heute-365“ (Tage).")
    sign, days = match.groups()
    return "today" if not sign else f"today{sign}{int(days)}"


def date_display(spec: str | None) -> str:
    return (spec or "").replace("today", "heute")


class FieldForm(ConditionMixin, KernForm):
    """Common properties of every field, then the type's own (``FIELD_TYPES`` registry)."""

    label = TextField(label="Beschriftung", max_length=200)
    hint = TextField(label="Hilfetext", max_length=500, multiline=True, required=False)
    required = forms.BooleanField(label="Pflichtfeld", required=False)
    max_length = IntField(label="Höchstens Zeichen", minimum=1, maximum=5000, required=False)
    min = IntField(label="Kleinster Wert", minimum=-1_000_000, maximum=1_000_000, required=False)
    max = IntField(label="Größter Wert", minimum=-1_000_000, maximum=1_000_000, required=False)
    min_date = TextField(
        label="Frühestes Datum", max_length=20, required=False, help_text="z. B. heute oder heute+3"
    )
    max_date = TextField(
        label="Spätestes Datum", max_length=20, required=False, help_text="z. B. heute+365"
    )
    weekdays_only = forms.BooleanField(label="Nur Werktage (Montag bis Freitag)", required=False)
    choices = TextField(
        label="Auswahlwerte",
        max_length=5000,
        multiline=True,
        error_messages={"required": "Geben Sie mindestens einen Auswahlwert an."},
        help_text="Ein Wert je Zeile: „wert = Bezeichnung“, z. B. „ja = Ja“.",
    )
    accept = forms.MultipleChoiceField(
        label="Erlaubte Dateiarten",
        choices=list(builder.UPLOAD_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Wählen Sie mindestens eine Dateiart."},
    )
    max_mb = IntField(label="Größte Datei in MB", minimum=1, maximum=20, required=False)
    show_if_field = forms.ChoiceField(label="Nur zeigen, wenn diese Antwort …", required=False)
    show_if_values = TextField(
        label="… einen dieser Werte hat", max_length=500, required=False, help_text=CONDITION_HINT
    )

    def __init__(self, *args, spec: dict, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.properties = builder.type_properties(spec["type"])
        for prop in ("max_length", "min", "max", "min_date", "max_date", "weekdays_only"):
            if prop not in self.properties:
                del self.fields[prop]
        for prop in ("choices", "accept", "max_mb"):
            if prop not in self.properties:
                del self.fields[prop]
        self.setup_condition(list(candidates))

    @staticmethod
    def initial_for(spec: dict) -> dict:
        initial = {
            "label": spec.get("label", ""),
            "hint": spec.get("hint", ""),
            "required": spec.get("required", True),
            **condition_initial(spec.get("show_if")),
        }
        for prop in ("max_length", "min", "max", "max_mb", "weekdays_only"):
            if prop in spec:
                initial[prop] = spec[prop]
        initial["min_date"] = date_display(spec.get("min_date"))
        initial["max_date"] = date_display(spec.get("max_date"))
        initial["choices"] = "\n".join(f"{c[0]} = {c[1]}" for c in spec.get("choices", []))
        initial["accept"] = spec.get("accept", list(builder.UPLOAD_TYPES))
        return initial

    def clean_min_date(self):
        value = self.cleaned_data.get("min_date") or ""
        return date_spec(value) if value else ""

    def clean_max_date(self):
        value = self.cleaned_data.get("max_date") or ""
        return date_spec(value) if value else ""

    def clean_choices(self):
        english = {c[0]: c[2] for c in self.spec.get("choices", []) if len(c) > 2 and c[2]}
        out, seen = [], set()
        for line in (self.cleaned_data.get("choices") or "").split("\n"):
            if not line.strip():
                continue
            value, _sep, label = line.partition("=")
            value, label = value.strip(), label.strip()
            if not label:  # only a label: the value is made from it
                value, label = builder.slug_key(value, "wert"), value
            if not re.fullmatch(r"[A-Za-z0-9_.-]{1,60}", value):
                raise ValidationError(
                    f"Der Wert „{value[:60]}“: nur Buchstaben ohne Umlaute, Ziffern, _ . -"
                )
            if value in seen:
                raise ValidationError(f"Der Wert „{value}“ steht doppelt in der Liste.")
            seen.add(value)
            out.append(
                [value, label[:200], english[value]] if value in english else [value, label[:200]]
            )
        if not out:
            raise ValidationError("Geben Sie mindestens einen Auswahlwert an.")
        if len(out) > 100:
            raise ValidationError("Höchstens 100 Auswahlwerte.")
        return out

    def clean_accept(self):
        accepted = self.cleaned_data.get("accept") or []
        if not accepted:
            raise ValidationError("Wählen Sie mindestens eine Dateiart.")
        return [t for t in builder.UPLOAD_TYPES if t in accepted]

    def clean(self):
        data = super().clean()
        if (
            data.get("min") is not None
            and data.get("max") is not None
            and data["min"] > data["max"]
        ):
            self.add_error("max", "Der größte Wert liegt unter dem kleinsten.")
        data["show_if"] = self.condition()
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        values = {
            "label": data["label"],
            "hint": data.get("hint", ""),
            "required": data.get("required", False),
            "show_if": data.get("show_if"),
        }
        for prop in self.properties:
            if prop in data:
                value = data[prop]
                values[prop] = value if value not in (False, None) else ""
        if values.get("accept") == list(builder.UPLOAD_TYPES):
            values["accept"] = ""  # the engine's default: no key needed
        return values


class FeeForm(KernForm):
    """One fee row with its rule: when (answer = values), per unit, or a reduction."""

    label = TextField(label="Bezeichnung", max_length=200, required=False)
    amount = EuroField(label="Betrag in Euro", required=False)
    amount_max = EuroField(
        label="bis Betrag (Spanne)",
        required=False,
        help_text="Nur für Spannen; eine Spanne kann nicht online berechnet werden.",
    )
    note = TextField(label="Hinweis", max_length=300, required=False)
    when_field = forms.ChoiceField(label="Gilt nur, wenn die Antwort …", required=False)
    when_values = TextField(
        label="… einen dieser Werte hat", max_length=500, required=False, help_text=CONDITION_HINT
    )
    when2_field = forms.ChoiceField(label="Und wenn die Antwort …", required=False)
    when2_values = TextField(
        label="… einen dieser Werte hat (2. Bedingung)", max_length=500, required=False
    )
    per_field = forms.ChoiceField(label="Je Einheit der Zahl", required=False)
    per_minus = IntField(label="abzüglich", minimum=0, maximum=100, required=False)
    reduction = IntField(
        label="Ermäßigung in Prozent",
        minimum=1,
        maximum=100,
        required=False,
        help_text="Dann ist die Zeile eine Ermäßigung der anderen Zeilen; der Betrag zählt nicht.",
    )
    remove = forms.BooleanField(label="Zeile entfernen", required=False)

    def __init__(self, *args, answers=(), numbers=(), **kwargs):
        super().__init__(*args, **kwargs)
        answer_choices = [("", "– keine Bedingung –")] + [
            (f["name"], f"{f.get('label', f['name'])} ({f['name']})") for f in answers
        ]
        self.fields["when_field"].choices = answer_choices
        self.fields["when2_field"].choices = answer_choices
        self.fields["per_field"].choices = [("", "– einmal –")] + [
            (f["name"], f"{f.get('label', f['name'])} ({f['name']})") for f in numbers
        ]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("label") and data.get("amount") is None

    def clean(self):
        data = super().clean()
        if data.get("remove") or self.is_blank():
            return data
        if not data.get("label"):
            self.add_error("label", "Geben Sie eine Bezeichnung an.")
        if data.get("amount") is None:
            self.add_error("amount", "Geben Sie einen Betrag an (0 für gebührenfrei).")
        for key in ("when", "when2"):
            if data.get(f"{key}_field") and not values_list(data.get(f"{key}_values") or ""):
                self.add_error(f"{key}_values", "Geben Sie an, bei welchem Wert die Zeile gilt.")
        return data

    @staticmethod
    def representable(rule: dict | None) -> bool:
        """True if this page can show and save ``rule`` without changing it: up to two
        conditions {feld, gleich|in}, ``je`` on one number answer, a reduction. Other
        rules (e.g. counting a group's rows, ADR 0027) stay as they are."""
        rule = rule or {}
        if set(rule) - {"wenn", "je", "ermaessigung_prozent"}:
            return False
        conditions = rule.get("wenn", [])
        if not isinstance(conditions, list) or len(conditions) > 2:
            return False
        for condition in conditions:
            if not isinstance(condition, dict) or set(condition) - {"feld", "gleich", "in"}:
                return False
            if "in" in condition and len(condition["in"]) < 2:
                return False  # saved back as "gleich"
        per = rule.get("je")
        if per is not None and (not isinstance(per, dict) or set(per) - {"feld", "abzueglich"}):
            return False
        return per is None or "abzueglich" in per  # else saved back with "abzueglich": 0

    @staticmethod
    def initial_for(fee: dict) -> dict:
        rule = fee.get("rule") or {}
        initial = {
            "label": fee.get("label", ""),
            "amount": (fee.get("amount") or "").replace(".", ","),
            "amount_max": (fee.get("amount_max") or "").replace(".", ","),
            "note": fee.get("note", ""),
            "reduction": rule.get("ermaessigung_prozent"),
        }
        for key, condition in zip(("when", "when2"), rule.get("wenn", []), strict=False):
            values = [condition["gleich"]] if "gleich" in condition else condition.get("in", [])
            initial[f"{key}_field"] = condition["feld"]
            initial[f"{key}_values"] = ", ".join(values)
        if "je" in rule:
            initial["per_field"] = rule["je"]["feld"]
            initial["per_minus"] = rule["je"].get("abzueglich", 0)
        return initial

    def record(self) -> dict:
        data = self.cleaned_data
        rule: dict = {}
        conditions = []
        for key in ("when", "when2"):
            if data.get(f"{key}_field"):
                values = values_list(data[f"{key}_values"])
                condition = {"feld": data[f"{key}_field"]}
                if len(values) == 1:
                    condition["gleich"] = values[0]
                else:
                    condition["in"] = values
                conditions.append(condition)
        if conditions:
            rule["wenn"] = conditions
        if data.get("per_field"):
            rule["je"] = {"feld": data["per_field"], "abzueglich": data.get("per_minus") or 0}
        if data.get("reduction"):
            rule["ermaessigung_prozent"] = data["reduction"]
        return {
            "label": data["label"],
            "amount": data["amount"],
            "amount_max": data.get("amount_max"),
            "note": data.get("note", ""),
            "rule": rule,
        }


FeeFormSet = formset_factory(FeeForm, extra=1, max_num=30, absolute_max=31, validate_max=True)
