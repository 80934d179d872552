"""Language detection, intent lexicon and anonymisation (no database)."""

import pytest

from rathaus.assistant.anonymise import anonymise
from rathaus.assistant.intents import detect_intents
from rathaus.assistant.text import detect_language


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Was kostet ein Reisepass?", "de"),
        ("Ich bin umgezogen und muss mich anmelden", "de"),
        ("Führerschein", "de"),
        ("What do I need to bring?", "en"),
        ("I lost my ID card", "en"),
        ("how much is a passport", "en"),
    ],
)
def test_language_of_the_question(question, language):
    assert detect_language(question) == language


def test_language_without_evidence_keeps_the_default():
    assert detect_language("Reisepass", default="en") == "en"
    assert detect_language("Reisepass") == "de"


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("und was kostet das?", "cost"),
        ("Wie hoch ist die Gebühr?", "cost"),
        ("how much is it", "cost"),
        ("Welche Unterlagen brauche ich?", "documents"),
        ("what do I need to bring?", "documents"),
        ("Wo muss ich hin?", "where"),
        ("wann hat das Bürgerbüro heute auf?", "hours"),
        ("Öffnungszeiten", "hours"),
        ("Wann ist der nächste freie Termin?", "appointment"),
        ("geht das auch online?", "online"),
        ("can I do this from home", "online"),
        ("Wie lange dauert das?", "processing_time"),
        ("Welche Voraussetzungen gibt es?", "requirements"),
        ("Bis wann muss ich mich anmelden? Gibt es eine Frist?", "deadline"),
        ("Wie lange ist die Wartezeit?", "waiting"),
    ],
)
def test_intent_lexicon(question, intent):
    assert intent in detect_intents(question)


def test_no_intent_in_a_plain_service_question():
    assert detect_intents("Personalausweis") == []


def test_anonymise_removes_contact_data_names_and_addresses():
    text = anonymise(
        "Ich heiße Erika Mustermann, wohne Lindenstraße 12, 14999 Musterstadt, "
        "Tel. 0331 / 123456, erika.m@example.org – wann ist mein Ausweis fertig?"
    )
    for secret in ("Erika", "Mustermann", "Lindenstraße", "14999", "123456", "example.org"):
        assert secret not in text
    assert "wann ist mein Ausweis fertig?" in text
    assert "[Name]" in text and "[E-Mail]" in text and "[Telefon]" in text


def test_anonymise_titles_signatures_and_dates():
    text = anonymise("Frau Müller sagte, ich soll fragen. Geboren 01.02.1980. Viele Grüße Max")
    assert "Müller" not in text and "1980" not in text and "Max" not in text


def test_anonymise_keeps_ordinary_questions():
    question = "Was kostet ein Reisepass für Kinder?"
    assert anonymise(question) == question
