"""Matters of other authorities asked in citizens' words, on the whole Musterstadt demo
catalog (ADR 0065): the assistant points to the authority, and the town's own matters
that share a word with one (a club's grant, a landlord's confirmation) stay the town's."""

import re

import pytest

from rathaus.assistant.dialogue import respond
from rathaus.catalog import demo
from rathaus.core import demo as core_demo

pytestmark = pytest.mark.django_db

ELSEWHERE = [
    ("Ich will mich als Tischlermeister in die Handwerksrolle eintragen lassen", "handwerkskammer"),
    ("Wo melde ich meine Putzhilfe als Minijob an?", "minijob"),
    ("Muss ich für das geerbte Haus Erbschaftsteuer zahlen?", "erbschaftsteuer"),
    ("Wie viele Zigaretten darf ich aus dem Urlaub mitbringen?", "zoll-reise"),
    ("Mir wurde gekündigt, wo reiche ich die Kündigungsschutzklage ein?", "arbeitsgericht"),
    ("Kann ich noch Baukindergeld beantragen?", "baukindergeld"),
    ("Where can I still buy the 9-euro ticket?", "neun-euro-ticket"),
    ("Wir möchten eine Stiftung gründen, wer genehmigt das?", "stiftung"),
    ("Mein Paket ist nicht angekommen, an wen wende ich mich?", "post-paket"),
    ("Ich muss mein BAföG-Darlehen zurückzahlen", "bafoeg-rueckzahlung"),
    ("Wie lasse ich unseren Verein ins Vereinsregister eintragen?", "vereinsregister"),
]

TOWN = [
    ("Unser Verein braucht einen Zuschuss für die Jugendarbeit", "jugendarbeit|vereine"),
    ("Mein Vermieter soll mir die Wohnungsgeberbestätigung ausstellen", "wohnungsgeber"),
    ("Ich habe ein Fahrrad gefunden, wo gebe ich es ab?", "fundsache"),
]


@pytest.fixture
def musterstadt(db):
    town = core_demo.load()
    demo.load(town)
    return town


def test_other_authorities_in_citizens_words_and_the_towns_own_matters(musterstadt):
    # One test: loading the whole demo catalog is the expensive part.
    got = {q: respond(musterstadt, q).answer for q, _ in ELSEWHERE}
    wrong = [
        (q, slug, got[q].elsewhere and got[q].elsewhere.slug)
        for q, slug in ELSEWHERE
        if got[q].elsewhere is None or got[q].elsewhere.slug != slug or got[q].service
    ]
    assert not wrong
    # Something that no longer exists says so, with the year.
    assert "2021" in got["Kann ich noch Baukindergeld beantragen?"].text

    for question, pattern in TOWN:
        answer = respond(musterstadt, question).answer
        assert answer.elsewhere is None, (question, answer.elsewhere.slug)
        offered = [answer.service.name] if answer.service else []
        offered += [c.name for c in answer.choices] + [s.name for s in answer.steps]
        assert any(re.search(pattern, name, re.I) for name in offered), (question, offered)
