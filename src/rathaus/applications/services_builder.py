"""The form builder's write path (ADR 0036): staff edit a working copy of a service's form.

A draft (``FormDraft``) holds one ``rathaus-forms-json`` record. Each change below is one
transaction on the locked draft with an audit entry; the record is checked with the form
engine's own ``validate_schema`` after every change, so a draft is always renderable
(and can be previewed with the citizen renderer). Publishing hands the record to the
import path (``form_import.import_forms``): the next version is published, the previous
one retires, running applications keep the version they started with.

The builder knows field types through ``FIELD_TYPES`` below, a registry of the
properties it can edit per type; a type the form engine knows but the registry does not
(a later addition) can still be added and gets the common properties (label, hint,
required, condition) while its other keys are kept as they are.
"""

import copy
import re
import unicodedata

from django.db import transaction

from rathaus.catalog import fee_rules
from rathaus.catalog import services as catalog_services
from rathaus.catalog.models import Service
from rathaus.core import audit

from . import form_import, formengine
from .models import FormDefinition, FormDraft

# type -> (German name, properties the builder edits besides label/hint/required/show_if)
FIELD_TYPES: dict[str, tuple[str, tuple[str, ...]]] = {
    "text": ("Kurzer Text", ("max_length",)),
    "textarea": ("Langer Text", ("max_length",)),
    "number": ("Ganze Zahl", ("min", "max")),
    "decimal": ("Betrag oder Dezimalzahl", ("min",)),
    "date": ("Datum", ("min_date", "max_date", "weekdays_only")),
    "email": ("E-Mail-Adresse", ()),
    "phone": ("Telefonnummer", ()),
    "iban": ("IBAN", ()),
    "postcode": ("Postleitzahl", ()),
    "plate": ("Kfz-Kennzeichen", ()),
    "select": ("Auswahlliste", ("choices",)),
    "radio": ("Eine Auswahl (Optionsfelder)", ("choices",)),
    "checkbox": ("Bestätigung (ein Kästchen)", ()),
    "checkboxes": ("Mehrfachauswahl (Kästchen)", ("choices",)),
    "file": ("Datei hochladen (Nachweis)", ("accept", "max_mb")),
}
CHOICE_TYPES = {"select", "radio", "checkboxes"}
UPLOAD_TYPES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG-Bild",
    "image/png": "PNG-Bild",
}
MAX_STEPS, MAX_FIELDS = 30, 200


def type_label(kind: str) -> str:
    return FIELD_TYPES.get(kind, (kind, ()))[0]


def type_properties(kind: str) -> tuple[str, ...]:
    return FIELD_TYPES.get(kind, ("", ()))[1]


def addable_types() -> list[tuple[str, str]]:
    """Every type the form engine renders, named for staff (registry first)."""
    known = [k for k in FIELD_TYPES if k in formengine.FIELD_TYPES]
    later = sorted(formengine.FIELD_TYPES - set(FIELD_TYPES))
    return [(kind, type_label(kind)) for kind in known + later]


