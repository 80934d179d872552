"""Stories answered with the steps of a Lebenslage; other authorities' matters pointed elsewhere."""

import pytest

from rathaus.assistant.dialogue import respond
from rathaus.catalog.demo import load_services
from rathaus.catalog.elsewhere import match

from .conftest import fee, record

pytestmark = pytest.mark.django_db

DEATH = [
    record(
        "sterbefall-beurkunden",
        "Sterbefall beurkunden und Sterbeurkunde erhalten",
        topic="familie-kind",
        synonyms="Sterbeurkunde, Tod melden",
        life_situations=["todesfall"],
        fees=[fee("Sterbeurkunde", "12.00")],
        popularity=300,
    ),
    record(
        "grabstelle-erwerben",
        "Grabstelle erwerben und Bestattung anmelden",
        topic="familie-kind",
        synonyms="Beerdigung, Friedhof, Grab",
        life_situations=["todesfall"],
        popularity=200,
    ),
    record(
        "bestattungskosten",
        "Übernahme von Bestattungskosten beantragen",
        topic="familie-kind",
        life_situations=["todesfall", "finanzielle-hilfe"],
        popularity=50,
    ),
]


@pytest.fixture
def with_death(catalog_a):
    load_services(catalog_a, DEATH)
    return catalog_a


def test_a_story_is_answered_with_the_steps_of_its_life_situation(with_death):
    answer = respond(
        with_death,
        "Mein Vater ist gestern gestorben, wir müssen die Beerdigung planen und wissen "
        "nicht weiter",
    ).answer
    assert answer.service is None and not answer.fallback
    assert answer.situation is not None and answer.situation.title == "Todesfall"
    slugs = [step.slug for step in answer.steps]
    assert slugs[0] == "sterbefall-beurkunden"
    assert set(slugs) == {"sterbefall-beurkunden", "grabstelle-erwerben", "bestattungskosten"}
    assert "1. Sterbefall beurkunden" in answer.text
    assert all(step.office for step in answer.steps)  # each step says who handles it
    assert "/lebenslagen/todesfall/" in answer.situation.url


def test_a_story_in_english_lists_english_steps(with_death):
    answer = respond(with_death, "My husband died last week, what do I have to do now?").answer
    if answer.steps:  # English stories reach the Lebenslage through the English lexicon
        assert answer.language == "en" and "life situation" in answer.text


def test_questions_that_are_no_stories_do_not_become_life_situations(with_death):
    for question in ("Wer hat die Wahl in Amerika gewonnen?", "Wie wird das Wetter morgen?"):
        answer = respond(with_death, question).answer
        assert not answer.steps and answer.fallback


def test_a_single_clear_service_still_wins_over_the_life_situation(with_death):
    answer = respond(with_death, "Sterbeurkunde beantragen").answer
    assert answer.service is not None and answer.service.slug == "sterbefall-beurkunden"
    assert not answer.steps


@pytest.mark.parametrize(
    "question, slug",
    [
        ("Wie beantrage ich Kindergeld?", "kindergeld"),
        ("Ich möchte meine Rente beantragen", "rente"),
        ("Wo zahle ich die Kfz-Steuer?", "kfz-steuer"),
        ("How do I apply for child benefit?", "kindergeld"),
        ("Brauche ich noch eine Lohnsteuerkarte?", "lohnsteuerkarte"),
    ],
)
def test_matters_of_other_authorities_are_pointed_there(catalog_a, question, slug):
    answer = respond(catalog_a, question).answer
    assert answer.elsewhere is not None and answer.elsewhere.slug == slug
    assert answer.service is None and not answer.choices
    assert answer.elsewhere.authority.split()[0] in answer.text or answer.language == "en"


def test_abolished_things_say_what_replaced_them(catalog_a):
    answer = respond(catalog_a, "Wo bekomme ich eine Lohnsteuerkarte?").answer
    assert "seit 2013" in answer.text and "ELStAM" in answer.text


def test_a_town_service_is_not_hijacked_by_a_mentioned_authority(catalog_a):
    # The question is about moving; the doctor is background.
    assert (
        match(
            "Mein Hausarzt sagt, ich soll mich endlich ummelden",
            ("hausarzt", "ummelden", "endlich", "soll"),
        )
        is None
    )
    # Words that merely contain another authority's word do not match.
    assert match("Hundesteuer bezahlen") is None
    assert match("Meine Rente reicht nicht zum Leben") is None


