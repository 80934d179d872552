"""Issue 22, round nine (ADR 0109): when the assistant chooses one service but the search
ranks another first, and the search's first three all explain one question word that names
services, the three are offered as a counter-question instead of the one answer."""

import pytest

from rathaus.assistant.dialogue import _share_a_naming_word, respond
from rathaus.assistant.retrieval import Candidate


def candidate(explains, naming=(True, False)):
    return Candidate(service=None, score=1.0, coverage=0.5, explains=explains, naming=naming)


def test_choices_that_all_explain_one_naming_word_share_it():
    top = [candidate((1.0, 0.0)), candidate((0.5, 1.0)), candidate((1.0, 1.0))]
    assert _share_a_naming_word(top)


def test_choices_explaining_different_words_share_nothing():
    # The first explains the naming word, the second only the background word.
    top = [candidate((1.0, 0.0)), candidate((0.0, 1.0)), candidate((1.0, 1.0))]
    assert not _share_a_naming_word(top)


def test_a_shared_background_word_is_no_shared_matter():
    # All three explain the second word, but it names no service ("Sommer", "Kind").
    top = [candidate((1.0, 1.0)), candidate((0.0, 1.0)), candidate((0.0, 1.0))]
    assert not _share_a_naming_word(top)


@pytest.mark.django_db
def test_a_disputed_choice_is_asked_back_with_the_searchs_three(demo_town, settings):
    question = "Ich brauche einen neuen Pass"
    answer = respond(demo_town, question).answer
    names = [choice.name for choice in answer.choices]
    assert answer.service is None and len(names) == 3, names
    assert any(name == "Reisepass beantragen" for name in names), names
    assert "Meinen Sie eine dieser Leistungen?" in answer.text
    # Break-once switch: without the rule the assistant commits to one of them alone.
    settings.RATHAUS_ASSISTANT_DISPUTED_CHOICES = False
    alone = respond(demo_town, question).answer
    assert alone.service is not None and not alone.choices


@pytest.mark.django_db
def test_the_searchs_own_first_service_is_still_answered(demo_town):
    answer = respond(demo_town, "Führerschein für Taxi fahren").answer
    assert answer.service is not None and "Fahrgastbeförderung" in answer.service.name
