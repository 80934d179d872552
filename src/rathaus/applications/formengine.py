"""Forms as data: turns a FormDefinition's schema into Django forms, step by step.

Schema::

    {"steps": [{"key": "hund", "title": "...", "intro": "...", "show_if": RULE,
                "fields": [{"name": "rasse", "type": "text", "label": "...", "hint": "...",
                            "required": true, "show_if": RULE, "prefill": "last_name",
                            "choices": [["wert", "Bezeichnung"]], "min": 0, "max": 9,
                            "min_date": "today+3", "max_date": "today",
                            "accept": ["application/pdf"], "max_mb": 5}]}]}

English (issue 16): a step may carry ``title_en`` and ``intro_en``, a field ``label_en``
and ``hint_en``, a choice a third element ``["wert", "Bezeichnung", "Label"]``. English
pages show them where present, else the German text marked lang="de" (``catalog.english``).

RULE is {"field": name, "equals": value} or {"field": name, "in": [values]} or
{"field": name, "checked": true}. A field of type ``group`` repeats its sub-fields per
row (several dogs); see ``formgroups``. A rule may name ``"group.sub"`` (any row).
Rules of a step may refer to earlier steps;
rules of a field may also refer to fields of the same step (the browser hides
and shows them with JavaScript; the server checks the rule on submit either way).
"""

from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from rathaus.catalog import english
from rathaus.core.forms import KernForm

from . import formgroups, representation, validators

FIELD_TYPES = {
    "text",
    "textarea",
    "number",
    "decimal",
    "date",
    "email",
    "phone",
    "iban",
    "postcode",
    "plate",
    "select",
    "radio",
    "checkbox",
    "checkboxes",
    "file",
    "group",
}
DEFAULT_UPLOAD_TYPES = ["application/pdf", "image/jpeg", "image/png"]


class SchemaError(ValueError):
    """A form definition that cannot be rendered."""


def validate_schema(schema: dict) -> None:
    """Raise SchemaError for unknown types, duplicate names or rules on unknown fields."""
    seen: set[str] = set()
    if not schema.get("steps"):
        raise SchemaError("Ein Formular braucht mindestens einen Schritt.")
    representation.check(schema, SchemaError)
    steps = representation.with_step(schema)  # its field names must not clash either
    step_keys = set()
    for step in steps:
        if step.get("key") in step_keys or not step.get("key"):
            raise SchemaError(f"Schrittschlüssel fehlt oder doppelt: {step.get('key')}")
        step_keys.add(step["key"])
        here = set()
        for field in step.get("fields", []):
            here |= formgroups.answer_names(field) if formgroups.is_group(field) else set()
            here.add(field.get("name"))
        for rule_owner in [step, *step.get("fields", [])]:
            rule = rule_owner.get("show_if")
            if rule and rule.get("field") not in seen | here:
                raise SchemaError(f"Bedingung auf unbekanntes Feld: {rule.get('field')}")
        for field in step.get("fields", []):
            if field.get("type") not in FIELD_TYPES:
                raise SchemaError(f"Unbekannter Feldtyp: {field.get('type')}")
            if field["name"] in seen:
                raise SchemaError(f"Feldname doppelt: {field['name']}")
            if formgroups.is_group(field):
                formgroups.validate(field, FIELD_TYPES, SchemaError)
                seen |= formgroups.answer_names(field)
            if field["type"] in {"select", "radio", "checkboxes"} and not field.get("choices"):
                raise SchemaError(f"Feld {field['name']} braucht Auswahlwerte.")
            for choice in field.get("choices", []):
                if not isinstance(choice, list | tuple) or len(choice) not in (2, 3):
                    raise SchemaError(
                        f"Auswahlwert von {field['name']}: [Wert, Bezeichnung] oder "
                        "[Wert, Bezeichnung, englische Bezeichnung]"
                    )
            seen.add(field["name"])


def rule_holds(rule: dict | None, data: dict) -> bool:
    if not rule:
        return True
    if "." in str(rule.get("field", "")):
        return formgroups.rule_holds_any(rule, data, rule_holds)
    value = data.get(rule["field"])
    if "equals" in rule:
        return value == rule["equals"]
    if "in" in rule:
        return value in rule["in"]
    if "checked" in rule:
        return bool(value) == bool(rule["checked"])
    return True


