"""Demo data of the catalog: the national taxonomy and Musterstadt's services.

The services themselves are content, kept in ``demo_services*.py`` modules (each
with a list ``SERVICES`` of plain dicts, see ``load_services``). Loading is
idempotent: running the demo again updates services in place.
"""

import importlib
import pkgutil
from datetime import date

from django.db import transaction

from rathaus.core.models import Location, Office

from . import search
from .models import Fee, LifeSituation, MaturityChange, Service, Topic
from .taxonomy import sync_taxonomy

SCALAR_FIELDS = (
    "leika_key",
    "name",
    "name_en",
    "summary",
    "summary_en",
    "description",
    "requirements",
    "documents",
    "procedure",
    "legal_basis",
    "deadlines",
    "processing_time",
    "synonyms",
    "keywords_en",
    "hints",
    "online_url",
    "trust_level",
    "maturity_level",
    "planned_level",
    "appointment_required",
    "popularity",
)


def demo_service_modules():
    """Every ``rathaus.catalog.demo_services*`` module present, in name order."""
    package = importlib.import_module("rathaus.catalog")
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("demo_services")
    )
    return [importlib.import_module(f"rathaus.catalog.{name}") for name in names]


def all_demo_services() -> list[dict]:
    services: dict[str, dict] = {}
    for module in demo_service_modules():
        for record in getattr(module, "SERVICES", []):
            services[record["slug"]] = record  # later modules may refine earlier entries
    return list(services.values())


def load(municipality):
    """Sync the taxonomy and load every demo service for ``municipality``."""
    sync_taxonomy(Topic, LifeSituation)
    load_services(municipality, all_demo_services())
    return municipality


@transaction.atomic
def load_services(municipality, records: list[dict]) -> int:
    topics = {t.slug: t for t in Topic.objects.all()}
    situations = {s.slug: s for s in LifeSituation.objects.all()}
    offices = {o.slug: o for o in Office.objects.for_municipality(municipality)}
    locations = {loc.slug: loc for loc in Location.objects.for_municipality(municipality)}
    for record in records:
        _load_one(municipality, record, topics, situations, offices, locations)
    search.invalidate(municipality.pk)
    return len(records)


def _load_one(municipality, record, topics, situations, offices, locations) -> Service:
    office = offices.get(record["office"]) or next(iter(offices.values()))
    defaults = {key: record[key] for key in SCALAR_FIELDS if key in record}
    defaults["leika_key"] = defaults.get("leika_key") or ""
    defaults["topic"] = topics[record["topic"]]
    defaults["office"] = office
    defaults["planned_date"] = _date(record.get("planned_date"))
    for text_field in ("online_url", "name_en", "summary_en", "hints", "keywords_en"):
        defaults[text_field] = defaults.get(text_field) or ""
    service, _ = Service.objects.update_or_create(
        municipality=municipality, slug=record["slug"], defaults=defaults
    )
    service.life_situations.set(
        [situations[s] for s in record.get("life_situations", []) if s in situations]
    )
    service.locations.set([locations[s] for s in record.get("locations", []) if s in locations])
    service.fees.all().delete()
    Fee.objects.bulk_create(
        Fee(
            service=service,
            label=fee["label"],
            amount=fee["amount"],
            amount_max=fee.get("amount_max") or None,
            note=fee.get("note") or "",
            order=order,
        )
        for order, fee in enumerate(record.get("fees", []))
    )
    history = record.get("maturity_history") or [["2020-01-01", service.maturity_level]]
    service.maturity_history.all().delete()
    MaturityChange.objects.bulk_create(
        MaturityChange(service=service, level=level, changed_on=_date(day))
        for day, level in history
    )
    return service


def _date(value):
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(value)
