"""More of the catalog's own texts in the search index: variants side by side (ADR 0111).

    RATHAUS_MODE=demo .venv/bin/python benchmarks/search_text_fields.py VARIANT ... [--verbose]

Each variant adds texts to the index as an extra BM25F field (or changes the long texts'
weight) by replacing ``catalog.search.service_records`` and ``FIELDS`` in this process
only; ``main`` is the index as it is. All variants run in one process on one demo
database, one after the other, and print per development set (assistant_dev,
assistant_blind … assistant_blind8, named one by one: a round's unseen set is never read)
the search's top 1 / top 3 (kind ``outside`` left out) and the assistant's right / wrong /
fallback, summed per kind, with the latency. ``--verbose`` lists every question whose
answer differs from the first variant's.

A variant is ``name@weight``, several joined with ``+``:

  situations@W    the Lebenslagen's descriptions
  situations_en@W the Lebenslagen's English names (English stems)
  taxonomy_en@W   the Themenfeld's and Lebenslagen's English names (English stems),
                  taken out of the German taxonomy field
  text_en@W       the English long texts (Voraussetzungen, Unterlagen, Fristen, …)
  deadlines@W     Fristen and Bearbeitungsdauer
  fees@W          fee labels and notes (German and English fields)
  description@W   the Volltext as its own field (it stays in the long texts too)
  text@W          the long texts' weight (0.35 on main)
  no_office@W     the long texts without the office's name (W unused)
"""

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from assistant import blind_verdict, describe, load_demo, percentile, setup_django
from catalog_text_reach import DEFAULT_SETS, joined

ORIGINAL: dict = {}


def rows_of(path: Path) -> list[list[str]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]


def extra_fields(service, kinds: dict[str, float]) -> dict[str, str]:
    """The added texts of one service, by field name."""
    situations = list(service.life_situations.all())
    fees = list(service.fees.all())
    texts = {
        "situations": lambda: joined(*[s.description for s in situations]),
        "situations_en": lambda: joined(*[s.name_en for s in situations]),
        "taxonomy_en": lambda: joined(service.topic.name_en, *[s.name_en for s in situations]),
        "text_en": lambda: joined(
            service.requirements_en,
            service.documents_en,
            service.description_en,
            service.procedure_en,
            service.deadlines_en,
        ),
        "deadlines": lambda: joined(service.deadlines, service.processing_time),
        "fees": lambda: joined(*[f"{f.label} {f.note}" for f in fees]),
        "fees_en": lambda: joined(*[f"{f.label_en} {f.note_en}" for f in fees]),
        "description": lambda: service.description,
    }
    fields = {name: texts[name]() for name in kinds if name in texts}
    if "taxonomy_en" in kinds:
        fields["taxonomy"] = joined(service.topic.name, *[s.name for s in situations])
    if "no_office" in kinds:
        fields["text"] = joined(
            service.description,
            service.requirements,
            service.documents,
            service.procedure,
            service.hints,
        )
    return fields


ENGLISH = {"situations_en", "taxonomy_en", "text_en", "fees_en"}
SHORT = {"situations_en", "taxonomy_en"}  # lists of names: length normalised like taxonomy
NOT_FIELDS = {"no_office", "text"}


def apply(search, variant: str) -> None:
    """Put ``catalog.search`` into the state of ``variant`` (``main``: as it is)."""
    if not ORIGINAL:
        ORIGINAL.update(
            records=search.service_records,
            fields=dict(search.FIELDS),
            english=set(search.ENGLISH_FIELDS),
        )
    search.service_records = ORIGINAL["records"]
    search.FIELDS.clear()
    search.FIELDS.update(ORIGINAL["fields"])
    search.ENGLISH_FIELDS.clear()
    search.ENGLISH_FIELDS.update(ORIGINAL["english"])
    if variant == "main":
        return
    kinds = {}
    for part in variant.split("+"):
        name, _, weight = part.partition("@")
        kinds[name] = float(weight or 0.35)
    if "fees" in kinds:
        kinds["fees_en"] = kinds["fees"]
    for name, weight in kinds.items():
        if name == "text":
            search.FIELDS["text"] = (weight, search.FIELDS["text"][1])
        elif name not in NOT_FIELDS:
            search.FIELDS[name] = (weight, 0.5 if name in SHORT else 0.75)
            if name in ENGLISH:
                search.ENGLISH_FIELDS.add(name)

    def records(services):
        services = list(services)
        rows = ORIGINAL["records"](services)
        for row, service in zip(rows, services, strict=True):
            row.update(extra_fields(service, kinds))
        return rows

    search.service_records = records


def measure(municipality, answers: dict) -> tuple[dict[str, Counter], list[float]]:
    from rathaus.assistant.dialogue import respond
    from rathaus.catalog.search import search

    per_set: dict[str, Counter] = {}
    latency: list[float] = []
    for path in DEFAULT_SETS:
        counts = per_set.setdefault(path.name, Counter())
        for kind, question, pattern in rows_of(path):
            if kind != "outside":
                names = [hit.name for hit in search(municipality, question, limit=3)]
                first = bool(names and re.search(pattern, names[0], re.IGNORECASE))
                counts[f"{kind}:top1"] += first
                counts[f"{kind}:top3"] += any(re.search(pattern, n, re.IGNORECASE) for n in names)
            start = time.perf_counter()
            answer = respond(municipality, question).answer
            latency.append((time.perf_counter() - start) * 1000)
            verdict = blind_verdict(answer, kind, pattern)
            counts[f"{kind}:{verdict}"] += 1
            answers[(path.name, question)] = (verdict, describe(answer))
    return per_set, latency


def line(counts: Counter, kinds=("service", "story", "english", "outside")) -> str:
    def total(what):
        return sum(counts[f"{kind}:{what}"] for kind in kinds)

    return (
        f"top1 {total('top1'):4} top3 {total('top3'):4}  "
        f"R {total('right'):4} W {total('wrong'):4} F {total('fallback'):4}"
    )


def report(variant: str, per_set: dict[str, Counter], latency: list[float]) -> None:
    print(f"== {variant}")
    summed: Counter = Counter()
    for name, counts in per_set.items():
        print(f"  {name:24} {line(counts)}")
        summed.update(counts)
    print(f"  {'all sets':24} {line(summed)}")
    for kind in ("service", "story", "english", "outside"):
        print(f"    {kind:22} {line(summed, (kind,))}")
    print(
        f"  latency per answer: p50 {statistics.median(latency):.1f} ms, "
        f"p95 {percentile(latency, 0.95):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("variants", nargs="+")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp))
        municipality = load_demo()
        from rathaus.assistant.dialogue import respond
        from rathaus.catalog import search

        answers: dict[str, dict] = {}
        for variant in args.variants:
            apply(search, variant)
            search.invalidate(municipality.pk)  # the next question builds the variant's index
            respond(municipality, "Reisepass")  # not timed
            answers[variant] = {}
            report(variant, *measure(municipality, answers[variant]))
            sys.stdout.flush()
        if args.verbose:
            first = args.variants[0]
            for variant in args.variants[1:]:
                print(f"== answers that differ, {first} -> {variant}")
                for key, (verdict, got) in answers[first].items():
                    verdict2, got2 = answers[variant][key]
                    if (verdict, got) != (verdict2, got2):
                        print(f"  {key[0]} {verdict}->{verdict2} {key[1]!r}: {got} -> {got2}")


if __name__ == "__main__":
    main()