def steps(schema: dict) -> list[dict]:
    """The form's steps, with the generated "Für wen?" step first if it asks (ADR 0028)."""
    return representation.with_step(schema)


def visible_steps(schema: dict, data: dict) -> list[dict]:
    return [s for s in steps(schema) if rule_holds(s.get("show_if"), data)]


def find_step(schema: dict, key: str) -> dict | None:
    return next((s for s in steps(schema) if s["key"] == key), None)


def all_fields(schema: dict) -> dict[str, dict]:
    return {f["name"]: f for s in steps(schema) for f in s.get("fields", [])}


def answer_names(schema: dict) -> set[str]:
    """Every answer a rule may read: the fields, and ``group.sub`` for groups' sub-fields."""
    names: set[str] = set()
    for spec in all_fields(schema).values():
        names |= formgroups.answer_names(spec) if formgroups.is_group(spec) else {spec["name"]}
    return names


def relative_date(spec: str | None) -> date | None:
    """'today', 'today+3', 'today-36500' relative to the local date."""
    if not spec:
        return None
    today = timezone.localdate()
    if spec == "today":
        return today
    sign = 1 if "+" in spec else -1
    days = int(spec.split("+" if sign == 1 else "-", 1)[1])
    return today + timedelta(days=sign * days)


def prefill_value(user, key: str | None):
    if not key or user is None or not getattr(user, "is_authenticated", False):
        return None
    values = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "full_name": user.get_full_name(),
    }
    return values.get(key) or None


class DateField(forms.DateField):
    def __init__(self, *, min_date=None, max_date=None, weekdays_only=False, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d", "%d.%m.%Y"])
        super().__init__(**kwargs)
        self.min_date, self.max_date, self.weekdays_only = min_date, max_date, weekdays_only
        self.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.min_date and value < self.min_date:
            raise ValidationError(
                f"Das Datum muss am oder nach dem {self.min_date:%d.%m.%Y} liegen."
            )
        if self.max_date and value > self.max_date:
            raise ValidationError(
                f"Das Datum muss am oder vor dem {self.max_date:%d.%m.%Y} liegen."
            )
        if self.weekdays_only and value.weekday() >= 5:
            raise ValidationError("Bitte wählen Sie einen Werktag (Montag bis Freitag).")


class FileField(forms.FileField):
    def __init__(self, *, accept=None, max_mb=5, **kwargs):
        super().__init__(**kwargs)
        self.accept = accept or DEFAULT_UPLOAD_TYPES
        self.max_bytes = int(max_mb * 1024 * 1024)
        self.widget.attrs["accept"] = ",".join(self.accept)

    def clean(self, data, initial=None):
        uploaded = super().clean(data, initial)
        if uploaded and hasattr(uploaded, "size"):
            uploaded.detected_type = validators.check_upload(uploaded, self.accept, self.max_bytes)
        return uploaded


def _text_field(spec, **kw):
    return forms.CharField(max_length=spec.get("max_length", 200), **kw)


def choice_label(choice) -> str:
    """The label of one ``[value, label(, label_en)]`` choice in the page's language."""
    if len(choice) > 2 and choice[2] and english.english_page():
        return choice[2]
    return choice[1]


def german_choices(spec: dict) -> list[str]:
    """Values whose label an English page shows in German (no English label)."""
    if not english.english_page():
        return []
    return [str(c[0]) for c in spec.get("choices", []) if len(c) < 3 or not c[2]]


def build_field(spec: dict) -> forms.Field:
    """One Django form field from one field spec (labels in the page's language)."""
    field = _build_field(spec)
    english.mark_german_label(field, spec)
    english.mark_german_choices(field, german_choices(spec))
    return field


def _build_field(spec: dict) -> forms.Field:
    kind = spec["type"]
    kw = {"label": english.localized(spec, "label"), "required": spec.get("required", True)}
    if spec.get("hint"):
        kw["help_text"] = english.localized(spec, "hint")
    choices = [(c[0], choice_label(c)) for c in spec.get("choices", [])]
    if kind == "text":
        return _text_field(spec, **kw)
    if kind == "textarea":
        return forms.CharField(
            max_length=spec.get("max_length", 2000), widget=forms.Textarea(attrs={"rows": 4}), **kw
        )
    if kind == "number":
        return forms.IntegerField(min_value=spec.get("min"), max_value=spec.get("max"), **kw)
    if kind == "decimal":
        return forms.DecimalField(
            min_value=Decimal(str(spec.get("min", 0))), max_digits=12, decimal_places=2, **kw
        )
    if kind == "date":
        return DateField(
            min_date=relative_date(spec.get("min_date")),
            max_date=relative_date(spec.get("max_date")),
            weekdays_only=spec.get("weekdays_only", False),
            **kw,
        )
    if kind == "email":
        return forms.EmailField(
            error_messages={"invalid": "Bitte geben Sie eine gültige E-Mail-Adresse an."}, **kw
        )
    if kind == "phone":
        return forms.CharField(max_length=30, validators=[validators.validate_phone], **kw)
    if kind == "iban":
        return forms.CharField(max_length=42, validators=[validators.validate_iban], **kw)
    if kind == "postcode":
        field = forms.CharField(max_length=5, validators=[validators.validate_postcode], **kw)
        field.widget.attrs.update({"inputmode": "numeric", "autocomplete": "postal-code"})
        return field
    if kind == "plate":
        return forms.CharField(max_length=12, validators=[validators.validate_plate], **kw)
    if kind == "select":
        return forms.ChoiceField(choices=[("", _("Bitte auswählen"))] + choices, **kw)
    if kind == "radio":
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **kw)
    if kind == "checkbox":
        return forms.BooleanField(**kw)
    if kind == "checkboxes":
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **kw)
    if kind == "file":
        return FileField(accept=spec.get("accept"), max_mb=spec.get("max_mb", 5), **kw)
    raise SchemaError(kind)


