"""Checks a blind question set for the assistant before it is committed.

Run:  RATHAUS_MODE=demo REDIS_URL=redis://127.0.0.1:6379/11 \
      .venv/bin/python benchmarks/blind_set_check.py benchmarks/data/assistant_blind9.tsv
      [--names]   (also print name and Themenfeld of every published demo service)

Loads the demo town Musterstadt as benchmarks/assistant.py does (fresh SQLite database
in a temporary directory) and prints:

* the count of questions per kind;
* regex alternatives that match no published service name (must be none);
* the Themenfelder among the expected services (all 14 must occur);
* the highest difflib similarity (lowercased) of any question to any question of the
  earlier sets (benchmarks/data/assistant_*.tsv, tests/catalog/questions*.tsv,
  ../shared/eval/*.tsv; only their question column is read), and every pair >= 0.7.

The assistant itself is not run. Exit code 1 when a check fails.
"""

import argparse
import csv
import difflib
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

from assistant import load_demo, setup_django

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("story", "service", "english", "outside")
SIMILARITY_LIMIT = 0.7
TOPIC_COUNT = 14


def read_set(path: Path) -> list[tuple[str, str, str]]:
    """(kind, question, regex) of every non-comment line."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not all(field.strip() for field in fields):
            sys.exit(f"{path}:{number}: expected kind<TAB>question<TAB>regex")
        rows.append(tuple(field.strip() for field in fields))
    return rows


def earlier_set_files(own: Path) -> list[Path]:
    shared_eval = ROOT.parent.parent / "shared" / "eval"
    if not shared_eval.exists():
        shared_eval = Path("/work/shared/eval")
    files = [
        *sorted((ROOT / "benchmarks" / "data").glob("assistant_*.tsv")),
        *sorted((ROOT / "tests" / "catalog").glob("questions*.tsv")),
        *sorted(shared_eval.glob("*.tsv")),
    ]
    return [path for path in files if path.resolve() != own.resolve()]


def question_column(path: Path) -> tuple[int, list[str]]:
    """The question column only (lowercased): the column with the longest texts on average,
    because the files differ in layout (kind first in the blind sets)."""
    with path.open(encoding="utf-8") as handle:
        rows = [
            fields
            for fields in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            if fields and not fields[0].startswith("#")
        ]
    width = max((len(fields) for fields in rows), default=0)
    lengths = [sum(len(f[i]) for f in rows if len(f) > i) for i in range(width)]
    column = lengths.index(max(lengths)) if lengths else 0
    return column, [
        f[column].strip().lower() for f in rows if len(f) > column and f[column].strip()
    ]


def published_services(municipality) -> list[tuple[str, str]]:
    from rathaus.catalog.models import Service

    services = Service.objects.filter(municipality=municipality, is_published=True)
    return sorted(services.values_list("name", "topic__name"))


def check_regexes(rows, services) -> tuple[list[str], set[str]]:
    """Alternatives that match no service name, and the Themenfelder the matches cover."""
    unmatched, topics = [], set()
    for kind, question, pattern in rows:
        if kind == "outside":
            continue
        for alternative in pattern.split("|"):
            hits = [topic for name, topic in services if re.search(alternative, name, re.I)]
            if not hits:
                unmatched.append(f"{alternative!r} ({question[:40]}...)")
            topics.update(hits)
    return unmatched, topics


def similarity(question: str, other: str, floor: float) -> float:
    """difflib ratio, the higher of with and without autojunk (long questions differ);
    0 when the cheap upper bounds show it stays below floor."""
    best = 0.0
    for autojunk in (True, False):
        matcher = difflib.SequenceMatcher(None, other, question, autojunk=autojunk)
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            return best
        best = max(best, matcher.ratio())
    return best


def check_similarity(rows, own: Path) -> tuple[float, list[str], int]:
    earlier = []
    for path in earlier_set_files(own):
        column, questions = question_column(path)
        print(f"  {path.name}: {len(questions)} questions (column {column + 1})")
        earlier.extend(questions)
    highest, too_close = 0.0, []
    for _, question, _ in rows:
        for other in earlier:
            ratio = similarity(question.lower(), other, min(highest, SIMILARITY_LIMIT))
            highest = max(highest, ratio)
            if ratio >= SIMILARITY_LIMIT:
                # Only the new question is shown: the earlier sets stay unread.
                too_close.append(f"{ratio:.2f} {question[:60]!r}")
    return highest, too_close, len(earlier)


def within_set_duplicates(rows) -> list[str]:
    questions = [question.lower() for _, question, _ in rows]
    pairs = []
    for index, first in enumerate(questions):
        for second in questions[index + 1 :]:
            if difflib.SequenceMatcher(None, first, second).ratio() >= SIMILARITY_LIMIT:
                pairs.append(f"{first[:40]!r} ~ {second[:40]!r}")
    return pairs


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("file", type=Path)
    parser.add_argument("--names", action="store_true")
    args = parser.parse_args()
    rows = read_set(args.file)
    with tempfile.TemporaryDirectory() as workdir:
        setup_django(Path(workdir))
        services = published_services(load_demo())
    if args.names:
        for name, topic in services:
            print(f"{topic}\t{name}")
    failed = False

    counts = Counter(kind for kind, _, _ in rows)
    print(f"questions: {len(rows)}  " + "  ".join(f"{k}: {counts.get(k, 0)}" for k in KINDS))
    unknown = set(counts) - set(KINDS)
    if unknown:
        print(f"unknown kinds: {sorted(unknown)}")
        failed = True
    bad_outside = [q[:40] for kind, q, pattern in rows if kind == "outside" and pattern != "-"]
    if bad_outside:
        print(f"outside questions without '-': {bad_outside}")
        failed = True

    unmatched, topics = check_regexes(rows, services)
    all_topics = {topic for _, topic in services}
    print(f"published services: {len(services)}; alternatives matching no name: {len(unmatched)}")
    for line in unmatched:
        print(f"  no match: {line}")
    print(f"Themenfelder among expected services: {len(topics)} of {len(all_topics)}")
    for topic in sorted(all_topics - topics):
        print(f"  missing Themenfeld: {topic}")
    failed |= bool(unmatched) or len(topics) < TOPIC_COUNT

    highest, too_close, earlier_count = check_similarity(rows, args.file)
    print(f"earlier questions compared: {earlier_count}; max similarity: {highest:.3f}")
    for line in too_close:
        print(f"  too close: {line}")
    inner = within_set_duplicates(rows)
    print(f"pairs within the set >= {SIMILARITY_LIMIT}: {len(inner)}")
    for line in inner:
        print(f"  near duplicate: {line}")
    failed |= bool(too_close) or bool(inner)
    print("CHECK FAILED" if failed else "CHECK OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
