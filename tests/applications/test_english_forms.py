"""Forms as data in English (issue 16): a form's title, step titles, labels, hints and
choices have English texts where staff wrote them; what is German only is marked
lang="de" on English pages; German pages are unchanged."""

import re

import pytest

from rathaus.applications import formengine

from .test_catalog_link import start_guest

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_step_page_in_english_marks_the_german_rest(client_a, bulky):
    app, url = start_guest(english(client_a))
    page = client_a.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page
    assert '<h1 class="kern-heading-large">About you</h1>' in page
    assert "Book a bulky waste collection" in page and "Sperrmüll anmelden" not in page
    assert re.search(r'<label class="kern-label" for="id_vorname"><span>First name</span>', page)
    # the pick-up step: English labels and choices, one choice left in German
    client_a.post(url, {"vorname": "Gerd", "nachname": "Gast"})
    step = f"/antraege/antrag/{app.key}/schritt/abholung/"
    page = client_a.get(step, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "What is to be collected?" in page and "Was wird abgeholt" not in page
    assert re.search(r'for="id_gegenstaende_0">Furniture</label>', page)
    assert re.search(r'for="id_gegenstaende_4" lang="de">Holz und Bretter</label>', page)
    hint = re.search(r'<div class="kern-hint" id="id_standort-hint"([^>]*)>', page)
    assert hint and 'lang="de"' in hint.group(1)  # no hint_en: German, marked


def test_german_page_has_no_marks_and_german_texts(client_a, bulky):
    app, url = start_guest(client_a)
    page = client_a.get(url).content.decode()
    assert "Angaben zu Ihrer Person" in page and "About you" not in page
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'lang="de"' not in main


def test_check_page_labels_and_choice_values_in_english():
    from django.utils import translation

    schema = {
        "steps": [
            {
                "key": "a",
                "title": "Schritt",
                "title_en": "Step",
                "fields": [
                    {
                        "name": "x",
                        "type": "radio",
                        "label": "Frage",
                        "label_en": "Question",
                        "choices": [["j", "Ja", "Yes"], ["n", "Nein"]],
                    }
                ],
            }
        ]
    }
    with translation.override("en"):
        yes = formengine.answers(schema, {"x": "j"})[0]
        no = formengine.answers(schema, {"x": "n"})[0]
    assert yes["title"] == "Step" and yes["rows"][0]["label"] == "Question"
    assert yes["rows"][0]["value"] == "Yes" and yes["rows"][0]["value_lang"] == ""
    assert no["rows"][0]["value"] == "Nein" and no["rows"][0]["value_lang"] == "de"
    with translation.override("de"):
        german = formengine.answers(schema, {"x": "j"})[0]
    assert german["rows"][0]["label"] == "Frage" and german["rows"][0]["value"] == "Ja"
    assert german["rows"][0]["label_lang"] == ""


def test_schema_refuses_malformed_choices():
    schema = {
        "steps": [
            {
                "key": "a",
                "title": "A",
                "fields": [{"name": "x", "type": "radio", "label": "X", "choices": [["only"]]}],
            }
        ]
    }
    with pytest.raises(formengine.SchemaError):
        formengine.validate_schema(schema)
