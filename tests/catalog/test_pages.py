"""Public catalog pages: content, fees, hours, search help, 404s, municipality isolation."""

from datetime import time

import pytest

from rathaus.catalog.models import Service
from rathaus.core.models import Location, OpeningException, OpeningHours

pytestmark = pytest.mark.django_db


def test_start_page_lists_popular_services_topics_situations_and_walk_in(client_a, catalog_a):
    html = client_a.get("/").content.decode()
    assert html.index("Personalausweis beantragen") < html.index("Gewerbe abmelden")
    assert "Unternehmensführung und -entwicklung" in html  # one of the 14 Themenfelder
    assert "Gewerbegründung" in html  # a Lebenslage
    assert "Heute ohne Termin" in html


def test_walk_in_hours_today_use_the_opening_schedule(client_a, catalog_a, town_a):
    from django.utils import timezone

    today = timezone.localdate()
    location = Location.objects.get(slug="a-mitte")
    OpeningHours.objects.filter(location=location, kind="walk_in").delete()
    OpeningHours.objects.create(
        location=location,
        kind="walk_in",
        weekday=today.weekday(),
        opens=time(7),
        closes=time(9, 30),
    )
    html = client_a.get("/").content.decode()
    assert "07:00–09:30" in html
    OpeningException.objects.create(
        location=location, date=today, closed=True, reason="Betriebsausflug"
    )
    html = client_a.get("/").content.decode()
    assert "Betriebsausflug" in html
    assert "07:00–09:30" not in html


def test_service_page_shows_all_facts_and_formatted_fees(client_a, catalog_a):
    response = client_a.get("/leistungen/personalausweis-beantragen/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "37,00 €" in html and "22,80 €" in html
    assert "Ein biometrisches Passbild" in html
    assert "Bürgerbüro A" in html  # responsible office
    assert "Bürgerbüro A Mitte" in html  # location with today's hours
    assert "99102019000000" in html
    assert "Formular online" in html  # maturity badge for level 2


def test_fee_range_and_online_link(client_a, catalog_a):
    html = client_a.get("/leistungen/hund-anmelden/").content.decode()
    assert "96,00 € – 600,00 €" in html
    assert 'href="https://example.org/hund"' in html


def test_service_page_in_english(client_a, catalog_a):
    client_a.cookies["django_language"] = "en"
    html = client_a.get("/leistungen/hund-anmelden/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Register a dog (dog tax)" in html
    assert "Responsible office" in html and "96.00 € – 600.00 €" in html


def test_service_view_counts_as_usage(client_a, catalog_a):
    before = Service.objects.get(municipality=catalog_a, slug="reisepass-beantragen").popularity
    client_a.get("/leistungen/reisepass-beantragen/")
    after = Service.objects.get(municipality=catalog_a, slug="reisepass-beantragen").popularity
    assert after == before + 1


def test_topic_and_life_situation_pages(client_a, catalog_a):
    topic = client_a.get("/themen/unternehmensfuehrung/").content.decode()
    assert "Gewerbe anmelden" in topic and "Gewerbe abmelden" in topic
    assert "Reisepass beantragen" not in topic
    situation = client_a.get("/lebenslagen/umzug/").content.decode()
    assert "Wohnsitz anmelden" in situation and "Sperrmüll anmelden" in situation


def test_a_to_z_and_office_filter(client_a, catalog_a):
    html = client_a.get("/leistungen/").content.decode()
    assert 'id="buchstabe-G"' in html and "Gewerbe anmelden" in html
    assert client_a.get("/leistungen/?amt=a-buergerbuero").status_code == 200
    assert client_a.get("/leistungen/?amt=gibt-es-nicht").status_code == 404


def test_search_results_and_did_you_mean(client_a, catalog_a):
    html = client_a.get("/suche/", {"q": "Personalausweiss"}).content.decode()
    assert "Personalausweis beantragen" in html
    assert "Meinten Sie" in html


def test_search_without_results_offers_phone_number(client_a, catalog_a):
    html = client_a.get("/suche/", {"q": "Raumfahrtbehörde Mondlandung"}).content.decode()
    assert "keine passende Leistung" in html
    assert 'href="tel:115"' in html


def test_empty_and_huge_search_do_not_crash(client_a, catalog_a):
    assert client_a.get("/suche/").status_code == 200
    assert client_a.get("/suche/", {"q": "x" * 5000}).status_code == 200
    assert client_a.get("/suche/", {"q": "%%%<script>"}).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/leistungen/gibt-es-nicht/", "/themen/gibt-es-nicht/", "/lebenslagen/gibt-es-nicht/"],
)
def test_unknown_pages_are_german_404(client_a, catalog_a, path):
    response = client_a.get(path)
    assert response.status_code == 404
    assert "Die Seite wurde nicht gefunden." in response.content.decode()


def test_unpublished_service_is_hidden(client_a, catalog_a):
    Service.objects.filter(slug="gewerbe-abmelden").update(is_published=False)
    assert client_a.get("/leistungen/gewerbe-abmelden/").status_code == 404
    html = client_a.get("/suche/", {"q": "Gewerbe abmelden"}).content.decode()
    assert "/leistungen/gewerbe-abmelden/" not in html


def test_other_municipality_services_never_appear(client_a, catalog_a, catalog_b):
    for path in [
        "/",
        "/leistungen/",
        "/themen/querschnitt/",
        "/suche/?q=geheimnisvolle+leistung",
        "/ozg-dashboard/",
        "/ozg-dashboard/ozg-dashboard.csv",
    ]:
        html = client_a.get(path).content.decode()
        assert "B-Leistung" not in html and "B-Stadt" not in html, path
    assert client_a.get("/leistungen/geheime-b-leistung/").status_code == 404
    # The same slug exists in both towns; each host gets its own.
    assert (
        "in B-Stadt" not in client_a.get("/leistungen/personalausweis-beantragen/").content.decode()
    )
