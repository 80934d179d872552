"""Catalog fixtures: the taxonomy (flushed by transactional tests) and a few services per town."""

import pytest

from rathaus.catalog.demo import load_services
from rathaus.catalog.models import LifeSituation, Topic
from rathaus.catalog.taxonomy import sync_taxonomy


def service(slug, name, topic, **extra):
    record = {
        "slug": slug,
        "name": name,
        "summary": extra.pop("summary", f"Kurzbeschreibung: {name}."),
        "topic": topic,
        "office": extra.pop("office", "a-buergerbuero"),
        "locations": extra.pop("locations", ["a-mitte"]),
        "maturity_level": extra.pop("maturity_level", 1),
    }
    record.update(extra)
    return record


SERVICES_A = [
    service(
        "personalausweis-beantragen",
        "Personalausweis beantragen",
        "querschnitt",
        name_en="Apply for an identity card",
        keywords_en="id card, identity card, ID",
        synonyms="Perso, Ausweis, Personalausweis verlängern",
        summary="Den Personalausweis beantragen Sie persönlich im Bürgerbüro.",
        life_situations=["ausweisdokumente"],
        popularity=900,
        maturity_level=2,
        planned_level=3,
        planned_date="2027-06-30",
        maturity_history=[["2021-03-01", 1], ["2024-05-01", 2]],
        fees=[
            {
                "label": "Personalausweis ab 24 Jahren",
                "amount": "37.00",
                "amount_max": None,
                "note": "",
            },
            {
                "label": "Personalausweis unter 24 Jahren",
                "amount": "22.80",
                "amount_max": None,
                "note": "gültig 6 Jahre",
            },
        ],
        documents=["Bisheriger Ausweis", "Ein biometrisches Passbild"],
        appointment_required=True,
        trust_level="none",
        leika_key="99102019000000",
    ),
    service(
        "verlust-oder-diebstahl-des-personalausweises-melden",
        "Verlust oder Diebstahl des Personalausweises melden",
        "querschnitt",
        name_en="Report a lost or stolen identity card",
        summary="Melden Sie einen verlorenen oder gestohlenen Ausweis sofort.",
        life_situations=["ausweisdokumente"],
        popularity=120,
    ),
    service(
        "reisepass-beantragen",
        "Reisepass beantragen",
        "mobilitaet-reisen",
        name_en="Apply for a passport",
        summary="Den Reisepass beantragen Sie im Bürgerbüro.",
        life_situations=["ausweisdokumente"],
        popularity=500,
        fees=[{"label": "Reisepass", "amount": "70.00", "amount_max": None, "note": ""}],
    ),
    service(
        "hund-anmelden",
        "Hund anmelden (Hundesteuer)",
        "steuern-zoll",
        name_en="Register a dog (dog tax)",
        keywords_en="dog, dog tax",
        summary="Wer einen Hund hält, muss ihn zur Hundesteuer anmelden.",
        life_situations=["hund"],
        popularity=300,
        maturity_level=4,
        online_url="https://example.org/hund",
        trust_level="low",
        fees=[
            {
                "label": "Hundesteuer je Jahr",
                "amount": "96.00",
                "amount_max": "600.00",
                "note": "je nach Hund",
            }
        ],
    ),
    service(
        "sperrmuell-anmelden",
        "Sperrmüll anmelden",
        "umwelt",
        name_en="Book a bulky waste collection",
        summary="Alte Möbel holt die Stadtreinigung nach Anmeldung ab.",
        life_situations=["stadtleben", "umzug"],
        popularity=400,
        maturity_level=3,
        planned_level=4,
        planned_date="2026-12-31",
    ),
    service(
        "wohnsitz-anmelden",
        "Wohnsitz anmelden",
        "querschnitt",
        name_en="Register your address",
        keywords_en="register address, moving, new flat",
        summary="Nach dem Einzug in eine Wohnung melden Sie sich innerhalb von zwei Wochen an.",
        life_situations=["umzug"],
        popularity=800,
        maturity_level=2,
    ),
    service(
        "gewerbe-anmelden",
        "Gewerbe anmelden",
        "unternehmensfuehrung",
        name_en="Register a business",
        summary="Wer ein Gewerbe beginnt, zeigt dies dem Gewerbeamt an.",
        life_situations=["gewerbegruendung"],
        popularity=200,
        maturity_level=3,
    ),
    service(
        "gewerbe-abmelden",
        "Gewerbe abmelden",
        "unternehmensfuehrung",
        name_en="Deregister a business",
        summary="Wer ein Gewerbe aufgibt, meldet es beim Gewerbeamt ab.",
        life_situations=["gewerbegruendung"],
        popularity=50,
        maturity_level=0,
    ),
]

SERVICES_B = [
    service(
        "personalausweis-beantragen",
        "Personalausweis beantragen in B-Stadt",
        "querschnitt",
        office="b-buergerbuero",
        locations=["b-mitte"],
        summary="Nur in Beispielstadt-B.",
    ),
    service(
        "geheime-b-leistung",
        "Geheimnisvolle B-Leistung",
        "querschnitt",
        office="b-buergerbuero",
        locations=["b-mitte"],
        summary="Diese Leistung gibt es nur in Beispielstadt-B.",
    ),
]


@pytest.fixture
def taxonomy(db):
    sync_taxonomy(Topic, LifeSituation)


@pytest.fixture
def catalog_a(town_a, taxonomy):
    load_services(town_a, SERVICES_A)
    return town_a


@pytest.fixture
def catalog_b(town_b, taxonomy):
    load_services(town_b, SERVICES_B)
    return town_b
