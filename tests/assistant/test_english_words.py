"""English questions on the real demo catalog: general English words around the catalog's
English data (ADR 0119). The questions are written for these tests, not taken from the
benchmark sets."""

import pytest

from rathaus.assistant import english
from rathaus.assistant.dialogue import respond
from rathaus.assistant.text import GERMAN_FUNCTION, tokens
from rathaus.catalog import demo
from rathaus.catalog.models import Service
from rathaus.core import demo as core_demo

pytestmark = pytest.mark.django_db

ANSWERED = [
    # Function words ("while", "still") no longer count as unknown topic words.
    (
        "Where can I register a birth while my wife is still in hospital?",
        "geburt-beurkunden-und-geburtsurkunde-erhalten",
    ),
    # Everyday phrases reach the word the catalog's English keywords use.
    ("My grandmother passed away on Sunday", "sterbefall-beurkunden-und-sterbeurkunde-erhalten"),
    ("Can someone pick up our old sofa?", "sperrmuell-anmelden"),
]


@pytest.fixture
def musterstadt():
    town = core_demo.load()
    demo.load(town)
    return town


def test_english_questions_with_everyday_words_are_answered(musterstadt):
    for question, slug in ANSWERED:
        answer = respond(musterstadt, question).answer
        assert answer.language == "en", question
        assert answer.service is not None and answer.service.slug == slug, question


def test_english_word_lists_hold_no_word_of_the_german_catalog(musterstadt):
    # The lists are skipped in German questions too: a German name or synonym word in
    # them would hide what a German question is about.
    german = set(GERMAN_FUNCTION)
    for name, synonyms in Service.objects.values_list("name", "synonyms"):
        german.update(tokens(f"{name} {synonyms}"))
    english_words = english.FUNCTION_WORDS | english.CONTEXT_WORDS
    assert not english_words & german, sorted(english_words & german)


def test_phrases_are_replaced_in_english_only():
    assert english.plain("My father passed away") == "My father died"
    assert english.plain("Can you pick up the sofa?") == "Can you collection the sofa?"
    # German questions keep their words: respond() calls plain() for English only.
    assert english.plain("Sperrmüll abholen") == "Sperrmüll abholen"
