"""CI check: the demo council through the own OParl API into a second town, and the
vendor-shaped fixtures through the importer; prints the counts, fails on a difference.

    .venv/bin/python scripts/oparl_roundtrip.py

Runs on a throw-away test database (in-memory SQLite unless DATABASE_URL is set).
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _django import setup_django_with_test_db  # noqa: E402

setup_django_with_test_db()

from rathaus.core import demo as core_demo  # noqa: E402
from rathaus.core.models import Municipality, MunicipalityHost  # noqa: E402
from rathaus.council import demo as council_demo  # noqa: E402
from rathaus.council.importer import import_system  # noqa: E402, I001
from tests.council.oparl_fixtures import FixtureSource  # noqa: E402
from tests.council.roundtrip import differences, round_trip  # noqa: E402


def second_town(slug: str, ags: str) -> Municipality:
    town = Municipality.objects.create(
        slug=slug, name=f"Importstadt {slug}", ags=ags, ars=ags + "0000", land="BB"
    )
    MunicipalityHost.objects.create(municipality=town, host=f"{slug}.test")
    return town


def demo_round_trip() -> bool:
    started = time.perf_counter()
    town = core_demo.load()
    council_demo.load(town)
    host = town.hosts.order_by("pk").values_list("host", flat=True).first()
    print(f"demo council loaded in {time.perf_counter() - started:.0f} s; exporting via {host}")
    report, before, after = round_trip(town, second_town("rundreise", "12099997"), host)
    print("OParl round trip: demo council -> own API -> importer -> second town")
    for name in before:
        print(f"  {name:14} {len(before[name]):5} exported {len(after[name]):5} imported")
    print("  " + report.progress_line())
    problems = differences(before, after)
    for line in problems:
        print("  DIFFERENCE " + line)
    return not problems and all(before.values())


def vendor_fixtures() -> bool:
    ok = True
    for number, name in enumerate(("allris", "sessionnet")):
        source = FixtureSource(name)
        town = second_town(name, f"1209996{number}")
        report = import_system(town, source.system_url, fetch=source.fetch)
        print(f"vendor fixture {name}: " + report.progress_line())
        for line in report.lines()[:-1]:
            print("  " + line)
        ok = ok and sum(report.created.values()) > 0
    return ok


if __name__ == "__main__":
    results = [demo_round_trip(), vendor_fixtures()]
    print("OParl round trip and vendor fixtures:", "OK" if all(results) else "FAILED")
    sys.exit(0 if all(results) else 1)
