"""How much of the catalog's own text the search reads, and whether the unread rest
holds the words of the questions it misses (issue 22, ADR 0111).

    .venv/bin/python benchmarks/catalog_text_reach.py [--blind FILE.tsv ...] [--verbose]

Part 1, on the demo catalog (Musterstadt): the words of each text of the services
(German and English, Lebenslagen, fees) and the share of its word stems that the built
search index holds for the same service: measured, not assumed, so the report stays true
when the index changes (a text the index does not read still shares words with others).

Part 2, for every question the search does not rank right in its first three (blind
format: kind <TAB> question <TAB> regex; kind ``outside`` skipped): where the question's
words occur in the expected service's texts, by the first of these places that has
them: its name fields, its summaries, its indexed long texts, its texts the index does
not read (German, English). A miss whose words occur only in unread text is one that
indexing more of the catalog could reach.

Defaults to the development sets assistant_dev.tsv and assistant_blind.tsv …
assistant_blind8.tsv (named one by one: a round's unseen set is never read here).
"""

import re
import sys
from collections import Counter
from pathlib import Path

from _django import ROOT, load_demo_municipality, setup_django_with_test_db
from catalog_eval import read_blind

DATA = ROOT / "benchmarks" / "data"
DEFAULT_SETS = [DATA / "assistant_dev.tsv", DATA / "assistant_blind.tsv"] + [
    DATA / f"assistant_blind{number}.tsv" for number in range(2, 9)
]
READ_SHARE = 0.99  # a text counts as read when the index holds (nearly) all its stems
PLACES = ("name fields", "summaries", "indexed long texts", "unread German", "unread English")


def joined(*parts) -> str:
    return " ".join(p if isinstance(p, str) else " ".join(p or []) for p in parts if p)


def texts_of(service) -> dict[str, tuple[str, str]]:
    """label -> (text, language) for one service."""
    situations = list(service.life_situations.all())
    fees = list(service.fees.all())
    return {
        "name, synonyms": (joined(service.name, service.synonyms), "de"),
        "English name, keywords": (joined(service.name_en, service.keywords_en), "en"),
        "Kurztext": (service.summary, "de"),
        "Kurztext (en)": (service.summary_en, "en"),
        "Volltext, Voraussetzungen, Unterlagen, Ablauf, Hinweise, Stelle": (
            joined(
                service.description,
                service.requirements,
                service.documents,
                service.procedure,
                service.hints,
                service.office.name,
            ),
            "de",
        ),
        "Themenfeld, Lebenslagen (names)": (
            joined(service.topic.name, service.topic.name_en, *[s.name for s in situations]),
            "de",
        ),
        "Fristen, Bearbeitungsdauer, Rechtsgrundlage": (
            joined(service.deadlines, service.processing_time, service.legal_basis),
            "de",
        ),
        "Lebenslagen (descriptions)": (joined(*[s.description for s in situations]), "de"),
        "Gebühren (labels, notes)": (joined(*[f"{f.label} {f.note}" for f in fees]), "de"),
        "English long texts": (
            joined(
                service.description_en,
                service.requirements_en,
                service.documents_en,
                service.procedure_en,
                service.deadlines_en,
                service.processing_time_en,
            ),
            "en",
        ),
        "English Lebenslagen, fees": (
            joined(*[s.name_en for s in situations], *[f"{f.label_en} {f.note_en}" for f in fees]),
            "en",
        ),
    }


def stems(text: str, language: str) -> set[str]:
    from rathaus.catalog.search import is_stop, stem_de, stem_en, words

    stemmer = stem_en if language == "en" else stem_de
    return {stemmer(w) for w in words(text) if not is_stop(w)}


def held_by_index(service, index, text: str, language: str) -> tuple[int, int]:
    """(stems of ``text`` the index holds for this service, stems of ``text``)."""
    doc = next(i for i, d in enumerate(index.docs) if d.service_id == service.pk)
    own = stems(text, language)
    return sum(doc in index.postings.get(term, {}) for term in own), len(own)


