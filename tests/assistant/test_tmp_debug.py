import pytest

from rathaus.assistant.dialogue import respond
from rathaus.assistant.retrieval import retrieve, word_senses
from rathaus.catalog import search

pytestmark = pytest.mark.django_db
QS = ["Was kostet die Anmeldung des Wohnsitzes?"]


def test_debug(catalog_a):
    idx = search.get_index(catalog_a)
    for q in QS:
        r = retrieve(catalog_a, q)
        print(q, r.topic_words, word_senses(idx, r.topic_words))
        for c in r.candidates[:4]:
            print("   ", c.service.name, c.score, c.coverage, round(c.precision, 2))
        a = respond(catalog_a, q).answer
        print(a.text, a.choices)
