"""OParl paper list throughput: generate N papers, page through /body/<id>/paper.

    .venv/bin/python benchmarks/oparl.py [--papers 50000] [--limit 100]
    DATABASE_URL=postgres://…/rathaus_council .venv/bin/python benchmarks/oparl.py
    .venv/bin/python benchmarks/oparl.py --papers 20000 --no-scan --pages --import-pages 10

``--pages`` times the first page against a deep page (the keyset cursor in
``links.next`` and, for comparison, the old ``?page=N`` offset); ``--import-pages K``
imports the first K list pages of the same API into a second town with the OParl
importer (in-process fetch) and reports objects/s.

Each paper gets one consultation and one public file (both embedded in the list, as
real RIS data has them), plus every 10th paper is non-public (must not appear). The
client is Django's in-process test client (no network, no WSGI server), so the figure
is the cost of query + serialisation + JSON per object. Without DATABASE_URL a fresh
SQLite file in var/ is used.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
if "DATABASE_URL" not in os.environ:
    (ROOT / "var").mkdir(exist_ok=True)
    db = ROOT / "var" / "bench-oparl.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
os.environ.setdefault("ALLOWED_HOSTS", "*")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from rathaus.core.models import Municipality, MunicipalityHost  # noqa: E402
from rathaus.council import services  # noqa: E402
from rathaus.council.models import (  # noqa: E402
    AgendaItem,
    Consultation,
    File,
    Meeting,
    Membership,
    Organization,
    Paper,
)

TYPES = ["Antrag", "Anfrage", "Beschlussvorlage", "Mitteilungsvorlage"]


def remove_previous_run():
    for slug in ("bench-import", "bench"):
        _remove_town(slug)


def _remove_town(slug):
    town = Municipality.objects.filter(slug=slug).first()
    if town is None:
        return
    # Raw deletes in dependency order: fast, and past the PROTECT on organizations.
    for model in (Consultation, File, AgendaItem, Meeting, Paper, Membership, Organization):
        model.objects.filter(municipality=town)._raw_delete("default")
    town.delete()


def generate(count: int):
    town, _ = Municipality.objects.get_or_create(
        slug="bench",
        defaults={"name": "Benchstadt", "ags": "12099998", "ars": "120999989999", "land": "BB"},
    )
    MunicipalityHost.objects.get_or_create(host="bench.test", defaults={"municipality": town})
    body = services.body_of(town)
    org = Organization.objects.create(municipality=town, body=body, name="Hauptausschuss")
    now = timezone.now()
    batch = 5000
    with transaction.atomic():
        for start in range(0, count, batch):
            papers = Paper.objects.bulk_create(
                [
                    Paper(
                        municipality=town,
                        body=body,
                        name=f"Drucksache Nummer {n}",
                        reference=f"25/SVV/{n:05d}",
                        paper_type=TYPES[n % 4],
                        public=n % 10 != 0,
                        text="Die Stadtverordnetenversammlung möge "
                        "beschließen: " + "Lorem ipsum dolor sit amet. " * 8,
                        created=now,
                        modified=now,
                    )
                    for n in range(start, min(start + batch, count))
                ]
            )
            Consultation.objects.bulk_create(
                [
                    Consultation(
                        municipality=town,
                        paper=p,
                        organization=org,
                        role="Entscheidung",
                        order=1,
                        created=now,
                        modified=now,
                    )
                    for p in papers
                ]
            )
            File.objects.bulk_create(
                [
                    File(
                        municipality=town,
                        paper=p,
                        name=f"Vorlage {p.reference}",
                        file_name="vorlage.pdf",
                        size=12345,
                        role="main",
                        public=p.public,
                        created=now,
                        modified=now,
                    )
                    for p in papers
                ]
            )
    return town, body


def page_through(body, limit: int) -> tuple[int, int, float]:
    client = Client(HTTP_HOST="bench.test")
    url = f"/rat/oparl/v1/body/{body.pk}/paper?limit={limit}"
    objects = pages = 0
    started = time.perf_counter()
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        data = response.json()
        objects += len(data["data"])
        pages += 1
        assert all(p["type"].endswith("/Paper") for p in data["data"])
        url = data["links"].get("next", "").replace("http://bench.test", "")
    return objects, pages, time.perf_counter() - started


def median_ms(client, url: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
    return sorted(times)[len(times) // 2]


def first_versus_deep(body, limit: int, repeat: int = 15):
    """Median latency of page 1, a deep keyset page and the same page by offset."""
    client = Client(HTTP_HOST="bench.test")
    base = f"/rat/oparl/v1/body/{body.pk}/paper?limit={limit}"
    ids = list(
        Paper.objects.filter(body=body, public=True).order_by("id").values_list("id", flat=True)
    )
    deep_index = (len(ids) // limit - 1) * limit  # the start of the last full page
    cursor = ids[deep_index - 1]
    page_number = deep_index // limit + 1
    rows = [
        ("first page", base),
        (f"page {page_number} by cursor (after={cursor})", f"{base}&after={cursor}"),
        (f"page {page_number} by offset (page={page_number})", f"{base}&page={page_number}"),
    ]
    for label, url in rows:
        print(f"{label}: median {median_ms(client, url, repeat):.0f} ms over {repeat} requests")
    # The list query alone (what grows with depth), without serialisation.
    listed = Paper.objects.filter(body=body, public=True, deleted=False).order_by("id")
    queries = [
        ("first page", lambda: list(listed.values_list("id")[: limit + 1])),
        ("deep, keyset", lambda: list(listed.filter(id__gt=cursor).values_list("id")[: limit + 1])),
        (
            "deep, offset",
            lambda: list(listed.values_list("id")[deep_index : deep_index + limit + 1]),
        ),
    ]
    for label, run in queries:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        print(f"list query only, {label}: median {sorted(times)[repeat // 2]:.2f} ms")


def import_rate(pages: int, limit: int):
    """Import the first ``pages`` list pages of each list into a new town; objects/s."""
    from urllib.parse import urlsplit

    from rathaus.council.importer import import_system

    client = Client(HTTP_HOST="bench.test")
    served: dict[str, int] = {}

    def fetch(url):
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        data = client.get(path).json()
        if isinstance(data, dict) and "links" in data:
            listing = parts.path
            served[listing] = served.get(listing, 0) + 1
            if served[listing] >= pages:
                data["links"].pop("next", None)  # stop after K pages of each list
        return data

    target, _ = Municipality.objects.get_or_create(
        slug="bench-import",
        defaults={"name": "Importstadt", "ags": "12099997", "ars": "120999979999", "land": "BB"},
    )
    started = time.perf_counter()
    report = import_system(target, "http://bench.test/rat/oparl/v1/system", fetch=fetch, full=True)
    seconds = time.perf_counter() - started
    print(
        f"imported {report.objects} objects ({dict(report.created)}) from "
        f"{report.pages} list pages in {seconds:.1f} s: {report.objects / seconds:.0f} objects/s"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=50_000)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--no-scan", action="store_true", help="skip paging through all")
    parser.add_argument("--pages", action="store_true", help="first vs deep page latency")
    parser.add_argument("--import-pages", type=int, default=0, help="import K pages per list")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    remove_previous_run()
    started = time.perf_counter()
    _town, body = generate(args.papers)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum would do after a bulk load
            cursor.execute("ANALYZE")
    print(
        f"generated {args.papers} papers (+ consultations, files) in "
        f"{time.perf_counter() - started:.1f} s on {connection.vendor}"
    )
    if args.pages:
        first_versus_deep(body, args.limit)
    if args.import_pages:
        import_rate(args.import_pages, args.limit)
    if args.no_scan:
        return
    objects, pages, seconds = page_through(body, args.limit)
    expected = args.papers - len(range(0, args.papers, 10))
    assert objects == expected, f"{objects} != {expected} (non-public must be left out)"
    print(
        f"paged {objects} public papers in {pages} pages of {args.limit} in {seconds:.1f} s: "
        f"{objects / seconds:.0f} objects/s, {seconds / pages * 1000:.0f} ms/page"
    )


if __name__ == "__main__":
    main()
