"""Defect categories in English (issue 16): names, questions and answer values where
staff wrote them; German-only ones marked lang="de" on English pages."""

import pytest

from rathaus.participation.reports.models import ReportCategory

from .test_reports import details, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_pothole(pothole):
    pothole.name_en = "Pothole"
    pothole.save()
    attribute = pothole.attributes.get()
    attribute.description_en = "Where exactly?"
    attribute.values = [
        {"key": "fahrbahn", "name": "Fahrbahn", "name_en": "Road"},
        {"key": "gehweg", "name": "Gehweg"},
    ]
    attribute.save()
    return pothole


def test_category_names_and_questions_in_english(client_a, town_a, english_pothole):
    ReportCategory.objects.create(
        municipality=town_a, code="laterne", name="Defekte Laterne", office=english_pothole.office
    )
    client_a.cookies["django_language"] = "en"
    page = client_a.get("/beteiligung/maengel/melden/").content.decode()
    assert '">Pothole</label>' in page and "Schlagloch" not in page
    assert 'lang="de">Defekte Laterne</label>' in page
    start(client_a, english_pothole, latitude="52.400100", longitude="13.060200")
    page = client_a.get("/beteiligung/maengel/melden/beschreibung/").content.decode()
    assert "<span>Where exactly?</span>" in page
    assert '<option value="fahrbahn">Road</option>' in page
    assert '<option value="gehweg" lang="de">Gehweg</option>' in page
    details(client_a)
    page = client_a.get("/beteiligung/maengel/melden/pruefen/").content.decode()
    assert "<dt>Where exactly?</dt><dd>Road</dd>" in page


def test_german_pages_show_german_names_without_marks(client_a, english_pothole):
    page = client_a.get("/beteiligung/maengel/melden/").content.decode()
    assert '">Schlagloch</label>' in page and "Pothole" not in page
    start(client_a, english_pothole, latitude="52.400100", longitude="13.060200")
    details(client_a)
    page = client_a.get("/beteiligung/maengel/melden/pruefen/").content.decode()
    assert "<dt>Wo genau?</dt><dd>Fahrbahn</dd>" in page  # the value's name, not its key