class BuilderError(Exception):
    """German messages, each for one input (``field``) of the page, for the error summary."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def slug_key(text: str, fallback: str) -> str:
    """A technical name from a German label: ``Anzahl der Hunde`` -> ``anzahl_der_hunde``."""
    text = text.lower().replace("ß", "ss").replace("ä", "ae").replace("ö", "oe")
    text = text.replace("ü", "ue")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "_", text).strip("_")[:40].strip("_")
    return key if key and key[0].isalpha() else fallback


NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _unique(key: str, taken: set[str]) -> str:
    candidate, number = key, 2
    while candidate in taken:
        candidate = f"{key[:36]}_{number}"
        number += 1
    return candidate


# --- reading the record ------------------------------------------------------------------


def steps_of(record: dict) -> list[dict]:
    return record.get("steps") or []


def schema_of(record: dict) -> dict:
    return {"steps": steps_of(record)}


def find_step(record: dict, key: str) -> dict | None:
    return next((s for s in steps_of(record) if s.get("key") == key), None)


def find_field(record: dict, name: str) -> tuple[dict, dict] | None:
    for step in steps_of(record):
        for field in step.get("fields", []):
            if field.get("name") == name:
                return step, field
    return None


def answer_specs(record: dict) -> list[dict]:
    """Every answer a condition or fee rule may read, in order: the fields, and for a
    field with sub-fields (a repeating group, ADR 0027) also ``group.sub``."""
    return [spec for step in steps_of(record) for spec in _with_subfields(step.get("fields", []))]


def _with_subfields(fields: list[dict]) -> list[dict]:
    out = []
    for field in fields:
        out.append(field)
        for sub in field.get("fields") or []:
            if isinstance(sub, dict) and sub.get("name"):
                label = f"{field.get('label', field['name'])}: {sub.get('label', sub['name'])}"
                out.append({**sub, "name": f"{field['name']}.{sub['name']}", "label": label})
    return out


def fields_before(record: dict, step_key: str, name: str | None = None) -> list[dict]:
    """Fields a condition of ``step_key`` (or of its field ``name``) may read: those of
    earlier steps and, for a field, the earlier fields of its own step."""
    out: list[dict] = []
    for step in steps_of(record):
        if step.get("key") == step_key:
            if name is not None:
                for field in step.get("fields", []):
                    if field.get("name") == name:
                        break
                    out.extend(_with_subfields([field]))
            break
        out.extend(_with_subfields(step.get("fields", [])))
    return out


def _reads(read, name: str) -> bool:
    """``read`` is the answer ``name`` or one of its sub-fields (``name.sub``)."""
    return isinstance(read, str) and (read == name or read.startswith(name + "."))


def references(record: dict, name: str) -> list[str]:
    """Where the answer ``name`` is read: conditions of steps and fields, fee rules."""
    found = []
    for step in steps_of(record):
        if _reads((step.get("show_if") or {}).get("field"), name):
            found.append(f"Bedingung des Schritts „{step.get('title')}“")
        for field in step.get("fields", []):
            if _reads((field.get("show_if") or {}).get("field"), name):
                found.append(f"Bedingung des Felds „{field.get('label')}“")
    for fee in record.get("fees") or []:
        if any(_reads(read, name) for read in fee_rules.referenced_fields(fee.get("rule"))):
            found.append(f"Regel der Gebühr „{fee.get('label')}“")
    return found


# --- opening and discarding ------------------------------------------------------------------


def new_record(service: Service) -> dict:
    """The record of a new form: one empty step, the service's current facts."""
    return {
        "service": service.slug,
        "title": service.name[:200],
        "intro": "",
        "title_en": "",
        "intro_en": "",
        "guest_allowed": False,
        "processing_days": 14,
        "retention_days": 365,
        "maturity_level": 3,
        "notice_title": "",
        "case_statuses": [],
        "steps": [{"key": "angaben", "title": "Ihre Angaben", "fields": []}],
        **catalog_services.form_facts(service),
    }


@transaction.atomic
def open_draft(service: Service, *, actor=None) -> FormDraft:
    """The service's draft; a new one copies the current version (or starts empty)."""
    Service.objects.select_for_update().filter(pk=service.pk).first()  # one opener at a time
    draft = FormDraft.objects.filter(service=service).first()
    if draft is not None:
        return draft
    current = (
        FormDefinition.objects.filter(service=service)
        .exclude(state=FormDefinition.State.DRAFT)
        .order_by("-version")
        .first()
    )
    record = form_import.export_record(current) if current else new_record(service)
    draft = FormDraft.objects.create(
        municipality=service.municipality,
        service=service,
        based_on=current.version if current else None,
        record=copy.deepcopy(record),
    )
    audit.record(
        "applications.form_draft_opened",
        draft,
        actor=actor,
        data={"service": service.slug, "based_on": draft.based_on},
    )
    return draft


