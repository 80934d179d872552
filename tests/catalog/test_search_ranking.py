"""Ranking rules of the catalog search on small hand-made indexes (issue 22, ADR 0013).

No database: an ``Index`` is built from records as ``service_records`` flattens them.
"""

from rathaus.catalog.search import Index


def record(pk, name, **fields):
    return {"id": pk, "slug": f"s{pk}", "name": name, **fields}


def names(index, text, n=3):
    return [hit.name for hit in index.query(text, n).hits]


def test_a_short_unknown_word_in_a_story_is_no_strong_typo_guess():
    # "kaum" is no word of the catalog; its nearest word "Kauf" is a guess, not the matter.
    records = [
        record(1, "Kauf eines Grundstücks anzeigen", synonyms="Grundstückskauf"),
        record(2, "Wohngeld beantragen", synonyms="Zuschuss zur Miete"),
    ]
    records += [record(pk, f"Leistung {pk}", summary="Andere Dinge.") for pk in range(3, 12)]
    index = Index(records)
    assert names(index, "Ich kann die Miete kaum zahlen", 1) == ["Wohngeld beantragen"]
    # A short question with the typo alone still finds the corrected word.
    assert names(index, "Kaaf", 1) == ["Kauf eines Grundstücks anzeigen"]


def test_in_a_story_a_typo_guess_weighs_less_than_the_words_the_catalog_knows():
    records = [
        record(1, "Auskunftssperre beantragen", synonyms="Adresse sperren"),
        record(2, "Gestellten Antrag zurückziehen", synonyms="Antrag gestellt"),
    ]
    records += [record(pk, f"Leistung {pk}", summary="Andere Dinge.") for pk in range(3, 12)]
    index = Index(records)
    story = "Mein früherer Partner hat mich gestalkt, niemand soll die Adresse erfahren"
    assert index.query(story).suggestion  # "gestalkt" is read as a typo of "gestellt" ...
    assert names(index, story, 1) == ["Auskunftssperre beantragen"]  # ... but a weak one
