"""Import online forms from JSON data files (``rathaus forms import FILE``).

The same path a city uses for its own forms, and the demo uses for the social office's
forms (``applications/data/forms/*.json``). All or nothing: every form is checked
(service exists in this municipality, schema valid, fees consistent) before anything is
written. A form whose content equals the latest version changes nothing; a changed one
becomes the next version and is published (the old one retires, ADR 0030).
"""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from rathaus.catalog import fee_rules
from rathaus.catalog import services as catalog_services
from rathaus.catalog.models import Service
from rathaus.core.models import Office

from . import formengine, services
from .models import FormDefinition

FORMAT = "rathaus-forms-json"
FIELDS = (
    "title",
    "intro",
    "title_en",
    "intro_en",
    "guest_allowed",
    "processing_days",
    "retention_days",
    "maturity_level",
    "notice_title",
    "case_statuses",
)
# English texts absent from a record are kept from the latest version (older files have none).
KEPT_IF_ABSENT = ("title_en", "intro_en")
DEFAULTS = {
    "intro": "",
    "guest_allowed": False,
    "case_statuses": [],
    "notice_title": "",
}
# Optional facts of the service the form belongs to (ADR 0036): the responsible office
# (slug), the required documents and the fee rows with their rules. Absent: unchanged.
CATALOG_KEYS = ("office", "documents", "fees")
MAX_DOCUMENTS, MAX_FEES = 50, 30


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
    for key, limit in (("intro", 20_000), ("title_en", 200), ("intro_en", 20_000)):
        if key in values and (not isinstance(values[key], str) or len(values[key]) > limit):
            problems.append(f"{where}: '{key}' muss ein Text bis {limit} Zeichen sein")
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
    if service is not None:
        facts, found = _check_facts(municipality, service, record, where)
        problems += found
        values["_facts"] = facts
    return service, values, problems


def _amount(value, where: str, problems: list[str], *, optional=False) -> str | None:
    if value is None and optional:
        return None
    try:
        amount = Decimal(str(value)) if isinstance(value, str | int) else None
    except InvalidOperation:
        amount = None
    if (
        amount is None
        or isinstance(value, bool)
        or not amount.is_finite()
        or amount < 0
        or amount >= 10_000_000
        or amount != amount.quantize(Decimal("0.01"))
    ):
        problems.append(f"{where}: Betrag in Euro mit höchstens zwei Nachkommastellen erwartet")
        return None
    return f"{amount:.2f}"


def _check_fee(record, where: str, problems: list[str]) -> dict:
    if not isinstance(record, dict):
        problems.append(f"{where}: kein Objekt")
        return {}
    label, note = record.get("label"), record.get("note", "")
    if not isinstance(label, str) or not 0 < len(label.strip()) <= 200:
        problems.append(f"{where}: 'label' muss ein Text mit 1–200 Zeichen sein")
    if not isinstance(note, str) or len(note) > 300:
        problems.append(f"{where}: 'note' ist ein Text bis 300 Zeichen")
    amount = _amount(record.get("amount"), f"{where}.amount", problems)
    amount_max = _amount(record.get("amount_max"), f"{where}.amount_max", problems, optional=True)
    if amount and amount_max and Decimal(amount_max) < Decimal(amount):
        problems.append(f"{where}: 'amount_max' liegt unter 'amount'")
    rule = record.get("rule") or {}
    try:
        fee_rules.check_rule(rule, f"{where}.rule")
    except fee_rules.FeeRuleError as exc:
        problems.append(f"{exc.path}: {exc.reason}")
    return {
        "label": label.strip() if isinstance(label, str) else "",
        "amount": amount,
        "amount_max": amount_max,
        "note": note if isinstance(note, str) else "",
        "rule": rule,
    }


def _check_facts(municipality, service, record, where) -> tuple[dict, list[str]]:
    """The service's office, documents and fees after this record, checked."""
    problems: list[str] = []
    facts = catalog_services.form_facts(service)
    if "office" in record:
        slug = record["office"]
        office = (
            Office.objects.for_municipality(municipality).filter(slug=slug).first()
            if isinstance(slug, str)
            else None
        )
        if office is None:
            problems.append(f"{where}: Zuständige Stelle '{str(slug)[:120]}' gibt es nicht")
        facts["office"] = slug
    if "documents" in record:
        documents = record["documents"]
        if (
            not isinstance(documents, list)
            or len(documents) > MAX_DOCUMENTS
            or not all(isinstance(d, str) and 0 < len(d.strip()) <= 300 for d in documents)
        ):
            problems.append(
                f"{where}: 'documents' ist eine Liste von bis zu {MAX_DOCUMENTS} Texten "
                "(je 1–300 Zeichen)"
            )
        else:
            facts["documents"] = [d.strip() for d in documents]
    if "fees" in record:
        fees = record["fees"]
        if not isinstance(fees, list) or len(fees) > MAX_FEES:
            problems.append(f"{where}: 'fees' ist eine Liste von bis zu {MAX_FEES} Gebührenzeilen")
        else:
            facts["fees"] = [
                _check_fee(fee, f"{where}.fees[{number}]", problems)
                for number, fee in enumerate(fees)
            ]
    return facts, problems


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


def _apply_facts(municipality, service, facts: dict, actor) -> None:
    if facts == catalog_services.form_facts(service):
        return
    office = Office.objects.for_municipality(municipality).get(slug=facts["office"])
    catalog_services.set_form_facts(
        service, office=office, documents=facts["documents"], fees=facts["fees"], actor=actor
    )
    service.refresh_from_db()


def _write(municipality, checked, actor) -> int:
    published = 0
    with transaction.atomic():
        for service, record_values in checked:
            values = {k: v for k, v in record_values.items() if k != "_facts"}
            # the service's fee rows first: publishing checks the form against them
            _apply_facts(municipality, service, record_values["_facts"], actor)
            latest = FormDefinition.objects.filter(service=service).order_by("-version").first()
            for key in KEPT_IF_ABSENT:
                values.setdefault(key, getattr(latest, key) if latest else "")
            if latest and all(getattr(latest, k) == v for k, v in values.items()):
                if latest.state != FormDefinition.State.PUBLISHED:
                    services.publish_form(latest, actor=actor)
                    published += 1
                else:
                    services.check_form_fees(latest)  # fee rows may have changed
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


def export_record(form: FormDefinition) -> dict:
    """One form with its service's office, documents and fees, as ``import_forms`` reads it."""
    return {
        "service": form.service.slug,
        **{key: getattr(form, key) for key in FIELDS},
        "steps": form.schema.get("steps", []),
        # acting for someone else and the pick-up service travel with the form (ADR 0028/9)
        **(
            {"representation": form.schema["representation"]}
            if form.schema.get("representation")
            else {}
        ),
        **({"pickup_service": form.pickup_service.slug} if form.pickup_service_id else {}),
        **catalog_services.form_facts(form.service),
    }


def export_forms(municipality, slugs=None) -> dict:
    """The town's published forms (or those of ``slugs``) as a rathaus-forms-json document."""
    forms = (
        FormDefinition.objects.for_municipality(municipality)
        .filter(state=FormDefinition.State.PUBLISHED)
        .select_related("service", "service__office")
        .order_by("service__slug")
    )
    if slugs:
        forms = forms.filter(service__slug__in=slugs)
    return {
        "format": FORMAT,
        "version": "1.0",
        "forms": [export_record(form) for form in forms],
    }