AUTOCOMPLETE = {
    "vorname": "given-name",
    "nachname": "family-name",
    "email": "email",
    "telefon": "tel",
    "strasse": "street-address",
    "plz": "postal-code",
    "ort": "address-level2",
}


class StepForm(KernForm):
    """The form of one step; fields whose show_if rule fails are not required."""

    def __init__(self, step: dict, known: dict, *args, has_upload=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.step, self.known = step, known
        self.specs = {f["name"]: f for f in step.get("fields", [])}
        # input name -> (group spec, row index, sub-field spec) of every row's inputs
        self.sub_specs: dict[str, tuple[dict, int, dict]] = {}
        self.counts: dict[str, int] = {}
        has_upload = has_upload or set()
        for name, spec in self.specs.items():
            if formgroups.is_group(spec):
                self._add_group(spec)
                continue
            field = build_field(spec)
            if spec["type"] == "file" and name in has_upload:
                field.required = False  # a file is already stored; a new one replaces it
                field.help_text = (field.help_text + " " if field.help_text else "") + str(
                    _("Bereits hochgeladen – nur auswählen, um die Datei zu ersetzen.")
                )
            if name in AUTOCOMPLETE:
                field.widget.attrs.setdefault("autocomplete", AUTOCOMPLETE[name])
            self.fields[name] = field
        # KernForm styled the (empty) field set in __init__; style the fields added since
        self._style()

    def _add_group(self, spec: dict) -> None:
        """One set of inputs per row; the row count comes from the post (parsed) or the
        stored answers. Raises ParseError for a tampered count (the view answers 400)."""
        name = spec["name"]
        low, _high = formgroups.bounds(spec)
        stored = self.initial.get(name) if isinstance(self.initial.get(name), list) else []
        count = formgroups.posted_count(spec, self.data) if self.is_bound else len(stored) or low
        self.counts[name] = count
        for index in range(count):
            title = formgroups.row_title(spec, index)
            row = stored[index] if index < len(stored) and isinstance(stored[index], dict) else {}
            for sub in spec.get("fields", []):
                input_name = formgroups.input_name(name, index, sub["name"])
                field = build_field(sub)
                field.row_title = title
                field.error_messages["required"] = _("%(row)s: %(label)s fehlt.") % {
                    "row": title,
                    "label": english.localized(sub, "label"),
                }
                self.fields[input_name] = field
                self.sub_specs[input_name] = (spec, index, sub)
                if sub["name"] in row and not self.is_bound:
                    self.initial[input_name] = row[sub["name"]]

    def _style(self):
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "kern-form-check__checkbox")
            elif isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                continue
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "kern-form-input__select")
            elif isinstance(widget, forms.ClearableFileInput | forms.FileInput):
                widget.attrs.setdefault("class", "kern-form-input__input")
            else:
                widget.attrs.setdefault("class", "kern-form-input__input")
            if field.help_text:
                widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"

    def rows(self) -> list[dict]:
        """Fields to render; a same-step rule becomes data attributes for the toggle script."""
        out = []
        for name, spec in self.specs.items():
            if formgroups.is_group(spec):
                out.append(formgroups.template_row(self, spec))
                continue
            rule = spec.get("show_if") or {}
            if rule and rule["field"] not in self.specs and not self.field_visible(name):
                continue  # decided by an earlier step: not shown at all
            values = ""
            if rule and rule["field"] in self.specs:
                if "equals" in rule:
                    values = str(rule["equals"])
                elif "in" in rule:
                    values = "|".join(str(v) for v in rule["in"])
                elif "checked" in rule:
                    values = "on" if rule["checked"] else ""
            out.append(
                {
                    "field": self[name],
                    "showif_field": rule.get("field", "") if values else "",
                    "showif_values": values,
                }
            )
        return out

    def _raw_value(self, name):
        if self.is_bound:
            field = self.fields[name]
            return field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        return self.initial.get(name)

    def _raw_rows(self, group: str) -> list[dict]:
        """The rows of a group of this step as posted (or stored), for rules on them."""
        if not self.is_bound:
            rows = self.initial.get(group)
            return rows if isinstance(rows, list) else []
        spec = self.specs[group]
        rows = []
        for index in range(self.counts.get(group, 0)):
            row = {}
            for sub in spec.get("fields", []):
                raw = self._raw_value(formgroups.input_name(group, index, sub["name"]))
                if sub["type"] == "checkbox":
                    raw = raw in (True, "on", "true", "1")
                row[sub["name"]] = raw
            rows.append(row)
        return rows

    def field_visible(self, name: str) -> bool:
        if name in self.sub_specs:
            group, index, sub = self.sub_specs[name]
            if not self.field_visible(group["name"]):
                return False
            rule = sub.get("show_if")
            if not rule:
                return True
            rows = self._raw_rows(group["name"])
            return rule_holds(rule, rows[index] if index < len(rows) else {})
        rule = self.specs[name].get("show_if")
        if not rule:
            return True
        group = str(rule["field"]).partition(".")[0]
        if "." in rule["field"] and group in self.specs:
            return rule_holds(rule, {group: self._raw_rows(group)})
        if rule["field"] in self.specs:
            raw = self._raw_value(rule["field"])
            if self.specs[rule["field"]]["type"] == "checkbox":
                raw = raw in (True, "on", "true", "1")
            return rule_holds(rule, {rule["field"]: raw})
        return rule_holds(rule, self.known)

    def full_clean(self):
        # hidden conditional fields are neither required nor validated
        names = [*self.specs, *self.sub_specs]
        for name in names:
            if not self.field_visible(name) and name in self.fields:
                self.fields[name].required = False
        super().full_clean()
        if hasattr(self, "cleaned_data"):
            for name in names:
                if not self.field_visible(name):
                    self.cleaned_data.pop(name, None)
                    self._errors.pop(name, None)
            self._name_rows_in_errors()
            for name, spec in self.specs.items():
                low = formgroups.bounds(spec)[0] if formgroups.is_group(spec) else 0
                if low and self.field_visible(name) and self.counts.get(name, 0) < low:
                    self.add_error(
                        None,
                        _("„%(label)s“: bitte mindestens %(min)s Einträge angeben.")
                        % {"label": english.localized(spec, "label"), "min": low},
                    )

    def _name_rows_in_errors(self) -> None:
        """Every error of a row's input names the row: "Hund 2, Wurftag: Das Datum …"."""
        for name, errors in self._errors.items():
            if name not in self.sub_specs:
                continue
            field = self.fields[name]
            prefix = f"{field.row_title}:"
            renamed = [
                str(message)
                if str(message).startswith(prefix)
                else f"{field.row_title}, {field.label}: {message}"
                for message in errors
            ]
            self._errors[name] = self.error_class(renamed)

    def json_data(self) -> dict:
        """Cleaned values as JSON-safe data; files are handled by the caller."""
        out = {}
        for name, value in self.cleaned_data.items():
            if name in self.sub_specs:
                continue
            spec = self.specs[name]
            if spec["type"] == "file":
                continue
            out[name] = _json_value(spec, value)
        for name, spec in self.specs.items():
            if not formgroups.is_group(spec) or not self.field_visible(name):
                continue
            rows = []
            for index in range(self.counts.get(name, 0)):
                row = {}
                for sub in spec.get("fields", []):
                    input_name = formgroups.input_name(name, index, sub["name"])
                    if input_name in self.cleaned_data:
                        row[sub["name"]] = _json_value(sub, self.cleaned_data[input_name])
                rows.append(row)
            out[name] = rows
        return out