@transaction.atomic
def discard_draft(draft: FormDraft, *, actor=None) -> None:
    audit.record(
        "applications.form_draft_discarded",
        draft,
        actor=actor,
        data={"service": draft.service.slug},
    )
    draft.delete()


GONE = "Dieser Entwurf wurde inzwischen veröffentlicht oder verworfen."


def _locked(draft: FormDraft) -> FormDraft:
    locked = FormDraft.objects.select_for_update().filter(pk=draft.pk).first()
    if locked is None:  # published or discarded by someone else meanwhile
        raise BuilderError({"__all__": GONE})
    return locked


def _change(draft: FormDraft, action: str, change, *, actor=None, data=None) -> FormDraft:
    """Apply ``change(record)`` to the locked draft, check the result, save and audit."""
    with transaction.atomic():
        locked = _locked(draft)
        record = copy.deepcopy(locked.record)
        change(record)
        _check_structure(record)
        locked.record = record
        locked.save(update_fields=["record", "updated_at"])
        audit.record(action, locked, actor=actor, data=data or {})
    draft.record = locked.record
    return draft


def _check_structure(record: dict) -> None:
    if len(steps_of(record)) > MAX_STEPS:
        raise BuilderError({"title": f"Höchstens {MAX_STEPS} Schritte."})
    if sum(len(s.get("fields", [])) for s in steps_of(record)) > MAX_FIELDS:
        raise BuilderError({"label": f"Höchstens {MAX_FIELDS} Felder."})
    try:
        formengine.validate_schema(schema_of(record))
    except formengine.SchemaError as exc:
        raise BuilderError({"__all__": str(exc)}) from None


# --- settings, office, documents ---------------------------------------------------------------


SETTINGS = (
    "title",
    "intro",
    "guest_allowed",
    "processing_days",
    "retention_days",
    "maturity_level",
    "notice_title",
    "office",
    "documents",
)


def update_settings(draft: FormDraft, values: dict, *, actor=None) -> FormDraft:
    """Title, introduction, guest access, deadlines, level, office and documents."""

    def change(record):
        record.update({k: values[k] for k in SETTINGS if k in values})

    return _change(
        draft,
        "applications.form_draft_settings",
        change,
        actor=actor,
        data={"fields": sorted(k for k in SETTINGS if k in values)},
    )


# --- steps -------------------------------------------------------------------------------------


def add_step(draft: FormDraft, title: str, *, actor=None) -> str:
    # "pruefen" is the preview's check page, not a step
    keys = {str(s.get("key")) for s in steps_of(draft.record)} | {"pruefen"}
    key = _unique(slug_key(title, "schritt"), keys)

    def change(record):
        record.setdefault("steps", []).append({"key": key, "title": title, "fields": []})

    _change(draft, "applications.form_draft_step_added", change, actor=actor, data={"step": key})
    return key


def update_step(
    draft: FormDraft, key: str, *, title: str, intro: str, show_if: dict | None, actor=None
) -> FormDraft:
    def change(record):
        step = find_step(record, key)
        if step is None:
            raise BuilderError({"__all__": "Diesen Schritt gibt es nicht mehr."})
        step["title"] = title
        _set_optional(step, "intro", intro)
        _set_optional(step, "show_if", show_if)

    return _change(
        draft, "applications.form_draft_step_changed", change, actor=actor, data={"step": key}
    )


def move_step(draft: FormDraft, key: str, delta: int, *, actor=None) -> FormDraft:
    def change(record):
        steps = steps_of(record)
        index = next((i for i, s in enumerate(steps) if s.get("key") == key), None)
        if index is None:
            raise BuilderError({"__all__": "Diesen Schritt gibt es nicht mehr."})
        target = index + delta
        if 0 <= target < len(steps):
            steps[index], steps[target] = steps[target], steps[index]
        _check_order(record)

    return _change(
        draft,
        "applications.form_draft_step_moved",
        change,
        actor=actor,
        data={"step": key, "by": delta},
    )


