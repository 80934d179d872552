"""Import online forms from JSON data files (``rathaus forms import FILE``).

The same path a city uses for its own forms, and the demo uses for the social office's
forms (``applications/data/forms/*.json``). All or nothing: every form is checked
(service exists in this municipality, schema valid, fees consistent) before anything is
written. A form whose content equals the latest version changes nothing; a changed one
becomes the next version and is published (the old one retires, ADR 0030).
"""

from django.db import transaction

from rathaus.catalog.models import Service

from . import formengine, services
from .models import FormDefinition

FORMAT = "rathaus-forms-json"
FIELDS = (
    "title",
    "intro",
    "guest_allowed",
    "processing_days",
    "retention_days",
    "maturity_level",
    "notice_title",
    "case_statuses",
)
DEFAULTS = {"intro": "", "guest_allowed": False, "case_statuses": [], "notice_title": ""}


class FormImportError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _check(municipality, record, index: int) -> tuple[Service | None, dict, list[str]]:
    problems: list[str] = []
    where = f"Formular {index + 1}"
    if not isinstance(record, dict):
        return None, {}, [f"{where}: kein Objekt"]
    slug = str(record.get("service") or "")
    service = Service.objects.for_municipality(municipality).filter(slug=slug).first()
    if service is None:
        problems.append(f"{where}: Leistung '{slug[:120]}' gibt es in diesem Katalog nicht")
    values = {**DEFAULTS, **{k: record[k] for k in FIELDS if k in record}}
    for key in ("title", "processing_days", "retention_days", "maturity_level"):
        if key not in record:
            problems.append(f"{where}: '{key}' fehlt")
    if not isinstance(values.get("title"), str) or not 0 < len(values.get("title", "")) <= 200:
        problems.append(f"{where}: 'title' muss ein Text mit 1–200 Zeichen sein")
    for key in ("processing_days", "retention_days"):
        if not isinstance(values.get(key), int) or not 0 < values.get(key, 0) <= 3650 * 3:
            problems.append(f"{where}: '{key}' muss eine positive ganze Zahl sein")
    if values.get("maturity_level") not in (3, 4):
        problems.append(f"{where}: 'maturity_level' muss 3 oder 4 sein")
    schema = {"steps": record.get("steps")}
    if "representation" in record:  # acting for someone else (ADR 0028)
        schema["representation"] = record["representation"]
    try:
        formengine.validate_schema(schema)
    except (formengine.SchemaError, AttributeError, KeyError, TypeError) as exc:
        problems.append(f"{where}: {exc}")
    values["schema"] = schema
    if record.get("pickup_service"):  # the "Abholung" appointments (ADR 0029)
        slug = str(record["pickup_service"])[:120]
        values["pickup_service"] = (
            Service.objects.for_municipality(municipality).filter(slug=slug).first()
        )
        if values["pickup_service"] is None:
            problems.append(f"{where}: Abhol-Leistung '{slug}' gibt es in diesem Katalog nicht")
    return service, values, problems


def import_forms(municipality, payload: dict, *, actor=None) -> int:
    """Create or update the forms in ``payload``; returns how many versions were published."""
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise FormImportError([f"Kein '{FORMAT}'-Dokument"])
    records = payload.get("forms")
    if not isinstance(records, list) or not records:
        raise FormImportError(["'forms' fehlt oder ist leer"])
    checked, problems = [], []
    for index, record in enumerate(records):
        service, values, found = _check(municipality, record, index)
        problems += found
        checked.append((service, values))
    if problems:
        raise FormImportError(problems)
    try:
        return _write(municipality, checked, actor)
    except services.ApplicationError as exc:  # e.g. fee rows the form cannot charge
        raise FormImportError([str(exc)]) from exc


def _write(municipality, checked, actor) -> int:
    published = 0
    with transaction.atomic():
        for service, values in checked:
            latest = FormDefinition.objects.filter(service=service).order_by("-version").first()
            if latest and all(getattr(latest, k) == v for k, v in values.items()):
                if latest.state != FormDefinition.State.PUBLISHED:
                    services.publish_form(latest, actor=actor)
                    published += 1
                continue
            form = FormDefinition.objects.create(
                municipality=municipality,
                service=service,
                version=(latest.version + 1) if latest else 1,
                **values,
            )
            services.publish_form(form, actor=actor)  # validates schema and fees again
            published += 1
    return published