def _json_value(spec: dict, value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if spec["type"] == "iban":
        return validators.normalise_iban(value)
    if spec["type"] == "plate":
        return validators.normalise_plate(value)
    return value


def initial_for(step: dict, data: dict, user) -> dict:
    initial = {}
    for spec in step.get("fields", []):
        name = spec["name"]
        if formgroups.is_group(spec):
            if isinstance(data.get(name), list):
                initial[name] = data[name]
            continue
        if name in data and spec["type"] != "file":
            initial[name] = data[name]
        else:
            value = prefill_value(user, spec.get("prefill"))
            if value is not None:
                initial[name] = value
    return initial


def display_value(spec: dict, value) -> str:
    """Human-readable answer for the check-your-answers page, the case view and the PDF."""
    if value in (None, "", []):
        return "–"
    kind = spec["type"]
    choices = {c[0]: choice_label(c) for c in spec.get("choices", [])}
    if kind in {"select", "radio"}:
        return choices.get(value, str(value))
    if kind == "checkboxes":
        return ", ".join(choices.get(v, v) for v in value)
    if kind == "checkbox":
        return str(_("Ja")) if value else str(_("Nein"))
    if kind == "date":
        try:
            return date_format(date.fromisoformat(value), "d.m.Y")
        except ValueError:
            return str(value)
    if kind == "file":
        return value.get("name", "Datei") if isinstance(value, dict) else str(value)
    if kind == "iban":
        return " ".join(value[i : i + 4] for i in range(0, len(value), 4))
    return str(value)


def answers(schema: dict, data: dict) -> list[dict]:
    """The visible steps with their visible answered fields, in order."""
    result = []
    for step in visible_steps(schema, data):
        rows = []
        for spec in step.get("fields", []):
            if not rule_holds(spec.get("show_if"), data):
                continue
            if formgroups.is_group(spec):
                rows.extend(
                    formgroups.answer_rows(
                        spec, data.get(spec["name"]), rule_holds, display_value, german_choices
                    )
                )
                continue
            rows.append(
                {
                    "name": spec["name"],
                    "label": english.localized(spec, "label"),
                    "label_lang": "de" if english.shows_german(spec, "label") else "",
                    "value": display_value(spec, data.get(spec["name"])),
                    "value_lang": "de"
                    if str(data.get(spec["name"])) in german_choices(spec)
                    else "",
                    "type": spec["type"],
                }
            )
        result.append(
            {
                "key": step["key"],
                "title": english.localized(step, "title"),
                "title_lang": "de" if english.shows_german(step, "title") else "",
                "rows": rows,
            }
        )
    return result


def missing_steps(schema: dict, data: dict) -> list[str]:
    """Keys of visible steps whose required visible fields are not all answered."""
    done = set(data.get("_steps_done", []))
    missing = []
    for step in visible_steps(schema, data):
        if step["key"] not in done:
            missing.append(step["key"])
    return missing


def prune_hidden(schema: dict, data: dict) -> dict:
    """Drop answers of steps and fields that are no longer shown (no stale personal data)."""
    keep = {"_steps_done": data.get("_steps_done", [])}
    for step in visible_steps(schema, data):
        for spec in step.get("fields", []):
            if spec["name"] in data and rule_holds(spec.get("show_if"), data):
                keep[spec["name"]] = data[spec["name"]]
                if formgroups.is_group(spec) and isinstance(data[spec["name"]], list):
                    keep[spec["name"]] = [
                        formgroups.prune_row(spec, row, rule_holds)
                        for row in data[spec["name"]]
                        if isinstance(row, dict)
                    ]
    return keep
