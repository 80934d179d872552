"""English pages mark text that exists in German only with lang="de" (issue 16)."""

import pytest
from django.utils import translation

from rathaus.catalog.models import Service, Topic
from rathaus.core.models import Office

pytestmark = pytest.mark.django_db


@pytest.fixture
def passport(town_a):
    topic = Topic.objects.create(slug="ausweise", name="Ausweise", name_en="IDs")
    return Service.objects.create(
        municipality=town_a,
        slug="reisepass",
        name="Reisepass beantragen",
        name_en="Apply for a passport",
        summary="Für Reisen außerhalb der EU.",
        description="Der Reisepass gilt zehn Jahre.",
        topic=topic,
        office=Office.objects.for_municipality(town_a).first(),
        is_published=True,
    )


def test_english_page_marks_german_only_text(client_a, passport):
    with translation.override("en"):
        client_a.cookies["django_language"] = "en"
        page = client_a.get("/leistungen/reisepass/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page
    assert 'id="service-h">Apply for a passport</h1>' in page  # translated: no lang="de"
    assert '<p class="kern-body kern-body--large" lang="de">Für Reisen' in page
    assert '<div class="kern-body prose" lang="de"><p>Der Reisepass gilt zehn Jahre.' in page


def test_german_page_needs_no_marks(client_a, passport):
    page = client_a.get("/leistungen/reisepass/").content.decode()
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'lang="de"' not in main


def test_staff_entered_english_texts_are_shown_without_marks(client_a, passport):
    from rathaus.catalog.models import Fee

    passport.description_en = "The passport is valid for ten years."
    passport.documents = ["Biometrisches Passfoto"]
    passport.documents_en = ["Biometric passport photo"]
    passport.save()
    Fee.objects.create(service=passport, label="Gebühr", label_en="Fee", amount=70)
    client_a.cookies["django_language"] = "en"
    page = client_a.get("/leistungen/reisepass/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<div class="kern-body prose"><p>The passport is valid for ten years.' in page
    assert "<li>Biometric passport photo</li>" in page and "Passfoto" not in page
    assert '<th scope="row" class="kern-table__header">Fee</th>' in page


def test_deadlines_and_processing_time_without_english_are_marked(client_a, passport):
    """Fristen and Bearbeitungsdauer have no English fields yet (ADR 0067): marked German."""
    passport.processing_time = "etwa 3 Wochen"
    passport.deadlines = "keine Frist"
    passport.save()
    with translation.override("en"):
        client_a.cookies["django_language"] = "en"
        page = client_a.get("/leistungen/reisepass/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<dd lang="de">etwa 3 Wochen</dd>' in page
    assert '<dd lang="de">keine Frist</dd>' in page
