"""Search and OZG dashboard timings on the Musterstadt demo catalog (issue 15: 300+ services).

    .venv/bin/python benchmarks/catalog_pages.py [--rounds 5]

Loads the demo catalog (every file of catalog/data/demo, imported as the demo does) into a
fresh test database and times, warm (after one untimed call each):

* the search index build and ``search.search()`` for every question of the evaluation
  sets (as benchmarks/search.py, but on the real demo catalog instead of a generated one);
* the search page ``/suche/?q=…`` through the Django test client (whole response);
* ``dashboard.figures()`` and the dashboard page, its CSV and its PDF;
* the start page, the service list and every topic page.

Prints p50 / p95 / max in milliseconds and the number of SQL queries per page, with the
machine's load average (the development machine is shared).
"""

import argparse
import os
import statistics
import time

from _django import load_demo_municipality, setup_django_with_test_db
from catalog_eval import DEFAULT_FILES, read_questions


def timed(call, rounds: int) -> list[float]:
    call()  # warm: caches, templates, the search index
    timings = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)


def summary(timings: list[float]) -> str:
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return f"p50 {statistics.median(timings):7.1f} ms  p95 {p95:7.1f} ms  max {timings[-1]:7.1f} ms"


def queries_of(call) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    setup_django_with_test_db()
    started = time.perf_counter()
    municipality = load_demo_municipality()
    load_s = time.perf_counter() - started

    from django.test import Client

    from rathaus.catalog import dashboard, search
    from rathaus.catalog.models import Service, Topic

    total = Service.objects.for_municipality(municipality).count()
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"demo catalog: {total} services (demo load incl. import: {load_s:.1f} s)")
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (shared machine)")

    started = time.perf_counter()
    index = search.get_index(municipality)
    build_ms = (time.perf_counter() - started) * 1000
    print(f"search index build: {build_ms:.0f} ms, vocabulary {len(index.postings)} terms")

    questions = [q for path in DEFAULT_FILES if path.exists() for q, _ in read_questions(path)]
    timings = []
    for _ in range(args.rounds):
        for question in questions:
            started = time.perf_counter()
            search.search(municipality, question, limit=10)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(f"search.search()    n={len(timings):5}  {summary(timings)}")

    client = Client(HTTP_HOST="localhost")

    def get(path):
        def call():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return call

    page_timings = []
    for question in questions[:60]:
        page_timings += timed(get(f"/suche/?q={question}"), 1)
    page_timings.sort()
    print(f"GET /suche/?q=…    n={len(page_timings):5}  {summary(page_timings)}")

    rows = [
        ("dashboard.figures()", lambda: dashboard.figures(municipality), None),
        ("GET /ozg-dashboard/", get("/ozg-dashboard/"), "/ozg-dashboard/"),
        ("GET dashboard CSV", get("/ozg-dashboard/ozg-dashboard.csv"), None),
        ("GET dashboard PDF", get("/ozg-dashboard/ozg-bericht.pdf"), None),
        ("GET / (start page)", get("/"), "/"),
        ("GET /leistungen/", get("/leistungen/"), "/leistungen/"),
    ]
    for label, call, _ in rows:
        print(f"{label:19} n={args.rounds:5}  {summary(timed(call, args.rounds))}")
    for _label, call, path in rows:
        if path:
            print(f"  SQL queries {path}: {queries_of(call)}")

    topic_timings, topic_queries = [], []
    for topic in Topic.objects.order_by("slug"):
        call = get(f"/themen/{topic.slug}/")
        topic_timings += timed(call, args.rounds)
        topic_queries.append(queries_of(call))
    topic_timings.sort()
    print(f"GET /themen/<14>/  n={len(topic_timings):5}  {summary(topic_timings)}")
    print(f"  SQL queries per topic page: {min(topic_queries)}–{max(topic_queries)}")


if __name__ == "__main__":
    main()
