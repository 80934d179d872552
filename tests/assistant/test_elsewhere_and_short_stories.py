"""Issue 22, fourth round (ADR 0063): matters of other authorities named with a country or
ruled out by a word of the town's own matters, and short stories read as Lebenslagen as
the last stage before a fallback."""

import pytest

from rathaus.assistant.dialogue import respond
from rathaus.catalog.demo import load_services
from rathaus.catalog.elsewhere import match

from .conftest import record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "question, slug",
    [
        ("Wo beantrage ich ein Visum für Thailand?", "visum-ausland"),
        ("Brauche ich für den Urlaub in Kanada ein Visum?", "visum-ausland"),
        ("Wie wechsle ich nach der Hochzeit meine Steuerklasse?", "einkommensteuer"),
        ("Ich will meine Kfz-Versicherung wechseln", "kfz-versicherung"),
        ("Wo bekomme ich einen Bildungsgutschein?", "weiterbildung-arbeitsagentur"),
        ("Wie melde ich mein Kind beim Sportverein an?", "vereinsmitgliedschaft"),
        ("Wie kündige ich meinen Stromvertrag?", "energieversorger"),
    ],
)
def test_more_matters_of_other_authorities_are_pointed_there(catalog_a, question, slug):
    answer = respond(catalog_a, question).answer
    assert answer.elsewhere is not None and answer.elsewhere.slug == slug
    assert answer.service is None and not answer.choices and not answer.steps


def test_a_visa_phrase_needs_a_country():
    # "visum {land}": the visa for a trip needs the destination; without one the question
    # may be about the town's residence permits.
    assert match("Wo beantrage ich ein Visum für Thailand?").slug == "visum-ausland"
    assert match("Wo beantrage ich ein Visum?") is None


@pytest.mark.parametrize(
    "question",
    [
        "Ich bin Studentin aus Brasilien und mein Visum läuft ab",
        "Meine Mutter aus Indien will zu Besuch kommen und braucht ein Visum mit Einladung",
    ],
)
def test_a_word_of_the_towns_own_matters_rules_the_entry_out(question):
    found = match(question)
    assert found is None or found.slug != "visum-ausland"


def test_a_police_certificate_is_no_criminal_complaint():
    assert match("Ich brauche ein polizeiliches Führungszeugnis") is None


WEDDING = [
    record(
        "eheschliessung-anmelden",
        "Eheschließung anmelden",
        topic="familie-kind",
        synonyms="heiraten, Hochzeit",
        life_situations=["heirat"],
        popularity=300,
    ),
    record(
        "ehefaehigkeitszeugnis",
        "Ehefähigkeitszeugnis beantragen",
        topic="familie-kind",
        synonyms="im Ausland heiraten",
        life_situations=["heirat"],
        popularity=20,
    ),
    record(
        "trautermin",
        "Trautermin reservieren",
        topic="familie-kind",
        synonyms="Trauung",
        life_situations=["heirat"],
        popularity=100,
    ),
    record(
        "freibad-sonntag",
        "Verkaufsoffenen Sonntag beantragen",
        topic="unternehmensfuehrung",
        synonyms="Ladenöffnung sonntags, Geschäfte öffnen",
        life_situations=["gewerbegruendung"],
        popularity=10,
    ),
]

SHORT_STORY = "Ich habe mich verlobt, wir wollen heiraten. Wo fangen wir an?"


@pytest.fixture
def with_wedding(catalog_a):
    load_services(catalog_a, WEDDING)
    return catalog_a


def test_a_short_story_gets_the_steps_of_its_life_situation(with_wedding):
    answer = respond(with_wedding, SHORT_STORY).answer
    assert answer.situation is not None and answer.situation.title == "Heirat"
    assert {s.slug for s in answer.steps} >= {"eheschliessung-anmelden", "trautermin"}


def test_without_the_relaxed_stage_the_short_story_falls_back(with_wedding, settings):
    # Break-once switch: the relaxed stage is what answers the short story.
    settings.RATHAUS_ASSISTANT_RELAXED_STORIES = False
    answer = respond(with_wedding, SHORT_STORY).answer
    assert answer.fallback and answer.situation is None


def test_one_services_word_is_no_story(with_wedding):
    # Only one ranked service of the Lebenslage explains "öffnet": no Lebenslage answer.
    answer = respond(with_wedding, "Wann öffnet das Freibad?").answer
    assert answer.situation is None
