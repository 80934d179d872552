"""Issue 22, round seven (ADR 0069): another authority named as the purpose or the
background of a question is context, not the matter. These test the rule on sentences
written for it; the assistant's use of it: tests/assistant/test_context_and_strong_search.py."""

import pytest

from rathaus.catalog.elsewhere import matter


@pytest.mark.parametrize(
    ("question", "context", "kept"),
    [
        # a purpose: "für" and its noun phrase
        (
            "Ich brauche eine Meldebescheinigung für die Krankenkasse",
            "Krankenkasse",
            "Meldebescheinigung",
        ),
        ("Ich brauche eine Kopie für meinen neuen Arbeitgeber", "Arbeitgeber", "Kopie"),
        # a speaker: a short noun phrase before a verb of saying or demanding
        (
            "Die Rentenversicherung verlangt eine Lebensbescheinigung",
            "Rentenversicherung",
            "Lebensbescheinigung",
        ),
        ("Unsere Ärztin meint, das Kind braucht Förderung", "Ärztin", "Förderung"),
        ("The doctor says our son needs support at school", "doctor", "support"),
        # what was said or done before, back to the clause's start
        ("Beim Jobcenter hat man mir gesagt, ich soll mich ummelden", "Jobcenter", "ummelden"),
        (
            "Die Prüfung bei der Kammer habe ich bestanden, jetzt will ich ein Gewerbe anmelden",
            "Kammer",
            "Gewerbe",
        ),
        (
            "Ich habe die Meisterprüfung bei der Kammer bestanden und will ein Gewerbe anmelden",
            "Meisterprüfung",
            "Gewerbe",
        ),
        # whom the citizen wants to keep out
        (
            "Wo kann ich mich beraten lassen, ohne dass mein Arbeitgeber davon erfährt",
            "Arbeitgeber",
            "beraten",
        ),
    ],
)
def test_context_is_left_out_and_the_matter_kept(question, context, kept):
    rest = matter(question, "en" if question.startswith("The") else "de")
    assert context not in rest and kept in rest, rest


@pytest.mark.parametrize(
    "question",
    [
        "Ich will Kindergeld beantragen",  # the citizen speaks: a pronoun is no authority
        "Wir möchten eine Wohnung mieten",
        "Wo bekomme ich einen Termin bei der Krankenkasse?",  # no marker at all
        "Was kostet ein Visum für Thailand?",  # a country is where, not who
    ],
)
def test_a_question_without_context_is_left_as_it_is(question):
    assert matter(question).split() == question.rstrip("?").split()


def test_english_will_is_the_future_not_a_demand():
    question = "Which bank will open an account for me"
    assert "bank" in matter(question, "en")
    # German "will" is a demand: "Der Vermieter will eine Bestätigung".
    assert "Vermieter" not in matter("Der Vermieter will eine Bestätigung", "de")
