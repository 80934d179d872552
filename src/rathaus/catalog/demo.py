"""Demo data of the catalog: the national taxonomy and Musterstadt's services.

The services are data, not code: XZuFi-shaped JSON files in ``data/demo/`` (one per
subject group, in the format of ``rathaus catalog export``). The demo loads each file
with ``rathaus catalog import`` — the path a city uses — so whatever the import does
(validation, keeping the maturity a published form proves, append-only history)
happens to the demo too. Loading is idempotent: services are updated in place.
"""

import io
import json
from pathlib import Path

from django.core.management import call_command

from rathaus.core import demo as core_demo

from . import services, taxonomy, xzufi
from .models import LifeSituation, Topic

DATA_DIR = Path(__file__).resolve().parent / "data" / "demo"
# The Land catalog template's demo sets (ADR 0211): one XZuFi file per Land, texts only.
LAND_DIR = Path(__file__).resolve().parent / "data" / "land"


def demo_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.json"))


def load(municipality):
    """Sync the taxonomy and import every demo catalog file for ``municipality``."""
    taxonomy.sync_taxonomy(Topic, LifeSituation)
    for path in demo_files():
        call_command(
            "catalog_import", str(path), municipality=municipality.slug, stdout=io.StringIO()
        )
    load_land_sets()
    return municipality


def land_files() -> list[Path]:
    return sorted(LAND_DIR.glob("*.json"))


def load_land_sets() -> None:
    """The Land template's demo texts, through ``rathaus land_catalog import``."""
    for path in land_files():
        call_command("land_catalog", "import", str(path), stdout=io.StringIO())


def demo_references() -> dict[str, set[str]]:
    """What the demo files may refer to, without a database (the demo's own slugs)."""
    return {
        "topics": set(taxonomy.TOPICS),
        "situations": set(taxonomy.LIFE_SITUATIONS),
        "offices": set(core_demo.OFFICES),
        "locations": set(core_demo.LOCATIONS),
    }


def all_demo_services() -> list[dict]:
    """Every demo service as a content record, read from the data files as the import does."""
    refs = demo_references()
    records = []
    for path in demo_files():
        records.extend(xzufi.validate_payload(json.loads(path.read_text("utf-8")), refs))
    return records


def load_services(municipality, records: list[dict]) -> int:
    """Create or update content ``records`` for ``municipality`` (tests' small catalogs)."""
    return services.upsert_services(municipality, records, action="catalog.demo_loaded")
