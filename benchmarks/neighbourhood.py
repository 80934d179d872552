"""Neighbourhood digest benchmark (issue 18, ADR 0058): one weekly job run.

Run (SQLite):      RATHAUS_TESTING=1 .venv/bin/python benchmarks/neighbourhood.py
Run (PostgreSQL):  DATABASE_URL=postgres://postgres@127.0.0.1:5432/rathaus_18c \
                   RATHAUS_TESTING=1 .venv/bin/python benchmarks/neighbourhood.py
Creates a throw-away test database, a town with 100 streets (2000 addresses), 5000
trees, 2000 published reports, 600 council papers (a third naming a street, a sixth
of those non-public), 20 dialogues and SUBS confirmed subscriptions (streets, radii,
areas), then times ``send_due`` – collecting, locking and queueing – and the rendering
of the queued mails (tasks run inline), and prints queries per subscription.
"""

import os
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")

import django  # noqa: E402

django.setup()

from django.core import mail  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
    teardown_test_environment,
)
from django.utils import timezone  # noqa: E402

STREETS, PER_STREET, TREES, REPORTS, PAPERS, EVENTS = 100, 20, 5000, 2000, 600, 20
SUBS = int(os.environ.get("SUBS", "300"))


def build():
    from rathaus.core.models import Municipality, MunicipalityHost, Office
    from rathaus.council import services as council
    from rathaus.participation.dialogues.models import DialogueEvent
    from rathaus.participation.neighbourhood import services
    from rathaus.participation.reports.geocoding import import_addresses
    from rathaus.participation.reports.models import Report, ReportCategory
    from rathaus.participation.trees.models import Tree

    town = Municipality.objects.create(
        slug="bench", name="Bench", ags="12099999", ars="120999990000", land="BB"
    )
    MunicipalityHost.objects.create(municipality=town, host="bench.test")
    office = Office.objects.create(municipality=town, slug="o", name="Amt")
    category = ReportCategory.objects.create(
        municipality=town, code="loch", name="Loch", office=office
    )
    rng = random.Random(1)
    streets = [f"Teststraße {n}" for n in range(STREETS)]
    lines = ["street,house_number,latitude,longitude"]
    for s, name in enumerate(streets):
        lat0 = 52.35 + (s // 10) * 0.01
        lon0 = 13.00 + (s % 10) * 0.01
        for h in range(PER_STREET):
            lines.append(f"{name},{h + 1},{lat0 + h * 0.0002:.6f},{lon0 + h * 0.0001:.6f}")
    import_addresses(town, "\n".join(lines) + "\n")

    def point():
        return (
            Decimal(f"{52.35 + rng.random() * 0.1:.6f}"),
            Decimal(f"{13.00 + rng.random() * 0.1:.6f}"),
        )

    year = timezone.localdate().year
    trees = []
    for n in range(TREES):
        lat, lon = point()
        trees.append(
            Tree(
                municipality=town,
                external_id=f"T{n}",
                planting_year=year - rng.choice([2, 7, 40]),
                latitude=lat,
                longitude=lon,
                street=rng.choice(streets),
                district=f"Bezirk {n % 8}",
            )
        )
    Tree.objects.bulk_create(trees)
    reports = []
    for n in range(REPORTS):
        lat, lon = point()
        reports.append(
            Report(
                municipality=town,
                category=category,
                office=office,
                token=f"t{n}",
                description=f"Meldung {n}",
                latitude=lat,
                longitude=lon,
                moderation=Report.Moderation.PUBLISHED,
            )
        )
    Report.objects.bulk_create(reports)
    for n in range(PAPERS):
        named = rng.choice(streets) if n % 3 == 0 else "Haushalt"
        council.create_paper(
            town,
            name=f"Vorlage {n}: {named}",
            paper_type="Antrag",
            text=f"Betrifft {named}.",
            public=n % 18 != 0,
        )
    start = timezone.now() + timedelta(days=10)
    for n in range(EVENTS):
        DialogueEvent.objects.create(
            municipality=town,
            kind="dialogue",
            slug=f"d{n}",
            title=f"Dialog {n}",
            district=f"Bezirk {n % 8}" if n % 2 else "",
            venue=f"Treff, {rng.choice(streets)} {rng.randint(1, PER_STREET)}",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
    for n in range(SUBS):
        way = ("street", "radius", "area")[n % 3]
        street = rng.choice(streets)
        if way == "area":
            lat, lon = point()
            sub = services.subscribe(
                town,
                email=f"s{n}@example.org",
                way=way,
                box=(lat, lon, lat + Decimal("0.01"), lon + Decimal("0.015")),
            )
        else:
            sub = services.subscribe(
                town,
                email=f"s{n}@example.org",
                way=way,
                street=street,
                house_number="3" if way == "radius" else "",
                radius_m=500 if way == "radius" else None,
            )
        services.confirm(sub)
    return town


def main():
    from rathaus.participation.neighbourhood import services
    from rathaus.participation.neighbourhood.models import NeighbourhoodSubscription

    build()
    mail.outbox = []
    later = timezone.now() + timedelta(days=8)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        sent = services.send_due(later)
        elapsed = time.perf_counter() - started
    subs = NeighbourhoodSubscription.objects.count()
    print(
        f"send_due: {subs} subscriptions, {sent} digests queued and rendered "
        f"(tasks inline): {elapsed * 1000:.0f} ms, {elapsed * 1000 / subs:.1f} ms and "
        f"{len(queries) / subs:.1f} queries per subscription"
    )
    sizes = sorted(len(m.body) for m in mail.outbox)
    if sizes:
        print(f"mails: {len(sizes)}, body median {sizes[len(sizes) // 2]} characters")
    started = time.perf_counter()
    again = services.send_due(later)
    took = (time.perf_counter() - started) * 1000
    print(f"second run the same hour: {again} digests, {took:.0f} ms")


if __name__ == "__main__":
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        print(f"database: {connection.vendor}")
        main()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
