"""Top-1 / top-3 accuracy of the catalog search on question sets, against the demo catalog.

    .venv/bin/python benchmarks/catalog_eval.py [FILE.tsv ...] [--verbose]

Defaults to /work/shared/eval/catalog-questions-dev.tsv (or $CATALOG_EVAL_DEV),
tests/catalog/questions_extra.tsv (written before the demo content existed, no
rules added for its questions) and tests/catalog/questions_probe.tsv (exploration
set used while developing) and tests/catalog/questions_blind.tsv (written at the end,
never tuned on). Each line: question <TAB> regex that the name of a
correct service matches (case-insensitive); lines starting with # are comments.
"""

import os
import re
import sys
from pathlib import Path

from _django import ROOT, load_demo_municipality, setup_django_with_test_db

DEFAULT_FILES = [
    Path(os.environ.get("CATALOG_EVAL_DEV", "/work/shared/eval/catalog-questions-dev.tsv")),
    ROOT / "tests" / "catalog" / "questions_extra.tsv",
    ROOT / "tests" / "catalog" / "questions_probe.tsv",
    ROOT / "tests" / "catalog" / "questions_blind.tsv",
]


def read_questions(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        question, pattern = line.split("\t", 1)
        rows.append((question.strip(), pattern.strip()))
    return rows


def evaluate(municipality, rows, verbose=False) -> tuple[float, float]:
    from rathaus.catalog.search import search

    top1 = top3 = 0
    for question, pattern in rows:
        names = [hit.name for hit in search(municipality, question, limit=3)]
        ok = [bool(re.search(pattern, name, re.IGNORECASE)) for name in names]
        top1 += bool(ok[:1] and ok[0])
        top3 += any(ok)
        if verbose and not (ok[:1] and ok[0]):
            mark = "MISS" if not any(ok) else "top3"
            print(f"  {mark}: {question!r} -> {names}  (want /{pattern}/)")
    return top1 / len(rows), top3 / len(rows)


def main(argv):
    verbose = "--verbose" in argv
    files = [Path(a) for a in argv if not a.startswith("--")] or DEFAULT_FILES
    setup_django_with_test_db()
    municipality = load_demo_municipality()
    from rathaus.catalog.models import Service

    print(f"demo catalog: {Service.objects.for_municipality(municipality).count()} services")
    for path in files:
        if not path.exists():
            print(f"{path}: not found, skipped")
            continue
        rows = read_questions(path)
        top1, top3 = evaluate(municipality, rows, verbose)
        print(f"{path.name}: {len(rows)} questions  top-1 {top1:.1%}  top-3 {top3:.1%}")


if __name__ == "__main__":
    main(sys.argv[1:])