def remove_step(draft: FormDraft, key: str, *, actor=None) -> FormDraft:
    def change(record):
        step = find_step(record, key)
        if step is None:
            return
        if len(steps_of(record)) == 1:
            raise BuilderError({"__all__": "Ein Formular braucht mindestens einen Schritt."})
        names = [f.get("name") for f in step.get("fields", [])]
        record["steps"] = [s for s in steps_of(record) if s.get("key") != key]
        _refuse_if_read(record, names)

    return _change(
        draft, "applications.form_draft_step_removed", change, actor=actor, data={"step": key}
    )


def _check_order(record: dict) -> None:
    """A condition may only read answers given before it (earlier step or field)."""
    for step in steps_of(record):
        rule = step.get("show_if")
        if rule and rule.get("field") not in {
            f.get("name") for f in fields_before(record, step["key"])
        }:
            raise BuilderError(
                {
                    "__all__": f"Der Schritt „{step.get('title')}“ hängt von einer Antwort ab, "
                    "die dann erst später erfragt würde. Verschieben Sie zuerst die Bedingung."
                }
            )
        for field in step.get("fields", []):
            rule = field.get("show_if")
            if rule and rule.get("field") not in {
                f.get("name") for f in fields_before(record, step["key"], field["name"])
            }:
                raise BuilderError(
                    {
                        "__all__": f"Das Feld „{field.get('label')}“ hängt von einer Antwort ab, "
                        "die dann erst später erfragt würde. Verschieben Sie zuerst die Bedingung."
                    }
                )


def _refuse_if_read(record: dict, names) -> None:
    for name in names:
        where = references(record, name)
        if where:
            raise BuilderError(
                {
                    "__all__": f"Die Antwort „{name}“ wird noch gelesen: {', '.join(where)}. "
                    "Ändern Sie das zuerst."
                }
            )


def _set_optional(target: dict, key: str, value) -> None:
    if value in (None, "", [], {}):
        target.pop(key, None)
    else:
        target[key] = value


# --- fields ------------------------------------------------------------------------------------


def add_field(
    draft: FormDraft, step_key: str, *, kind: str, label: str, name: str = "", actor=None
) -> str:
    if kind not in formengine.FIELD_TYPES:
        raise BuilderError({"type": "Diesen Feldtyp gibt es nicht."})
    taken = set(formengine.all_fields(schema_of(draft.record)))
    if name:
        if not NAME_RE.match(name):
            raise BuilderError(
                {
                    "name": "Der technische Name besteht aus Kleinbuchstaben, Ziffern und _ "
                    "und beginnt mit einem Buchstaben (höchstens 40 Zeichen)."
                }
            )
        if name in taken:
            raise BuilderError({"name": f"Den Namen „{name}“ hat schon ein anderes Feld."})
    else:
        name = _unique(slug_key(label, "feld"), taken)
    spec: dict = {"name": name, "type": kind, "label": label}
    if kind in CHOICE_TYPES:
        spec["choices"] = [["ja", "Ja"], ["nein", "Nein"]]

    def change(record):
        step = find_step(record, step_key)
        if step is None:
            raise BuilderError({"__all__": "Diesen Schritt gibt es nicht mehr."})
        step.setdefault("fields", []).append(spec)

    _change(
        draft,
        "applications.form_draft_field_added",
        change,
        actor=actor,
        data={"field": name, "type": kind},
    )
    return name


