"""Online forms as a JSON file: export a town's published forms, import them into
another town (issue 21: a new town starts from the Land's set).

A form names its service by Leistungsschlüssel (LeiKa) where known, else by slug;
the importing town's service is found by the same key, so nothing of the exporting
town (ids, offices) travels along. Each imported form becomes a new version of the
service's form and is published (its schema and fee rules checked as when a person
publishes); a form identical to the town's published one is left alone, so a
second import of the same file changes nothing.
"""

from django.db import transaction

from rathaus.catalog.models import Service
from rathaus.core import audit

from . import formengine, services
from .models import FormDefinition

FORMAT = "rathaus-forms/1"
FIELDS = (
    "title",
    "intro",
    "schema",
    "guest_allowed",
    "case_statuses",
    "processing_days",
    "retention_days",
    "notice_title",
    "maturity_level",
)


def export_forms(town) -> dict:
    forms = (
        FormDefinition.objects.for_municipality(town)
        .filter(state=FormDefinition.State.PUBLISHED)
        .select_related("service")
        .order_by("service__slug")
    )
    return {
        "format": FORMAT,
        "forms": [
            {
                "service": {"leika": form.service.leika_key, "slug": form.service.slug},
                **{name: getattr(form, name) for name in FIELDS},
            }
            for form in forms
        ],
    }


def _service(town, ref) -> Service | None:
    if not isinstance(ref, dict):
        return None
    rows = Service.objects.for_municipality(town)
    leika = str(ref.get("leika") or "")[:40]
    if leika:
        found = rows.filter(leika_key=leika).first()
        if found:
            return found
    slug = str(ref.get("slug") or "")[:120]
    return rows.filter(slug=slug).first() if slug else None


def _checked(item) -> dict:
    """The form's fields with their types checked; raises ValueError with a German reason."""
    if not isinstance(item, dict):
        raise ValueError("Eintrag ist kein Objekt.")
    values = {}
    texts = {"title": 200, "intro": 20_000, "notice_title": 200}
    for name, limit in texts.items():
        value = item.get(name, "")
        if not isinstance(value, str) or len(value) > limit:
            raise ValueError(f"{name}: Text bis {limit} Zeichen erwartet.")
        values[name] = value
    if not values["title"]:
        raise ValueError("title fehlt.")
    for name, low, high in (
        ("processing_days", 0, 3650),
        ("retention_days", 1, 36500),
        ("maturity_level", 0, 4),
    ):
        value = item.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f"{name}: ganze Zahl von {low} bis {high} erwartet.")
        values[name] = value
    if not isinstance(item.get("guest_allowed", False), bool):
        raise ValueError("guest_allowed: true oder false erwartet.")
    values["guest_allowed"] = item.get("guest_allowed", False)
    statuses = item.get("case_statuses", [])
    if not isinstance(statuses, list) or not all(
        isinstance(s, list) and len(s) == 2 and all(isinstance(x, str) for x in s) for s in statuses
    ):
        raise ValueError("case_statuses: Liste von [Schlüssel, Bezeichnung] erwartet.")
    values["case_statuses"] = statuses
    schema = item.get("schema")
    if not isinstance(schema, dict):
        raise ValueError("schema: Objekt erwartet.")
    try:
        formengine.validate_schema(schema)
    except formengine.SchemaError as error:
        raise ValueError(f"schema: {error}") from None
    except (AttributeError, TypeError, KeyError):
        raise ValueError("schema: Aufbau nicht lesbar.") from None
    values["schema"] = schema
    return values


def import_forms(town, data, *, actor=None, actor_label="") -> dict:
    """Import every form of ``data`` it can; returns counts and German errors per form."""
    report: dict = {"created": 0, "unchanged": 0, "errors": []}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        report["errors"].append(f"Kein Formular-Export (format {FORMAT} erwartet).")
        return report
    items = data.get("forms")
    if not isinstance(items, list):
        report["errors"].append("forms: Liste erwartet.")
        return report
    for number, item in enumerate(items):
        label = f"Formular {number + 1}"
        try:
            values = _checked(item)
            service = _service(town, item.get("service"))
            if service is None:
                raise ValueError("keine passende Leistung in dieser Kommune (LeiKa oder Kürzel).")
            label = f"{label} ({service.slug})"
            with transaction.atomic():
                outcome = _import_one(town, service, values, actor, actor_label)
        except (ValueError, services.ApplicationError) as error:
            report["errors"].append(f"{label}: {error}")
            continue
        report[outcome] += 1
    return report


def _import_one(town, service, values, actor, actor_label) -> str:
    versions = FormDefinition.objects.select_for_update().filter(service=service)
    current = versions.filter(state=FormDefinition.State.PUBLISHED).first()
    if current is not None and all(getattr(current, k) == v for k, v in values.items()):
        return "unchanged"
    latest = versions.order_by("-version").values_list("version", flat=True).first() or 0
    form = FormDefinition.objects.create(
        municipality=town, service=service, version=latest + 1, **values
    )
    audit.record(
        "applications.form_imported",
        form,
        actor=actor,
        actor_label=actor_label,
        data={"v": form.version},
    )
    services.publish_form(form, actor=actor)
    return "created"