def indexed_labels(services, index) -> dict[str, tuple[int, int, float]]:
    """label -> (words, distinct stems, share of the stems the index holds for the service)."""
    words: Counter = Counter()
    held: Counter = Counter()
    total: Counter = Counter()
    for service in services:
        for label, (text, language) in texts_of(service).items():
            words[label] += len(text.split())
            found, count = held_by_index(service, index, text, language)
            held[label] += found
            total[label] += count
    return {
        label: (words[label], total[label], held[label] / max(total[label], 1)) for label in words
    }


def report_text(services, index) -> set[str]:
    """Print each text's words and the share the index holds; returns the labels read."""
    labels = indexed_labels(services, index)
    all_words = sum(words for words, _, _ in labels.values())
    read = {label for label, (_, _, share) in labels.items() if share >= READ_SHARE}
    print(f"catalog text of {len(services)} services: {all_words} words")
    print("  read?    words  stems  held  text")
    for label, (words, count, share) in labels.items():
        mark = "read  " if label in read else "unread"
        print(f"  {mark} {words:6} {count:6} {share:5.0%}  {label}")
    read_words = sum(labels[label][0] for label in read)
    print(f"  the index reads {read_words / max(all_words, 1):.0%} of the words")
    return read


def places_of(service, read: set[str]) -> dict[str, set[str]]:
    """The stems of a service's texts, by the places of PLACES."""
    place_of = {
        "name, synonyms": "name fields",
        "English name, keywords": "name fields",
        "Kurztext": "summaries",
        "Kurztext (en)": "summaries",
    }
    places: dict[str, set[str]] = {place: set() for place in PLACES}
    for label, (text, language) in texts_of(service).items():
        if label in place_of:
            place = place_of[label]
        elif label in read:
            place = "indexed long texts"
        else:
            place = "unread English" if language == "en" else "unread German"
        places[place] |= stems(text, language)
    return places


def first_place(word: str, places: dict[str, set[str]]) -> str | None:
    from rathaus.catalog.search import stem_de, stem_en

    forms = {stem_de(word), stem_en(word)}
    return next((place for place in PLACES if forms & places[place]), None)


def where_found(question: str, expected: list[dict[str, set[str]]]) -> dict[str, str]:
    """word -> the first place of an expected service's texts that has it."""
    from rathaus.catalog.search import is_stop, words

    found: dict[str, str] = {}
    for word in (w for w in words(question) if not is_stop(w)):
        for places in expected:
            place = first_place(word, places)
            if place:
                found[word] = place
                break
    return found


def report_misses(municipality, services, read, paths, verbose: bool) -> None:
    from rathaus.catalog.search import search

    places = {service.name: places_of(service, read) for service in services}
    reach: Counter = Counter()
    misses = 0
    for path in paths:
        for kind, question, pattern in read_blind(path):
            names = [hit.name for hit in search(municipality, question, limit=3)]
            if any(re.search(pattern, name, re.IGNORECASE) for name in names):
                continue
            misses += 1
            expected = [p for name, p in places.items() if re.search(pattern, name, re.IGNORECASE)]
            found = where_found(question, expected)
            found_in = set(found.values())
            for place in PLACES:
                reach[f"with a question word in its {place}"] += place in found_in
            reach["with no question word in any of its texts"] += not found_in
            only_unread = found_in and found_in <= {"unread German", "unread English"}
            reach["with question words only in its unread texts"] += bool(only_unread)
            if verbose and found_in & {"unread German", "unread English"}:
                print(f"  [{kind}] {question!r}: {found}")
    print(f"search misses (the expected service not in the first three): {misses}")
    for label, count in reach.items():
        print(f"  {count:4}  {label}")


def main(argv) -> None:
    paths = [Path(argv[i + 1]) for i, a in enumerate(argv) if a == "--blind"] or DEFAULT_SETS
    setup_django_with_test_db()
    municipality = load_demo_municipality()
    from rathaus.catalog.models import Service
    from rathaus.catalog.search import get_index

    services = list(
        Service.objects.for_municipality(municipality)
        .filter(is_published=True)
        .select_related("topic", "office")
        .prefetch_related("life_situations", "fees")
    )
    read = report_text(services, get_index(municipality))
    report_misses(municipality, services, read, paths, "--verbose" in argv)


if __name__ == "__main__":
    main(sys.argv[1:])