def update_field(draft: FormDraft, name: str, values: dict, *, actor=None) -> FormDraft:
    """Set the field's common and type properties; ``values`` holds each of them, an empty
    value removes the property (the engine's default applies). Other keys are kept."""

    def change(record):
        found = find_field(record, name)
        if found is None:
            raise BuilderError({"__all__": "Dieses Feld gibt es nicht mehr."})
        step, field = found
        before = {str(c[0]) for c in field.get("choices", [])}
        field["label"] = values["label"]
        _set_optional(field, "hint", values.get("hint", ""))
        if values.get("required", True):
            field.pop("required", None)
        else:
            field["required"] = False
        _set_optional(field, "show_if", values.get("show_if"))
        for prop in type_properties(field["type"]):
            if prop in values:
                _set_optional(field, prop, values[prop])
        if "choices" in values:
            _refuse_if_values_read(record, name, {str(c[0]) for c in values["choices"]}, before)

    return _change(
        draft, "applications.form_draft_field_changed", change, actor=actor, data={"field": name}
    )


def _refuse_if_values_read(record: dict, name: str, now: set[str], before: set[str]) -> None:
    """A removed choice value must not be read by a condition or a fee rule."""
    gone = before - now
    if not gone:
        return
    for step in steps_of(record):
        for owner in [step, *step.get("fields", [])]:
            rule = owner.get("show_if") or {}
            wanted = {str(v) for v in [rule.get("equals"), *rule.get("in", [])] if v is not None}
            if rule.get("field") == name and wanted & gone:
                raise BuilderError(
                    {
                        "choices": f"Der Wert „{sorted(wanted & gone)[0]}“ wird in einer "
                        "Bedingung gelesen. Ändern Sie zuerst die Bedingung."
                    }
                )
    for fee in record.get("fees") or []:
        for condition in (fee.get("rule") or {}).get("wenn", []):
            wanted = {str(v) for v in [condition.get("gleich"), *condition.get("in", [])] if v}
            if condition.get("feld") == name and wanted & gone:
                raise BuilderError(
                    {
                        "choices": f"Der Wert „{sorted(wanted & gone)[0]}“ wird in der Regel "
                        f"der Gebühr „{fee.get('label')}“ gelesen. Ändern Sie zuerst die Gebühr."
                    }
                )


def move_field(draft: FormDraft, name: str, delta: int, *, actor=None) -> FormDraft:
    """Up or down within its step; past the step's edge into the previous or next step."""

    def change(record):
        found = find_field(record, name)
        if found is None:
            raise BuilderError({"__all__": "Dieses Feld gibt es nicht mehr."})
        step, field = found
        fields = step["fields"]
        index = fields.index(field)
        target = index + delta
        if 0 <= target < len(fields):
            fields[index], fields[target] = fields[target], fields[index]
        else:
            steps = steps_of(record)
            neighbour = steps.index(step) + delta
            if 0 <= neighbour < len(steps):
                fields.remove(field)
                other = steps[neighbour].setdefault("fields", [])
                if delta < 0:
                    other.append(field)
                else:
                    other.insert(0, field)
        _check_order(record)

    return _change(
        draft,
        "applications.form_draft_field_moved",
        change,
        actor=actor,
        data={"field": name, "by": delta},
    )


def remove_field(draft: FormDraft, name: str, *, actor=None) -> FormDraft:
    def change(record):
        found = find_field(record, name)
        if found is None:
            return
        step, field = found
        step["fields"].remove(field)
        _refuse_if_read(record, [name])

    return _change(
        draft, "applications.form_draft_field_removed", change, actor=actor, data={"field": name}
    )


# --- fees --------------------------------------------------------------------------------------


def set_fees(draft: FormDraft, fees: list[dict], *, actor=None) -> FormDraft:
    """Replace the fee rows (records as ``catalog.services.fee_record`` makes them)."""

    def change(record):
        fields = {spec["name"] for spec in answer_specs(record)}
        errors = {}
        for number, fee in enumerate(fees):
            try:
                fee_rules.check_rule(fee["rule"], f"Gebühr {number + 1}")
            except fee_rules.FeeRuleError as exc:
                errors[f"fee-{number}-label"] = exc.reason
            for read in sorted(fee_rules.referenced_fields(fee["rule"]) - fields):
                errors[f"fee-{number}-label"] = (
                    f"Die Regel liest „{read}“, das fragt das Formular nicht."
                )
        if errors:
            raise BuilderError(errors)
        record["fees"] = fees

    return _change(
        draft, "applications.form_draft_fees", change, actor=actor, data={"rows": len(fees)}
    )


