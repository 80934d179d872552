"""One installation for a Land: request times and worker memory with 1, 50, 150 towns.

    .venv/bin/python benchmarks/land.py [--towns 1,50,150] [--services 40] [--papers 20]

Towns are made through the project's own write paths: ``core.onboarding`` (town,
host, first administrator, location with weekday hours), ``catalog.services.
upsert_services`` (the demo town's catalog, as records of its XZuFi export, mapped
to the new town's office and location), ``council.services.create_paper``; the
bookable offer is created like the appointments tests do (there is no service
function for offers yet). Then, in this one process (one "worker"), the pages are
requested through Django's test client with each town's Host header:

- start page ``/``, a service page, availability (API), the OParl paper list and
  the catalog search, median and p95 over a sample of towns;
- the resident memory (VmRSS) after every town's search page was served once (each
  town's search index is built; CATALOG_SEARCH_INDEXES bounds how many stay), and
  the size of the towns' search indexes in the shared cache (ADR 0216).

A fresh test database (SQLite in memory unless DATABASE_URL names PostgreSQL). With
REDIS_URL the cache is Redis as in production (use a CACHE_KEY_PREFIX of your own;
the benchmark deletes its keys at the end); without it, a per-process memory cache,
which then holds the shared search indexes in this process (RSS grows with them).
"""

import argparse
import math
import random
import statistics
import time
from datetime import time as clock
from datetime import timedelta

from _django import load_demo_municipality, setup_django_with_test_db


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def make_town(number: int, records: list[dict]):
    from django.utils import timezone

    from rathaus.appointments import capacity
    from rathaus.appointments.models import AvailabilityRule, Offer, Resource
    from rathaus.catalog import services as catalog_services
    from rathaus.catalog.models import Service
    from rathaus.core import onboarding
    from rathaus.core.models import OpeningHours
    from rathaus.council import services as council_services

    done = onboarding.onboard_town(
        name=f"Gemeinde {number:04d}",
        ags=f"15{number:06d}",
        hosts=f"g{number}.land.test",
        admin_email=f"admin{number}@land.test",
        actor_label="benchmark",
    )
    town = done.town
    windows = [
        onboarding.Window(OpeningHours.Kind.OPEN, day, clock(8), clock(16)) for day in range(5)
    ]
    location = onboarding.add_location(
        town,
        office_name="Bürgerbüro",
        name="Bürgerbüro Markt",
        street="Markt 1",
        postcode="39104",
        city=town.name,
        latitude="52.1",
        longitude="11.6",
        windows=windows,
    )
    own = [{**r, "office": location.office.slug, "locations": [location.slug]} for r in records]
    catalog_services.upsert_services(town, own, action="catalog.imported")
    service = Service.objects.for_municipality(town).get(slug=records[0]["slug"])
    resource = Resource.objects.create(
        municipality=town, location=location, slug="schalter", name="Schalter"
    )
    AvailabilityRule.objects.create(
        resource=resource,
        weekdays=[0, 1, 2, 3, 4],
        start_time=clock(8),
        end_time=clock(16),
        counters=3,
        unit_minutes=10,
        valid_from=timezone.localdate() - timedelta(days=1),
    )
    Offer.objects.create(
        municipality=town, service=service, resource=resource, duration_units=2, horizon_days=14
    )
    capacity.materialise(resource)
    for paper in range(ARGS.papers):
        council_services.create_paper(
            town, name=f"Beschlussvorlage {paper} der {town.name}", paper_type="Beschlussvorlage"
        )
    return town, service.slug, f"g{number}.land.test"


def timed(client, host: str, path: str, **params) -> float:
    started = time.perf_counter()
    response = client.get(path, params, HTTP_HOST=host)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (host, path, response.status_code)
    return elapsed


def measure(client, towns, rounds: int) -> dict[str, tuple[float, float]]:
    from rathaus.council.models import Body

    sample = random.Random(1).sample(towns, min(len(towns), 10))
    times: dict[str, list[float]] = {}
    for _ in range(rounds):
        for town, slug, host in sample:
            body = Body.objects.get(municipality=town).pk
            today = time.strftime("%Y-%m-%d")
            for name, path, params in (
                ("start page", "/", {}),
                ("service page", f"/leistungen/{slug}/", {}),
                (
                    "availability",
                    "/api/v1/appointments/availability",
                    {"service": slug, "date_from": today},
                ),
                ("OParl papers", f"/rat/oparl/v1/body/{body}/paper", {}),
                ("search", "/suche/", {"q": "Ausweis beantragen"}),
            ):
                times.setdefault(name, []).append(timed(client, host, path, **params))
    return {
        name: (statistics.median(values), sorted(values)[math.ceil(len(values) * 0.95) - 1])
        for name, values in times.items()
    }


def main() -> None:
    setup_django_with_test_db()
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from rathaus.catalog import xzufi

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    template = load_demo_municipality()
    records = xzufi.validate(template, xzufi.export_catalog(template))[: ARGS.services]
    client = Client()
    towns: list = []
    print(
        f"{len(records)} services, {ARGS.papers} papers, 1 location per town; "
        f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; "
        f"CATALOG_SEARCH_INDEXES={getattr(settings, 'CATALOG_SEARCH_INDEXES', '?')}; "
        f"cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}"
    )
    print(
        "towns | made in s | "
        + " | ".join(
            f"{n} ms p50/p95"
            for n in ("start", "service", "availability", "OParl papers", "search")
        )
        + " | RSS MB before/after serving every town's search | shared search indexes MB"
    )
    for target in ARGS.towns:
        started = time.perf_counter()
        while len(towns) < target:
            towns.append(make_town(len(towns) + 1, records))
        made = time.perf_counter() - started
        measure(client, towns, 1)  # warm up the sample
        figures = measure(client, towns, ARGS.rounds)
        before = rss_mb()
        for _town, _slug, host in towns:  # serve every town once: each builds its search index
            timed(client, host, "/suche/", q="Pass")
        cells = " | ".join(f"{p50:.1f}/{p95:.1f}" for p50, p95 in figures.values())
        memory = f"{before:.0f}/{rss_mb():.0f} | {shared_mb(towns):.1f}"
        print(f"{target} | {made:.1f} | {cells} | {memory}", flush=True)
    cache.delete_many([shared_key(town) for town, _slug, _host in towns])


def shared_key(town) -> str:
    from django.core.cache import cache

    from rathaus.catalog import search

    return search._shared_key(town.pk, cache.get(search._version_key(town.pk), 0))


def shared_mb(towns) -> float:
    from django.core.cache import cache

    blobs = cache.get_many([shared_key(town) for town, _slug, _host in towns])
    return sum(len(blob) for blob in blobs.values()) / 1e6


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--towns", default="1,50,150", type=lambda s: [int(x) for x in s.split(",")]
    )
    parser.add_argument("--services", type=int, default=40)
    parser.add_argument("--papers", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    ARGS = parser.parse_args()
    main()
