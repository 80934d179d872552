"""Issue 22, round eight (ADR 0107): a Lebenslage answers a story only when its services
hold the question's most distinctive word; when a ranked service outside it fully explains
a word that fewer services name, the Lebenslage explains only the story's setting and the
search's best three are offered instead. Sentences written for the rule, run on the demo
catalog (302 services)."""

import pytest

from rathaus.assistant.dialogue import respond
from rathaus.assistant.retrieval import name_spread, rarest_explained, retrieve
from rathaus.assistant.situations import find, matter_outside

pytestmark = pytest.mark.django_db

# "Kinder" names many services (and gathers a Lebenslage), "Hornissen" names one.
SETTING_STORY = (
    "Im Rollladenkasten über dem Kinderzimmer wohnen seit Juni Hornissen, die Kinder haben Angst"
)
# A story whose Lebenslage holds its matter ("Baby"): it keeps the steps.
LIFE_STORY = "Wir bekommen im März ein Baby und wissen nicht, was wir alles erledigen müssen"


def test_a_word_few_services_name_is_rarer_than_a_word_many_name(demo_town):
    words = ("hornissen", "kinder")
    spread = name_spread(demo_town, words)
    assert len(spread) == 2
    assert 1 <= spread[0] < spread[1], spread


def test_rarest_explained_counts_only_fully_explained_naming_words(demo_town):
    found = retrieve(demo_town, SETTING_STORY)
    spread = name_spread(demo_town, found.topic_words)
    hornets = [c for c in found.candidates if "Hornissen" in c.service.name]
    assert hornets, [c.service.name for c in found.candidates]
    assert rarest_explained(spread, hornets) == min(s for s in spread if s)
    assert rarest_explained(spread, []) is None


def test_a_lebenslage_of_the_setting_gives_way_to_the_matter(demo_town, settings):
    found = retrieve(demo_town, SETTING_STORY)
    situation = find(demo_town, found)
    assert situation is not None  # the ranking alone would answer with a Lebenslage
    assert matter_outside(demo_town, found, situation)
    answer = respond(demo_town, SETTING_STORY).answer
    names = [choice.name for choice in answer.choices]
    assert answer.situation is None and answer.service is None
    assert any("Hornissen" in name for name in names), names
    assert "Meinen Sie eine dieser Leistungen?" in answer.text and "115" in answer.text
    # Break-once: without the rule, the steps of a Lebenslage without the hornets.
    settings.RATHAUS_ASSISTANT_STORY_MATTER = False
    broken = respond(demo_town, SETTING_STORY).answer
    assert broken.situation is not None and not broken.choices
    assert not any("Hornissen" in step.name for step in broken.steps)


def test_a_lebenslage_that_holds_the_matter_keeps_its_steps(demo_town):
    found = retrieve(demo_town, LIFE_STORY)
    situation = find(demo_town, found) or find(demo_town, found, relaxed=True)
    assert situation is not None and not matter_outside(demo_town, found, situation)
    answer = respond(demo_town, LIFE_STORY).answer
    assert answer.situation is not None and "Geburt" in answer.situation.title
