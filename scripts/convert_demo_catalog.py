"""One-off: turn the demo catalog modules (demo_services_*.py) into XZuFi-shaped JSON.

Run once from the repository root (``.venv/bin/python scripts/convert_demo_catalog.py``)
while the modules still exist; it writes ``src/rathaus/catalog/data/demo/<group>.json``
and checks that reading each file back through the import's validation gives the
very records the modules held. Kept in the repository as the record of how the data
files were made (issue 15); the modules themselves are deleted afterwards.
"""

import importlib
import json
import os
import pkgutil
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")

import django  # noqa: E402

django.setup()

from rathaus.catalog import xzufi  # noqa: E402
from rathaus.catalog.demo import DATA_DIR, demo_references  # noqa: E402


def modules():
    package = importlib.import_module("rathaus.catalog")
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("demo_services_")
    )
    return {
        name.removeprefix("demo_services_"): importlib.import_module(f"rathaus.catalog.{name}")
        for name in names
    }


def payload(module) -> dict:
    from rathaus.core.demo import MUNICIPALITY, OFFICES

    records = module.SERVICES
    return {
        "format": xzufi.FORMAT,
        "version": xzufi.VERSION,
        "kommune": {key: MUNICIPALITY[key] for key in ("name", "ags", "ars")},
        # the module's docstring: where the facts and fees come from
        "quellen": " ".join(module.__doc__.split()),
        "leistungen": [
            xzufi.content_to_xzufi(record, office_name=OFFICES[record["office"]][0])
            for record in records
        ],
    }


def normalised(record: dict) -> dict:
    """A record with the value types the import produces (Decimal, date, defaults)."""
    out = dict(record)
    out.setdefault("is_published", True)
    out["planned_date"] = (
        date.fromisoformat(out["planned_date"]) if out.get("planned_date") else None
    )
    if out["planned_date"] is None:
        out["planned_level"] = None
    out["maturity_history"] = [[day, level] for day, level in out.get("maturity_history", [])]
    out["fees"] = [
        {
            "label": fee["label"],
            "amount": Decimal(fee["amount"]),
            "amount_max": Decimal(fee["amount_max"]) if fee.get("amount_max") else None,
            "note": fee.get("note") or "",
            "rule": fee.get("rule") or {},
        }
        for fee in out.get("fees", [])
    ]
    for key in ("synonyms", "keywords_en"):
        out[key] = ", ".join(part.strip() for part in out.get(key, "").split(",") if part.strip())
    for key in ("leika_key", "online_url", "name_en", "summary_en", "hints"):
        out[key] = out.get(key) or ""
    return out


def main() -> None:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    refs = demo_references()
    total = 0
    for group, module in modules().items():
        data = payload(module)
        path = DATA_DIR / f"{group}.json"
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        back = xzufi.validate_payload(json.loads(path.read_text(encoding="utf-8")), refs)
        for original, read in zip(module.SERVICES, back, strict=True):
            expected = normalised(original)
            differing = {k for k in expected if expected[k] != read.get(k)}
            assert not differing, (original["slug"], differing)
        total += len(back)
        print(f"{path.relative_to(ROOT)}: {len(back)} Leistungen")
    print(f"{total} Leistungen, alle unverändert zurückgelesen.")


if __name__ == "__main__":
    main()
