"""English answers on the real demo catalog (issue 22): fee lines, documents and
processing times come from the catalog's English data, never the German, and nothing else."""

import re

import pytest

from rathaus.assistant.dialogue import respond
from rathaus.catalog import demo
from rathaus.core import demo as core_demo

pytestmark = pytest.mark.django_db

QUESTIONS = [
    ("How much does a new ID card cost?", "personalausweis-beantragen", "cost"),
    ("What does a passport cost?", "reisepass-beantragen", "cost"),
    ("How much is the dog tax?", "hund-anmelden", "cost"),
    ("What documents do I need to register my address?", "wohnsitz-anmelden", "documents"),
    ("What do I need to bring to apply for housing benefit?", "wohngeld-beantragen", "documents"),
    ("What documents do I need to register a business?", "gewerbe-anmelden", "documents"),
    ("How long does it take to get a passport?", "reisepass-beantragen", "processing_time"),
]


def test_english_answers_use_only_the_english_catalog_data():
    # One test for all questions: the full demo catalog loads once (in the test's transaction).
    musterstadt = core_demo.load()
    demo.load(musterstadt)
    for question, slug, part in QUESTIONS:
        check_english_answer(musterstadt, question, slug, part)


def check_english_answer(musterstadt, question, slug, part):
    answer = respond(musterstadt, question).answer
    assert answer.language == "en" and answer.service.slug == slug, question
    service = answer.service
    bullets = [line[2:] for line in answer.text.splitlines() if line.startswith("• ")]
    if part == "cost":
        fees = list(service.fees.all())
        german = {fee.label for fee in fees} | {fee.note for fee in fees if fee.note}
        german -= {fee.note_en for fee in fees}  # "optional" is both
        # Every fee line is one of the service's fees, by its English label; none invented.
        assert [line.split(":")[0] for line in bullets] == [fee.label_en for fee in fees]
        assert "in German" not in answer.text
        assert not re.search(r"\d,\d\d €", answer.text)  # 27.60 €, as the English page
    elif part == "processing_time":
        german = {service.processing_time}
        assert service.processing_time_en in answer.text and "in German" not in answer.text
    else:
        german = set(service.documents)
        assert bullets[: len(service.documents_en)] == service.documents_en
        assert "in German" not in answer.text
    # German proper names stay in brackets: "housing benefit application (Wohngeldantrag)".
    outside_brackets = re.sub(r"\([^)]*\)", "", answer.text)
    assert not [text for text in german if text in outside_brackets], question