def test_no_answer_invents_a_fee_that_is_not_in_the_data(with_death):
    answer = respond(with_death, "Was kostet die Sterbeurkunde?").answer
    amounts = {"12 €", "12,00 €"}
    assert any(a in answer.text for a in amounts)
    assert "€" not in answer.text.replace("12 €", "").replace("12,00 €", "")


def test_one_service_word_in_background_asks_back_between_its_services(catalog_a):
    load_services(
        catalog_a,
        [
            record(
                "schwerbehindertenausweis",
                "Schwerbehindertenausweis beantragen",
                synonyms="Behinderung, Grad der Behinderung",
            ),
            record(
                "eingliederungshilfe",
                "Eingliederungshilfe für Menschen mit Behinderung",
                synonyms="Behinderung, Teilhabe",
            ),
        ],
    )
    answer = respond(catalog_a, "Bürgerbüro und Passfoto: es geht um eine Behinderung").answer
    assert {c.slug for c in answer.choices} == {"schwerbehindertenausweis", "eingliederungshilfe"}
    # A word the catalog does not know at all is what the question is about: no guess.
    assert respond(catalog_a, "Behinderung Pizzalieferung Quarkbällchen").answer.fallback


def test_english_answers_use_the_english_catalog_texts_where_staff_wrote_them(catalog_a):
    from rathaus.catalog.models import Fee, Service

    passport = Service.objects.get(municipality=catalog_a, slug="reisepass-beantragen")
    answer = respond(catalog_a, "How much does a passport cost?").answer
    assert "(fee names in German)" in answer.text and "ab 24 Jahren" in answer.text
    Fee.objects.filter(service=passport, label="ab 24 Jahren").update(label_en="aged 24 or over")
    Fee.objects.filter(service=passport, label="unter 24 Jahren").update(label_en="under 24")
    passport.documents_en = ["current passport", "biometric passport photo"]
    passport.save()
    answer = respond(catalog_a, "How much does a passport cost?").answer
    assert "aged 24 or over: 70" in answer.text and "in German" not in answer.text
    documents = respond(catalog_a, "What documents do I need for a passport?").answer
    assert "biometric passport photo" in documents.text and "in German" not in documents.text


DOGS = [
    record("hund-anmelden", "Hund anmelden (Hundesteuer)", synonyms="Hundesteuer, Hund"),
    record(
        "hund-abmelden",
        "Hund abmelden",
        synonyms="Hund abmelden, Hundesteuer abmelden",
        description="Ist Ihr Hund gestorben oder abgegeben, melden Sie ihn ab.",
    ),
    record(
        "schuldnerberatung",
        "Schuldner- und Insolvenzberatung",
        synonyms="Schulden, Schuldenberatung",
        description="Beratung bei Schulden und Privatinsolvenz.",
    ),
    record(
        "schadstoffe",
        "Schadstoffe entsorgen",
        synonyms="Schadstoffmobil, Sondermüll",
        summary="Schadstoffe aus dem Haushalt geben Sie am Schadstoffmobil ab, auch Farben.",
        description="Alte Farbe, Lacke und Altöl nimmt das Schadstoffmobil an.",
    ),
]


@pytest.fixture
def with_dogs(catalog_a):
    load_services(catalog_a, DOGS)
    return catalog_a


def test_second_stage_answers_the_one_service_a_storys_naming_word_points_to(with_dogs):
    # "Privatinsolvenz" and "droht" name no service; "Schulden" names exactly one.
    answer = respond(with_dogs, "Ich habe so viele Schulden, dass mir die Privatinsolvenz droht")
    assert answer.answer.service is not None
    assert answer.answer.service.slug == "schuldnerberatung"


def test_second_stage_answers_from_the_full_text_when_no_name_fits(with_dogs):
    answer = respond(with_dogs, "Wohin mit alter Farbe und Altöl?").answer
    assert answer.service is not None and answer.service.slug == "schadstoffe"


def test_split_verbs_are_rejoined_before_the_coverage_check(with_dogs):
    from rathaus.assistant.retrieval import retrieve

    found = retrieve(with_dogs, "Ab wann melde ich den Hund ab?")
    assert "abmelde" in found.topic_words and "melde" not in found.topic_words
    assert found.best.service.slug == "hund-abmelden"
    assert found.best.coverage == 1.0
