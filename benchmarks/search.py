"""Search latency on a generated catalog of 2,000 services.

    .venv/bin/python benchmarks/search.py [--services 2000] [--rounds 5]

Generates services from the demo content (each demo service re-phrased for many
objects, so the vocabulary grows as in a real national catalog), loads them into
a fresh test database, builds the index once, then times ``search.search`` for
every question of the evaluation sets, several rounds. Prints p50/p95/max in ms.
"""

import argparse
import os
import random
import statistics
import time

from _django import load_demo_municipality, setup_django_with_test_db
from catalog_eval import DEFAULT_FILES, read_questions

OBJECTS = [
    "Boot",
    "Anhänger",
    "Wohnmobil",
    "Gartenhaus",
    "Pool",
    "Solaranlage",
    "Wärmepumpe",
    "Brunnen",
    "Zaun",
    "Garage",
    "Markt",
    "Kiosk",
    "Imbiss",
    "Taxi",
    "Fahrradstellplatz",
    "Ladesäule",
    "Spielplatz",
    "Friedhof",
    "Kleingarten",
    "Sportplatz",
    "Turnhalle",
    "Bibliothek",
    "Musikschule",
    "Volkshochschule",
    "Schwimmbad",
    "Jugendclub",
    "Seniorentreff",
    "Hafen",
    "Kanal",
    "Deich",
    "Wald",
    "Jagd",
    "Biene",
    "Pferd",
    "Katze",
    "Taube",
    "Ratte",
    "Baustelle",
    "Kran",
    "Container",
    "Plakat",
    "Werbeanlage",
    "Schild",
    "Antenne",
    "Mobilfunkmast",
    "Lärm",
    "Feuerwerk",
    "Grill",
]
SYLLABLES = [
    "ab",
    "an",
    "be",
    "ber",
    "bau",
    "dorf",
    "feld",
    "gen",
    "hal",
    "kom",
    "lan",
    "mel",
    "nis",
    "ord",
    "pla",
    "rat",
    "sch",
    "tung",
    "ung",
    "ver",
    "wal",
    "zu",
]
ACTIONS = [
    "beantragen",
    "anmelden",
    "abmelden",
    "ändern",
    "verlängern",
    "genehmigen lassen",
    "melden",
    "anzeigen",
    "fördern lassen",
    "prüfen lassen",
    "kündigen",
    "erstatten",
]


def generated_services(templates: list[dict], count: int) -> list[dict]:
    rng = random.Random(42)
    records = [dict(t) for t in templates]
    i = 0
    while len(records) < count:
        template = templates[i % len(templates)]
        obj, action = OBJECTS[(i // len(ACTIONS)) % len(OBJECTS)], ACTIONS[i % len(ACTIONS)]
        record = dict(template)
        record["slug"] = f"gen-{i}-{template['slug']}"[:120]
        record["name"] = f"{obj} {action}: {template['name']}"[:200]
        record["synonyms"] = f"{obj}, {obj}{action.split()[0]}, {template.get('synonyms', '')}"
        record["summary"] = f"{obj}: {template['summary']}"
        record["popularity"] = rng.randint(0, 1000)
        record["leika_key"] = ""
        # Rare words (as in real texts: names of places, laws, forms) grow the vocabulary.
        rare = " ".join(
            "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 5))) for _ in range(25)
        )
        record["description"] = f"{template.get('description', '')} {rare}"
        records.append(record)
        i += 1
    return records[:count]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    setup_django_with_test_db()
    municipality = load_demo_municipality()
    from rathaus.catalog import demo, search
    from rathaus.catalog.models import Service

    demo.load_services(municipality, generated_services(demo.all_demo_services(), args.services))
    total = Service.objects.for_municipality(municipality).count()
    started = time.perf_counter()
    index = search.get_index(municipality)
    build_ms = (time.perf_counter() - started) * 1000
    questions = [q for path in DEFAULT_FILES if path.exists() for q, _ in read_questions(path)]
    timings = []
    for _ in range(args.rounds):
        for question in questions:
            started = time.perf_counter()
            search.search(municipality, question, limit=10)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"services: {total}  vocabulary: {len(index.postings)} terms  "
        f"index build: {build_ms:.0f} ms"
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (shared machine)")
    print(
        f"queries: {len(timings)} ({len(questions)} questions x {args.rounds})  "
        f"p50 {statistics.median(timings):.2f} ms  p95 {p95:.2f} ms  max {timings[-1]:.2f} ms"
    )


if __name__ == "__main__":
    main()
