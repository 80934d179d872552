"""The list of matters other authorities handle (catalog/data/elsewhere.json, ADR 0065):
its facts have a checkable shape, and no term may swallow a service Musterstadt publishes."""

import json
import re
from urllib.parse import urlparse

import pytest

from rathaus.catalog import demo, elsewhere

DATA = json.loads(elsewhere.DATA.read_text(encoding="utf-8"))
ROWS = DATA["entries"]

# Words the town's own catalog shares with another authority on purpose: the town
# advises (care advice, social assistance) and lists the federal word as a synonym
# so that the search finds its advice, while the matter itself is decided elsewhere
# (the care insurance fund grants the care level, the Jobcenter pays Bürgergeld).
SHARED_ON_PURPOSE = {
    ("pflegeberatung-im-pflegestuetzpunkt", "Pflegegrad beantragen"),
    ("pflegeberatung-im-pflegestuetzpunkt", "Pflegegeld"),
    ("pflegeberatung-im-pflegestuetzpunkt", "care level"),
    ("hilfe-zur-pflege-beantragen", "Pflegegrad"),
    ("hilfe-zum-lebensunterhalt-beantragen", "Hartz"),
    ("hilfe-zum-lebensunterhalt-beantragen", "Bürgergeld"),
}


def published_words():
    """(slug, text) for every name and keyword of Musterstadt's published services."""
    for service in demo.all_demo_services():
        if not service.get("is_published", True):
            continue
        texts = [service["name"], service.get("name_en", "")]
        for field in ("synonyms", "keywords_en"):
            texts += (service.get(field) or "").split(",")
        for text in texts:
            if text.strip():
                yield service["slug"], text.strip()


def test_the_list_holds_many_distinct_matters():
    slugs = [row["slug"] for row in ROWS]
    assert len(slugs) >= 100
    assert len(set(slugs)) == len(slugs)
    for row in ROWS:
        assert row["name"] and row["name_en"] and row["authority"] and row["authority_en"]
        assert row["terms"], row["slug"]


def test_no_term_swallows_a_published_town_service():
    caught = {(slug, text) for slug, text in published_words() if elsewhere.match(text) is not None}
    assert caught <= SHARED_ON_PURPOSE, sorted(caught - SHARED_ON_PURPOSE)


def test_no_published_service_name_is_caught_at_all():
    for service in demo.all_demo_services():
        for name in (service["name"], service.get("name_en", "")):
            assert elsewhere.match(name) is None, (service["slug"], name)


# Nationwide numbers only: 0800 free numbers, 116 xxx harmonised numbers, 110.
PHONE = re.compile(r"^(0800( \d+)+|116 ?\d{3}|110)$")
GONE = re.compile(
    r"nicht mehr|abgeschafft|ausgelaufen|endete|liefen|heißt seit|heißen seit"
    r"|gab es nur|galt nur|waren nur"
)


@pytest.mark.parametrize("row", ROWS, ids=[row["slug"] for row in ROWS])
def test_links_and_phone_numbers_have_a_checkable_shape(row):
    if row.get("url"):
        parts = urlparse(row["url"])
        assert parts.scheme == "https" and "." in parts.netloc, row["url"]
        assert " " not in row["url"] and not parts.query, row["url"]
    if row.get("phone"):
        assert PHONE.match(row["phone"]), row["phone"]
    assert bool(row.get("note")) == bool(row.get("note_en")), row["slug"]
    # A note on something that no longer exists says since when, in both languages.
    if GONE.search(row.get("note", "")):
        for field in ("note", "note_en"):
            assert re.search(r"\b(19|20)\d\d\b", row[field]), (row["slug"], field)


def test_no_phrase_of_several_words_shrinks_to_one():
    # Stop words drop out of phrases: "praxis gebühr" would become "praxis" and catch
    # "Praxis in der Wohnung" (a change of use). Every multi-word term keeps two words.
    for row in ROWS:
        for term in row["terms"]:
            if len(re.findall(r"[\w{}]+", term)) > 1:
                assert len(elsewhere._phrase(term)) > 1, (row["slug"], term)


