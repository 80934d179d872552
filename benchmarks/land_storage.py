"""The Land catalog template (ADR 0211, storage ADR 0217): bytes of service text per
town — what copies would cost and what a town stores now — and what a change of the
Land's text costs across towns.

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/land_storage.py [--towns 1,10,30]

The demo town's whole catalog (Musterstadt, Brandenburg) becomes the Land's template
(``land_template.save_land_set``, as ``rathaus land_catalog from-town`` does); then
towns are onboarded through ``core.onboarding`` and adopt every template service
through ``land_template.adopt_many`` — the paths the operator pages use. Printed:

- per town: UTF-8 bytes of the template fields as every reader sees them (what a town
  stored as copies before ADR 0217), the bytes its rows store now (the long texts are
  empty while the town follows the Land; names stay copied, counted separately), and
  on PostgreSQL the growth of ``catalog_service`` (heap, TOAST and indexes) per town
  and the stored size of the template columns (pg_column_size);
- the size of the Land's texts kept once (``catalog_landservice``);
- the time to adopt the set per town, and to pass one changed Land text (one field
  of every service) on to all towns.

A fresh test database (SQLite in memory unless DATABASE_URL names PostgreSQL).
"""

import argparse
import time
from datetime import time as clock

from _django import load_demo_municipality, setup_django_with_test_db


def _bytes(value) -> int:
    import json

    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False)
    return len(value.encode("utf-8"))


def text_bytes(rows, names=None) -> int:
    """UTF-8 bytes of the template fields of ``rows`` (dicts: as stored)."""
    from rathaus.catalog.land_template import TEMPLATE_FIELDS

    return sum(_bytes(row[name]) for row in rows for name in names or TEMPLATE_FIELDS)


def read_bytes(services) -> int:
    """UTF-8 bytes of the template fields as readers see them (resolved)."""
    from rathaus.catalog.land_template import TEMPLATE_FIELDS

    return sum(_bytes(getattr(s, name)) for s in services for name in TEMPLATE_FIELDS)


def relation_bytes(table: str) -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [table])
        return cursor.fetchone()[0]


def column_bytes(town) -> int | None:
    from django.db import connection

    from rathaus.catalog.land_template import TEMPLATE_FIELDS

    if connection.vendor != "postgresql":
        return None
    columns = " + ".join(f"coalesce(pg_column_size({name}), 0)" for name in TEMPLATE_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT sum({columns}) FROM catalog_service WHERE municipality_id = %s", [town.pk]
        )
        return int(cursor.fetchone()[0] or 0)


def make_town(number: int, templates):
    from rathaus.catalog import land_template
    from rathaus.core import onboarding
    from rathaus.core.models import OpeningHours

    town = onboarding.onboard_town(
        name=f"Gemeinde {number:04d}",
        ags=f"12{number:06d}",
        hosts=f"g{number}.land.test",
        admin_email=f"admin{number}@land.test",
        actor_label="benchmark",
    ).town
    windows = [
        onboarding.Window(OpeningHours.Kind.OPEN, day, clock(8), clock(16)) for day in range(5)
    ]
    location = onboarding.add_location(
        town,
        office_name="Bürgerbüro",
        name="Bürgerbüro Markt",
        street="Markt 1",
        postcode="14467",
        city=town.name,
        latitude="52.39",
        longitude="13.06",
        windows=windows,
    )
    started = time.perf_counter()
    done = land_template.adopt_many(
        town, templates, office=location.office, locations=[location], actor_label="benchmark"
    )
    return town, done, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--towns", default="1,10,30")
    args = parser.parse_args()
    steps = sorted({int(n) for n in args.towns.split(",")})

    setup_django_with_test_db()
    from django.db import connection

    from rathaus.catalog import land_template
    from rathaus.catalog.models import LandService, Service, Topic

    demo = load_demo_municipality()
    topics = {topic.pk: topic.slug for topic in Topic.objects.all()}
    records = [
        {**row, "topic": topics[row["topic_id"]]}
        for row in Service.objects.for_municipality(demo).values()
    ]
    land_template.save_land_set(demo.land, records, actor_label="benchmark")
    templates = list(LandService.objects.filter(land=demo.land))
    print(f"database: {connection.vendor}; Land template: {len(templates)} services")
    once = text_bytes(LandService.objects.filter(land=demo.land).values())
    print(f"the Land's texts kept once: {once:,} bytes of text")
    land_table = relation_bytes("catalog_landservice")
    if land_table is not None:
        print(
            f"  catalog_landservice on disk (heap+TOAST+indexes, {LandService.objects.count()}"
            f" rows of every Land): {land_table:,} bytes"
        )

    base_table = relation_bytes("catalog_service")
    towns, adopt_times = [], []
    for step in steps:
        while len(towns) < step:
            town, done, seconds = make_town(len(towns) + 1, templates)
            assert done.created == len(templates)
            towns.append(town)
            adopt_times.append(seconds)
        rows = list(Service.objects.filter(municipality=towns[-1]).values())
        shown = read_bytes(Service.objects.filter(municipality=towns[-1]))
        stored = text_bytes(rows)
        names = text_bytes(rows, ("name", "name_en"))
        table = relation_bytes("catalog_service")
        line = (
            f"{step:4d} towns: texts read per town {shown:,} bytes (the copies before"
            f" ADR 0217); stored per town {stored:,} bytes, of which names {names:,}"
        )
        if table is not None and base_table is not None:
            line += f"; catalog_service grew {(table - base_table) / step:,.0f} bytes per town"
            line += f"; template columns stored {column_bytes(towns[-1]):,} bytes per town"
        adopt_ms = sorted(adopt_times)[len(adopt_times) // 2] * 1000
        line += f"; adopting {len(templates)} services: {adopt_ms:.0f} ms (median)"
        print(line)

    # One changed Land text (the summary of every service) reaching every town.
    started = time.perf_counter()
    rows = 0
    for template in templates:
        texts = {name: getattr(template, name) for name in land_template.TEMPLATE_FIELDS}
        texts["summary"] = texts["summary"] + " (Stand 2027)"
        rows += land_template.save_land_service(
            template.land,
            template.slug,
            topic=template.topic,
            leika_key=template.leika_key,
            actor_label="benchmark",
            **texts,
        )[1]
    seconds = time.perf_counter() - started
    print(
        f"a new summary for all {len(templates)} Land services reached {rows:,} town rows "
        f"({len(towns)} towns) in {seconds * 1000:.0f} ms"
    )
    last = Service.objects.filter(municipality=towns[-1])
    assert all(s.summary.endswith(" (Stand 2027)") for s in last), "a town missed the update"
    copies, stored = read_bytes(last), text_bytes(last.values())
    for name, count in (("Sachsen-Anhalt", 218), ("Bayern", 2056)):
        print(
            f"{name}'s {count} municipalities: copies would be {copies * count / 1e6:,.1f} MB"
            f" of text, stored now {stored * count / 1e6:,.2f} MB (+ the Land's texts once)"
        )


if __name__ == "__main__":
    main()
