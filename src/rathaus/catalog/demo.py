"""Demo data of the catalog: the national taxonomy and Musterstadt's services.

The services themselves are content, kept in ``demo_services*.py`` modules (each
with a list ``SERVICES`` of plain dicts, see ``load_services``). Loading is
idempotent: running the demo again updates services in place.
"""

import importlib
import pkgutil

from . import services
from .models import LifeSituation, Topic
from .taxonomy import sync_taxonomy


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
    by_slug: dict[str, dict] = {}
    for module in demo_service_modules():
        for record in getattr(module, "SERVICES", []):
            by_slug[record["slug"]] = record  # later modules may refine earlier entries
    return list(by_slug.values())


def load(municipality):
    """Sync the taxonomy and load every demo service for ``municipality``."""
    sync_taxonomy(Topic, LifeSituation)
    load_services(municipality, all_demo_services())
    return municipality


def load_services(municipality, records: list[dict]) -> int:
    """Create or update ``records`` (content dicts) for ``municipality``."""
    return services.upsert_services(municipality, records, action="catalog.demo_loaded")
