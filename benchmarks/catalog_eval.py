"""Top-1 / top-3 accuracy of the catalog search on question sets, against the demo catalog.

    .venv/bin/python benchmarks/catalog_eval.py [FILE.tsv ...] [--blind FILE.tsv ...] [--verbose]

Defaults to /work/shared/eval/catalog-questions-dev.tsv (or $CATALOG_EVAL_DEV),
tests/catalog/questions_extra.tsv (written before the demo content existed, no
rules added for its questions) and tests/catalog/questions_probe.tsv (exploration
set used while developing) and tests/catalog/questions_blind.tsv (written at the end,
never tuned on). Each line: question <TAB> regex that the name of a
correct service matches (case-insensitive); lines starting with # are comments.

``--blind FILE`` (repeatable) reads the assistant's set format instead (kind <TAB>
question <TAB> regex, benchmarks/data/assistant_*.tsv) and prints top-1 / top-3 per
kind; kind ``outside`` (no town service is right) is skipped. With --blind only the
named sets are evaluated, unless plain files are named too.
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


def read_blind(path: Path) -> list[tuple[str, str, str]]:
    """(kind, question, regex) rows of a blind-format set, without kind ``outside``."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, question, pattern = line.split("\t", 2)
        if kind.strip() != "outside":
            rows.append((kind.strip(), question.strip(), pattern.strip()))
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


def report_blind(municipality, path: Path, verbose: bool) -> None:
    rows = read_blind(path)
    kinds = list(dict.fromkeys(kind for kind, _, _ in rows))  # in the file's order
    figures = []
    for kind in kinds:
        of_kind = [(q, p) for k, q, p in rows if k == kind]
        top1, top3 = evaluate(municipality, of_kind, verbose)
        figures.append(f"{kind} {len(of_kind)}: {top1:.0%} / {top3:.0%}")
    print(f"{path.name} (top-1 / top-3): " + ", ".join(figures))


def split_arguments(argv) -> tuple[list[Path], list[Path], bool]:
    files, blind = [], []
    arguments = iter(argv)
    for argument in arguments:
        if argument == "--blind":
            blind.append(Path(next(arguments)))
        elif not argument.startswith("--"):
            files.append(Path(argument))
    if not files and not blind:
        files = DEFAULT_FILES
    return files, blind, "--verbose" in argv


def main(argv):
    files, blind, verbose = split_arguments(argv)
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
    for path in blind:
        report_blind(municipality, path, verbose)


if __name__ == "__main__":
    main(sys.argv[1:])