@pytest.mark.parametrize(
    "question, slug",
    [
        ("Wie komme ich an einen Handwerksrolleneintrag?", "handwerkskammer"),
        ("Wo stelle ich den Kindergeldantrag?", "kindergeld"),
        ("Wann ist die Steuererklärungsfrist?", "einkommensteuer"),
    ],
)
def test_a_compound_contains_the_phrase_it_starts_with(question, slug):
    assert elsewhere.match(question).slug == slug


@pytest.mark.parametrize(
    "question", ["Meine Patentante ist umgezogen", "Wo kaufe ich einen Zollstock?"]
)
def test_short_compound_heads_do_not_match(question):
    assert elsewhere.match(question) is None


def test_a_word_of_the_towns_matter_rules_the_register_court_out():
    assert elsewhere.match("Wie lasse ich unseren Verein eintragen?").slug == "vereinsregister"
    # The town funds clubs: a club that asks for a grant asks the town.
    assert elsewhere.match("Unser Verein ist eingetragen, gibt es einen Zuschuss?") is None
    assert elsewhere.match("Wir wollen einen Verein gründen und brauchen eine Halle") is None


def test_words_the_town_has_no_service_for_do_not_argue_against_a_phrase():
    question = "Meine Kfz-Steuer ist diesen Monat doppelt abgebucht worden"
    words = ("kfz", "steuer", "monat", "doppelt", "abgebucht")
    assert elsewhere.match(question, words) is None  # 2 of 5 words: under half
    town = frozenset({"kfz", "zulass", "hundesteu"})  # stems of the town's service names
    assert elsewhere.match(question, words, town).slug == "kfz-steuer"
    # A town word outside the phrase weighs as much as the phrase's one word: the town.
    question = "Mein Hausarzt sagt, ich soll mich endlich ummelden"
    words = ("hausarzt", "ummelden", "endlich", "soll")
    assert elsewhere.match(question, words, frozenset({"ummeld"})) is None


def test_a_passing_mention_of_a_phrase_the_town_has_no_name_for_decides_nothing():
    story = (
        "Meine Tante ist verstorben, ich habe nur einen Minijob, die Rechnung vom Bestatter "
        "ist hoch"
    )
    words = ("tante", "verstorben", "minijob", "rechnung", "bestatter", "hoch")
    town = frozenset({"verstorb", "rechnung", "bestatt", "hoch", "tant", "auto", "anmeld"})
    assert elsewhere.match_unnamed(story, town).slug == "minijob"
    # Four town words against the phrase's one: a story about a death, not a mini-job.
    assert elsewhere.match_unnamed(story, town, words) is None
    # Two against one: the question is about the inspection.
    tuv = "Ich will mein Auto beim TÜV anmelden"
    found = elsewhere.match_unnamed(tuv, town, ("auto", "tüv", "anmelden"))
    assert found.slug == "hauptuntersuchung"
    # Words of circumstance name no service: without "Tante" it is three against one.
    story = "Meine Tante hat nur einen Minijob und die Rechnung vom Bestatter ist hoch"
    words = ("tante", "minijob", "rechnung", "bestatter", "hoch")
    assert elsewhere.match_unnamed(story, town, words) is None
    assert elsewhere.match_unnamed(story, town, words, frozenset({"tante"})).slug == "minijob"


def test_a_longer_phrase_wins_over_the_first_part_of_its_compound():
    assert elsewhere.match("Brauche ich noch eine Lohnsteuerkarte?").slug == "lohnsteuerkarte"


def test_a_template_is_no_medical_examination_for_the_bundeswehr():
    # "Musterung" and "Muster" share the stem "muster"; the entry rules "Muster" out.
    assert elsewhere.match("Wann ist meine Musterung?").slug == "bundeswehr"
    assert elsewhere.match("Gibt es ein Muster für den Antrag?") is None
    assert elsewhere.match("Gruß, Erika Muster") is None
