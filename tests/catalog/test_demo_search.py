"""The search on the real demo catalog: accuracy on the evaluation question sets.

This is the one catalog test that uses the demo content (demo_services*.py) on
purpose: it guards the search quality that benchmarks/catalog_eval.py reports.
"""

import re
from pathlib import Path

import pytest

from rathaus.catalog import demo
from rathaus.catalog.search import search
from rathaus.core import demo as core_demo

pytestmark = pytest.mark.django_db

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEV_CANDIDATES = [
    ROOT.parent / "shared" / "eval" / "catalog-questions-dev.tsv",
    Path("/work/shared/eval/catalog-questions-dev.tsv"),
]


def read(path: Path) -> list[tuple[str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            question, pattern = line.split("\t", 1)
            rows.append((question, pattern.strip()))
    return rows


def top3_accuracy(municipality, rows) -> float:
    hits = 0
    for question, pattern in rows:
        names = [h.name for h in search(municipality, question, limit=3)]
        hits += any(re.search(pattern, name, re.IGNORECASE) for name in names)
    return hits / len(rows)


@pytest.fixture
def musterstadt(db):
    municipality = core_demo.load()
    demo.load(municipality)
    return municipality


@pytest.mark.parametrize(
    "name", ["questions_extra.tsv", "questions_probe.tsv", "questions_blind.tsv"]
)
def test_top3_on_own_question_sets(musterstadt, name):
    assert top3_accuracy(musterstadt, read(HERE / name)) >= 0.95


def test_top3_on_shared_dev_questions(musterstadt):
    path = next((p for p in DEV_CANDIDATES if p.exists()), None)
    if path is None:
        pytest.skip("shared/eval/catalog-questions-dev.tsv not present")
    assert top3_accuracy(musterstadt, read(path)) >= 0.95
