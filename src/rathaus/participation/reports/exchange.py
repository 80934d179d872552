"""Defect categories (with their extra questions) as a JSON file: export a town's set,
import it into another town (issue 21: a new town starts from the Land's set).

A category names its office by slug and name; the importing town's office is found
by slug, else by name, else the ``default_office`` the importer names, so another
town's catalog needs no hand-written remapping. Categories are matched by their code
(the Open311 service_code): an existing one is updated, a new one created; a second
import of the same file changes nothing.
"""

from django.db import transaction

from rathaus.core import audit
from rathaus.core.models import Office

from .models import CategoryAttribute, ReportCategory

FORMAT = "rathaus-report-categories/1"
TEXTS = {"name": 120, "description": 300, "group": 80, "keywords": 300}
ATTRIBUTE_TEXTS = {"description": 300, "datatype_description": 200}


def export_categories(town) -> dict:
    categories = (
        ReportCategory.objects.for_municipality(town)
        .select_related("office")
        .prefetch_related("attributes")
        .order_by("position", "code")
    )
    return {
        "format": FORMAT,
        "categories": [
            {
                "code": c.code,
                **{name: getattr(c, name) for name in TEXTS},
                "is_active": c.is_active,
                "position": c.position,
                "office": {"slug": c.office.slug, "name": c.office.name},
                "attributes": [
                    {
                        "code": a.code,
                        "datatype": a.datatype,
                        "required": a.required,
                        "order": a.order,
                        "values": a.values,
                        **{name: getattr(a, name) for name in ATTRIBUTE_TEXTS},
                    }
                    for a in c.attributes.all()
                ],
            }
            for c in categories
        ],
    }


def _slug(value, field) -> str:
    from django.utils.text import slugify

    if not isinstance(value, str) or not value or len(value) > 60 or slugify(value) != value:
        raise ValueError(f"{field}: Kennung aus Kleinbuchstaben, Ziffern und - erwartet.")
    return value


def _text(item, name, limit, *, required=False) -> str:
    value = item.get(name, "")
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        raise ValueError(f"{name}: Text bis {limit} Zeichen erwartet.")
    if required and not value.strip():
        raise ValueError(f"{name} fehlt.")
    return value


def _number(item, name, low, high, default) -> int:
    value = item.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name}: ganze Zahl von {low} bis {high} erwartet.")
    return value


def _checked(item) -> tuple[dict, list[dict]]:
    if not isinstance(item, dict):
        raise ValueError("Eintrag ist kein Objekt.")
    values = {
        name: _text(item, name, limit, required=name == "name") for name, limit in TEXTS.items()
    }
    values["code"] = _slug(item.get("code"), "code")
    values["position"] = _number(item, "position", 0, 32767, 0)
    if not isinstance(item.get("is_active", True), bool):
        raise ValueError("is_active: true oder false erwartet.")
    values["is_active"] = item.get("is_active", True)
    attributes = []
    raw_attributes = item.get("attributes", [])
    if not isinstance(raw_attributes, list) or len(raw_attributes) > 50:
        raise ValueError("attributes: Liste (höchstens 50) erwartet.")
    for raw in raw_attributes:
        if not isinstance(raw, dict):
            raise ValueError("attributes: Objekte erwartet.")
        attribute = {
            name: _text(raw, name, limit, required=name == "description")
            for name, limit in ATTRIBUTE_TEXTS.items()
        }
        attribute["code"] = _slug(raw.get("code"), "attributes.code")
        if raw.get("datatype") not in CategoryAttribute.Datatype.values:
            raise ValueError("attributes.datatype: unbekannter Datentyp.")
        attribute["datatype"] = raw["datatype"]
        attribute["order"] = _number(raw, "order", 0, 32767, 1)
        if not isinstance(raw.get("required", False), bool):
            raise ValueError("attributes.required: true oder false erwartet.")
        attribute["required"] = raw.get("required", False)
        choices = raw.get("values", [])
        if not isinstance(choices, list) or not all(
            isinstance(v, dict) and isinstance(v.get("key"), str) and isinstance(v.get("name"), str)
            for v in choices
        ):
            raise ValueError('attributes.values: Liste von {"key", "name"} erwartet.')
        attribute["values"] = [{"key": v["key"][:60], "name": v["name"][:200]} for v in choices]
        attributes.append(attribute)
    return values, attributes


def _office(town, ref, default_office) -> Office | None:
    offices = Office.objects.for_municipality(town)
    if isinstance(ref, dict):
        for field in ("slug", "name"):
            value = ref.get(field)
            if isinstance(value, str) and value:
                found = offices.filter(**{field: value[:200]}).first()
                if found:
                    return found
    return default_office


def import_categories(town, data, *, default_office=None, actor=None, actor_label="") -> dict:
    """Import every category of ``data`` it can; counts and German errors per category."""
    report: dict = {"created": 0, "updated": 0, "unchanged": 0, "errors": []}
    if default_office is not None and default_office.municipality_id != town.pk:
        raise ValueError("Die Organisationseinheit gehört nicht zu dieser Kommune.")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        report["errors"].append(f"Kein Kategorien-Export (format {FORMAT} erwartet).")
        return report
    items = data.get("categories")
    if not isinstance(items, list):
        report["errors"].append("categories: Liste erwartet.")
        return report
    for number, item in enumerate(items):
        label = f"Kategorie {number + 1}"
        try:
            values, attributes = _checked(item)
            label = f"{label} ({values['code']})"
            office = _office(town, item.get("office"), default_office)
            if office is None:
                raise ValueError("keine passende Organisationseinheit; bitte eine vorgeben.")
            with transaction.atomic():
                outcome = _import_one(town, values, attributes, office, actor, actor_label)
        except ValueError as error:
            report["errors"].append(f"{label}: {error}")
            continue
        report[outcome] += 1
    return report


def _attribute_rows(category) -> list[dict]:
    fields = ("code", "datatype", "required", "order", "values", *ATTRIBUTE_TEXTS)
    return sorted(
        ({name: getattr(a, name) for name in fields} for a in category.attributes.all()),
        key=lambda row: row["code"],
    )


def _import_one(town, values, attributes, office, actor, actor_label) -> str:
    category = (
        ReportCategory.objects.select_for_update()
        .filter(municipality=town, code=values["code"])
        .first()
    )
    wanted = sorted(attributes, key=lambda row: row["code"])
    if category is None:
        category = ReportCategory.objects.create(municipality=town, office=office, **values)
        outcome = "created"
    else:
        same = all(getattr(category, k) == v for k, v in values.items())
        if same and category.office_id == office.pk and _attribute_rows(category) == wanted:
            return "unchanged"
        for name, value in values.items():
            setattr(category, name, value)
        category.office = office
        category.save()
        category.attributes.all().delete()
        outcome = "updated"
    CategoryAttribute.objects.bulk_create(
        CategoryAttribute(category=category, **attribute) for attribute in attributes
    )
    audit.record(
        f"participation.category_{outcome}",
        category,
        actor=actor,
        actor_label=actor_label,
        data={"code": category.code, "imported": True},
    )
    return outcome