# --- checking and publishing ---------------------------------------------------------------


def problems(draft: FormDraft) -> list[str]:
    """What stands in the way of publishing, in German (empty: ready)."""
    record = draft.record
    found = []
    for step in steps_of(record):
        if not step.get("fields"):
            found.append(f"Der Schritt „{step.get('title')}“ hat noch keine Felder.")
    fees = record.get("fees") or []
    if len(fees) > 1:
        for fee in fees:
            if not fee.get("rule"):
                found.append(
                    f"Gebührenzeile „{fee.get('label')}“ hat keine Regel, wann sie gilt. Bei "
                    "mehreren Gebührenzeilen braucht jede eine Regel."
                )
    for fee in fees:
        if fee.get("amount_max") and "ermaessigung_prozent" not in (fee.get("rule") or {}):
            found.append(
                f"Gebührenzeile „{fee.get('label')}“ ist eine Spanne; sie kann nicht online "
                "berechnet werden. Geben Sie einen festen Betrag an."
            )
    return found


def payload(draft: FormDraft) -> dict:
    return {"format": form_import.FORMAT, "version": "1.0", "forms": [draft.record]}


def publish(draft: FormDraft, *, actor=None) -> FormDefinition:
    """Publish the draft as the service's next version through the import path, in one
    transaction with the catalog facts; the draft is gone afterwards. Raises
    BuilderError with German reasons (nothing is written then)."""
    with transaction.atomic():
        locked = _locked(draft)
        found = problems(locked)
        if found:
            raise BuilderError({f"publish-{n}": text for n, text in enumerate(found)})
        try:
            form_import.import_forms(locked.municipality, payload(locked), actor=actor)
        except form_import.FormImportError as exc:
            raise BuilderError({f"publish-{n}": p for n, p in enumerate(exc.problems)}) from None
        form = FormDefinition.objects.filter(
            service=locked.service, state=FormDefinition.State.PUBLISHED
        ).get()
        audit.record(
            "applications.form_draft_published",
            form,
            actor=actor,
            data={"service": locked.service.slug, "version": form.version},
        )
        locked.delete()
    return form


# --- plain-German descriptions for the overview ---------------------------------------------


def describe_condition(rule: dict | None) -> str:
    if not rule:
        return ""
    if "checked" in rule:
        return f"nur wenn „{rule['field']}“ angekreuzt ist"
    values = [rule["equals"]] if "equals" in rule else rule.get("in", [])
    return f"nur wenn „{rule['field']}“ = {' oder '.join(str(v) for v in values)}"


def describe_fee_rule(rule: dict | None) -> str:
    rule = rule or {}
    parts = []
    for condition in rule.get("wenn", []):
        values = [condition["gleich"]] if "gleich" in condition else condition.get("in", [])
        parts.append(f"wenn „{condition.get('feld')}“ = {' oder '.join(map(str, values))}")
    per = rule.get("je")
    if isinstance(per, dict) and "feld" in per:
        minus = per.get("abzueglich", 0)
        parts.append(f"je Einheit von „{per['feld']}“" + (f" abzüglich {minus}" if minus else ""))
    elif isinstance(per, dict):  # e.g. per matching row of a group (ADR 0027)
        parts.append(f"je Eintrag von „{per.get('gruppe', '?')}“ (weitere Bedingungen)")
    if "ermaessigung_prozent" in rule:
        parts.append(f"Ermäßigung um {rule['ermaessigung_prozent']} %")
    return "; ".join(parts) or "gilt immer"
