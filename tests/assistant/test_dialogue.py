"""The dialogue layer on a small catalog: which service, follow-ups, choices, fallback."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from rathaus.assistant.dialogue import State, respond
from rathaus.catalog.models import Service
from rathaus.core.models import OpeningException

pytestmark = pytest.mark.django_db


def ask_all(town, *questions):
    state, answers = State(), []
    for question in questions:
        turn = respond(town, question, state)
        state = turn.state
        answers.append(turn.answer)
    return answers


def test_names_the_service_and_its_fees(catalog_a):
    answer = respond(catalog_a, "Wie viel kostet ein Reisepass?").answer
    assert answer.service.slug == "reisepass-beantragen"
    assert "Reisepass beantragen" in answer.text
    assert "70 €" in answer.text and "37,50 €" in answer.text
    assert answer.intents == ["cost"]
    assert answer.sources[0].url == "/leistungen/reisepass-beantragen/"
    assert not answer.fallback


def test_follow_ups_keep_the_service_in_focus(catalog_a):
    first, cost, online, documents = ask_all(
        catalog_a,
        "Ich brauche einen neuen Personalausweis",
        "und was kostet das?",
        "geht das auch online?",
        "what do I need to bring?",
    )
    assert first.service.slug == "personalausweis-beantragen"
    assert cost.service.slug == "personalausweis-beantragen" and "37 €" in cost.text
    assert online.intents == ["online"] and "noch nicht online" in online.text
    assert documents.language == "en"
    assert "biometrisches Passfoto" in documents.text
    assert "Apply for an identity card" in documents.text


def test_a_new_service_in_a_follow_up_moves_the_focus(catalog_a):
    _, second = ask_all(catalog_a, "Personalausweis beantragen", "Und was kostet ein Reisepass?")
    assert second.service.slug == "reisepass-beantragen"


def test_online_service_gets_its_link(catalog_a):
    _, online = ask_all(catalog_a, "Sperrmüll abholen lassen", "Kann ich das online machen?")
    assert online.service.slug == "sperrmuell-anmelden"
    assert [a.url for a in online.actions] == ["https://formulare.example.org/sperrmuell"]


def test_an_online_url_below_maturity_3_is_not_offered(catalog_a):
    Service.objects.filter(slug="reisepass-beantragen").update(
        online_url="https://example.org/nur-info", maturity_level=1
    )
    answer = respond(catalog_a, "Reisepass online beantragen").answer
    assert answer.actions == [] and "noch nicht online" in answer.text


def test_missing_fees_are_not_invented(catalog_a):
    answer = respond(catalog_a, "Was kostet die Anmeldung des Wohnsitzes?").answer
    assert answer.service.slug == "wohnsitz-anmelden"
    assert "keine Gebühren angegeben" in answer.text
    assert "€" not in answer.text
    assert answer.missing and "115" in answer.text


def test_deadline_and_processing_time_from_the_catalog(catalog_a):
    deadline = respond(catalog_a, "Bis wann muss ich meinen Wohnsitz anmelden?").answer
    assert "zwei Wochen" in deadline.text
    duration = respond(catalog_a, "Wie lange dauert ein Personalausweis?").answer
    assert "3 bis 4 Wochen" in duration.text


def test_several_close_services_are_offered_as_choices(catalog_a):
    answer = respond(catalog_a, "Gewerbe").answer
    assert answer.service is None and not answer.fallback
    names = {c.name for c in answer.choices}
    assert {"Gewerbe anmelden", "Gewerbe abmelden", "Gewerbe ummelden"} <= names
    assert 2 <= len(answer.choices) <= 4


def test_a_choice_answers_the_pending_question(catalog_a):
    first = respond(catalog_a, "Was kostet ein Gewerbe?")
    assert first.answer.choices and first.state.pending_intents == ["cost"]
    chosen = respond(catalog_a, "Gewerbe abmelden", first.state, choice="gewerbe-abmelden")
    assert chosen.answer.service.slug == "gewerbe-abmelden"
    assert "15 €" in chosen.answer.text


def test_exact_name_wins_over_a_longer_similar_name(catalog_a):
    answer = respond(catalog_a, "Personalausweis beantragen").answer
    assert answer.service.slug == "personalausweis-beantragen"


@pytest.mark.parametrize(
    "question",
    [
        "Wie wird das Wetter morgen?",
        "Wer wird Fußballmeister?",
        "Kann ich bei euch Pizza bestellen?",
        "Can I order a pizza here?",
        "Erzähl mir einen Witz",
    ],
)
def test_out_of_scope_questions_fall_back_with_phone_numbers(catalog_a, question):
    catalog_a.phone = "0331 999-0"
    catalog_a.save()
    answer = respond(catalog_a, question).answer
    assert answer.fallback and answer.service is None and not answer.choices
    assert "115" in answer.text and "0331 999-0" in answer.text


def test_out_of_scope_after_a_service_does_not_reuse_the_focus(catalog_a):
    _, weather = ask_all(catalog_a, "Reisepass", "Wie wird das Wetter morgen?")
    assert weather.fallback and weather.service is None


def test_follow_up_without_any_service_asks_for_the_matter(catalog_a):
    answer = respond(catalog_a, "Was kostet das?").answer
    assert answer.fallback and answer.service is None
    assert "Anliegen" in answer.text


def test_english_question_gets_an_english_answer(catalog_a):
    answer = respond(catalog_a, "How much does a passport cost?").answer
    assert answer.language == "en"
    assert answer.service.slug == "reisepass-beantragen"
    assert "Apply for a passport" in answer.text and "70 €" in answer.text
    fallback = respond(catalog_a, "What's the weather like tomorrow?").answer
    assert fallback.language == "en" and "public service number 115" in fallback.text


def test_opening_hours_and_walk_in_hours_today(catalog_a):
    monday = timezone.make_aware(datetime.combine(date(2026, 11, 23), time(10)))
    state = respond(catalog_a, "Personalausweis", now=monday).state
    answer = respond(catalog_a, "wann hat das Bürgerbüro heute auf?", state, now=monday).answer
    assert answer.service.slug == "personalausweis-beantragen"
    assert "08:00–16:00 Uhr" in answer.text
    assert "Sprechzeit ohne Termin heute: 08:00–09:00 Uhr" in answer.text
    assert any(s.kind == "location" for s in answer.sources)


def test_place_question_without_a_service(catalog_a):
    monday = timezone.make_aware(datetime.combine(date(2026, 11, 23), time(10)))
    answer = respond(catalog_a, "Wann hat das Bürgerbüro A Mitte heute geöffnet?", now=monday)
    assert "Bürgerbüro A Mitte" in answer.answer.text
    assert "08:00–16:00 Uhr" in answer.answer.text


def test_closed_today_names_the_reason(catalog_a):
    day = date(2026, 11, 24)
    location = catalog_a  # noqa: F841 - readability
    from rathaus.core.models import Location

    OpeningException.objects.create(
        location=Location.objects.get(slug="a-mitte"), date=day, reason="Betriebsausflug"
    )
    now = timezone.make_aware(datetime.combine(day, time(10)))
    answer = respond(catalog_a, "Öffnungszeiten Reisepass", now=now).answer
    assert "geschlossen (Betriebsausflug)" in answer.text


def test_municipality_isolation(catalog_a, catalog_b):
    dog = respond(catalog_a, "Hundesteuer").answer
    assert dog.fallback and dog.service is None
    passport = respond(catalog_a, "Was kostet ein Reisepass?").answer
    assert passport.service.municipality_id == catalog_a.pk
    assert "99 €" not in passport.text
    in_b = respond(catalog_b, "Hundesteuer").answer
    assert in_b.service.slug == "hund-anmelden"


def test_a_choice_from_another_municipality_is_ignored(catalog_a, catalog_b):
    answer = respond(catalog_a, "Hund", choice="hund-anmelden").answer
    assert answer.service is None


def test_generic_nouns_are_follow_ups_too(catalog_a):
    _, cost = ask_all(catalog_a, "Wohnsitz anmelden", "Was kostet die Anmeldung?")
    assert cost.service.slug == "wohnsitz-anmelden" and cost.intents == ["cost"]


def test_a_choice_can_be_answered_in_words(catalog_a):
    first = respond(catalog_a, "Was kostet ein Gewerbe?")
    assert first.answer.choices
    reply = respond(catalog_a, "abmelden", first.state).answer
    assert reply.service.slug == "gewerbe-abmelden" and "15 €" in reply.text


def test_a_withdrawn_focus_is_dropped(catalog_a):
    first = respond(catalog_a, "Reisepass beantragen")
    Service.objects.filter(slug="reisepass-beantragen").update(is_published=False)
    first.state.focus.refresh_from_db()
    answer = respond(catalog_a, "Was kostet das?", first.state).answer
    assert answer.fallback and answer.service is None


def test_a_counter_question_names_and_links_its_choices(catalog_a):
    answer = respond(catalog_a, "Gewerbe").answer
    assert "• Gewerbe abmelden" in answer.text
    assert "/leistungen/gewerbe-abmelden/" in [s.url for s in answer.sources]


# --- walk-in hours from the one source (core.walkin) ------------------------------------


def test_can_i_come_without_appointment_names_open_now_and_next(catalog_a):
    monday = date(2026, 11, 23)
    early = timezone.make_aware(datetime.combine(monday, time(8, 30)))
    answer = respond(catalog_a, "Kann ich ohne Termin ins Bürgerbüro?", now=early).answer
    assert "Bürgerbüro A Mitte" in answer.text
    assert "Jetzt ohne Termin geöffnet bis 09:00 Uhr." in answer.text
    assert any(s.url == "/sprechzeiten/" for s in answer.sources)
    late = timezone.make_aware(datetime.combine(monday, time(10)))
    answer = respond(catalog_a, "Kann ich ohne Termin ins Bürgerbüro?", now=late).answer
    assert "Ohne Termin wieder am 24.11.2026 von 08:00 bis 09:00 Uhr." in answer.text


def test_walk_in_hours_named_by_their_note(catalog_a):
    from rathaus.core.models import OpeningHours

    OpeningHours.objects.filter(kind="walk_in").update(note="Kontingentsprechstunde")
    monday = timezone.make_aware(datetime.combine(date(2026, 11, 23), time(10)))
    answer = respond(catalog_a, "Wann ist die Kontingentsprechstunde?", now=monday).answer
    assert "Bürgerbüro A Mitte" in answer.text and "ohne Termin" in answer.text
