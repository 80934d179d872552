"""Assistant fixtures: a small catalog for town A (and one for town B) in the demo's shape."""

import pytest
from django.conf import settings as django_settings
from django.utils.module_loading import import_string

from rathaus.catalog import search
from rathaus.catalog.demo import load_services
from rathaus.catalog.models import LifeSituation, Topic
from rathaus.catalog.taxonomy import sync_taxonomy


@pytest.fixture(autouse=True)
def _fresh_search_index():
    """The catalog keeps indexes per municipality id in memory; tests reuse ids."""
    search._indexes.clear()
    yield
    search._indexes.clear()


def record(slug, name, topic="querschnitt", office="a-buergerbuero", **extra):
    data = {
        "slug": slug,
        "name": name,
        "summary": extra.pop("summary", f"{name} im Bürgerbüro."),
        "topic": topic,
        "office": office,
        "locations": extra.pop("locations", [f"{office[0]}-mitte"]),
        "maturity_level": extra.pop("maturity_level", 1),
    }
    data.update(extra)
    return data


def fee(label, amount, note=""):
    return {"label": label, "amount": amount, "amount_max": None, "note": note}


SERVICES_A = [
    record(
        "personalausweis-beantragen",
        "Personalausweis beantragen",
        name_en="Apply for an identity card",
        keywords_en="id card, identity card, ID",
        synonyms="Perso, Ausweis, Personalausweis verlängern",
        documents=["bisheriger Personalausweis", "biometrisches Passfoto"],
        fees=[fee("ab 24 Jahren", "37.00"), fee("unter 24 Jahren", "22.80")],
        appointment_required=True,
        processing_time="etwa 3 bis 4 Wochen",
        popularity=900,
    ),
    record(
        "vorlaeufigen-personalausweis-beantragen",
        "Vorläufigen Personalausweis beantragen",
        name_en="Apply for a temporary identity card",
        synonyms="Ersatzausweis, Notausweis",
        fees=[fee("Vorläufiger Personalausweis", "10.00")],
    ),
    record(
        "reisepass-beantragen",
        "Reisepass beantragen",
        name_en="Apply for a passport",
        keywords_en="passport, travel document",
        synonyms="Pass, Reisepass verlängern",
        documents=["bisheriger Reisepass", "biometrisches Passfoto"],
        fees=[fee("ab 24 Jahren", "70.00"), fee("unter 24 Jahren", "37.50")],
        popularity=700,
    ),
    record(
        "wohnsitz-anmelden",
        "Wohnsitz anmelden",
        topic="querschnitt",
        name_en="Register your address",
        keywords_en="register address, moving, new address, registration",
        synonyms="Anmeldung, Umzug, Zuzug, neue Wohnung",
        documents=["Personalausweis", "Wohnungsgeberbestätigung"],
        deadlines="Innerhalb von zwei Wochen nach dem Einzug.",
        fees=[],
        life_situations=["umzug"],
        popularity=800,
    ),
    record(
        "gewerbe-anmelden",
        "Gewerbe anmelden",
        topic="unternehmensfuehrung",
        name_en="Register a business",
        keywords_en="business registration, trade licence",
        synonyms="Gewerbeanmeldung, Firma gründen, selbstständig machen",
        fees=[fee("Gewerbeanmeldung", "26.00")],
        maturity_level=4,
        online_url="https://formulare.example.org/gewerbe",
    ),
    record(
        "gewerbe-ummelden",
        "Gewerbe ummelden",
        topic="unternehmensfuehrung",
        synonyms="Gewerbeummeldung",
        fees=[fee("Gewerbeummeldung", "26.00")],
    ),
    record(
        "gewerbe-abmelden",
        "Gewerbe abmelden",
        topic="unternehmensfuehrung",
        synonyms="Gewerbeabmeldung, Firma aufgeben",
        fees=[fee("Gewerbeabmeldung", "15.00")],
    ),
    record(
        "sperrmuell-anmelden",
        "Sperrmüll anmelden",
        topic="umwelt",
        name_en="Bulky waste collection",
        keywords_en="bulky waste, furniture, old sofa",
        synonyms="Sperrmüllabholung, alte Möbel, Sofa entsorgen",
        maturity_level=3,
        online_url="https://formulare.example.org/sperrmuell",
        planned_level=None,
    ),
]

SERVICES_B = [
    record(
        "hund-anmelden",
        "Hund anmelden (Hundesteuer)",
        topic="steuern-zoll",
        office="b-buergerbuero",
        name_en="Register a dog (dog tax)",
        keywords_en="dog, dog tax",
        synonyms="Hundesteuer, Hundemarke, Welpe",
        fees=[fee("Hundesteuer je Jahr", "96.00")],
    ),
    record(
        "reisepass-beantragen",
        "Reisepass beantragen",
        office="b-buergerbuero",
        fees=[fee("Reisepass in B", "99.00")],
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


@pytest.fixture
def demo_town():
    """The demo town with the demo catalog (302 services), loaded as `make demo` does."""
    municipality = None
    for dotted in django_settings.RATHAUS_DEMO_LOADERS:
        if dotted.split(".")[1] not in ("core", "catalog"):
            continue
        result = import_string(dotted)(municipality)
        municipality = municipality or result
    return municipality
