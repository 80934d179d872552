"""Validates the Musterstadt demo catalog (data/demo/*.json) without a database.

The demo imports these XZuFi-shaped files like a city's catalog; the records here are
what the import's validation makes of them. These tests make sure they are complete
and consistent: canonical slugs of ADR 0002, valid topic / life-situation / office /
location slugs, parseable fees, sane maturity data.
"""

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from rathaus.catalog import demo
from rathaus.core.demo import LOCATIONS, OFFICES

ROOT = Path(__file__).resolve().parents[2]
ADR = ROOT / "docs" / "adr" / "0002-service-slugs.md"

TOPICS = {
    "arbeit-ruhestand",
    "bauen-wohnen",
    "bildung",
    "ein-auswanderung",
    "engagement-hobby",
    "familie-kind",
    "forschung-foerderung",
    "gesundheit",
    "mobilitaet-reisen",
    "querschnitt",
    "recht-ordnung",
    "steuern-zoll",
    "umwelt",
    "unternehmensfuehrung",
}
LIFE_SITUATIONS = {
    "umzug",
    "geburt",
    "heirat",
    "todesfall",
    "hund",
    "fahrzeug",
    "bauen",
    "gewerbegruendung",
    "zuwanderung",
    "kita",
    "schule",
    "pflege",
    "ruhestand",
    "wahlen",
    "ehrenamt",
    "ausweisdokumente",
    "behinderung",
    "ausbildung-studium",
    "finanzielle-hilfe",
    "stadtleben",
}
KEYS = {
    "slug",
    "leika_key",
    "ozg_priority",
    "name",
    "name_en",
    "summary",
    "summary_en",
    "description",
    "description_en",
    "requirements",
    "requirements_en",
    "documents",
    "documents_en",
    "procedure",
    "procedure_en",
    "legal_basis",
    "deadlines",
    "deadlines_en",
    "processing_time",
    "processing_time_en",
    "synonyms",
    "keywords_en",
    "hints",
    "topic",
    "life_situations",
    "office",
    "locations",
    "online_url",
    "trust_level",
    "maturity_level",
    "maturity_history",
    "planned_level",
    "planned_date",
    "appointment_required",
    "popularity",
    "fees",
    "is_published",
}
FEE_KEYS = {"label", "amount", "amount_max", "note", "rule", "label_en", "note_en"}
TEXT_FIELDS = ("summary", "summary_en", "description", "requirements", "procedure")


FILES = demo.demo_files()
SERVICES = demo.all_demo_services()
BY_SLUG = {service["slug"]: service for service in SERVICES}


def _canonical():
    """(slug, name) pairs of the table in ADR 0002."""
    rows = re.findall(r"^\| `([a-z0-9-]+)` \| (.+?) \|$", ADR.read_text(), re.MULTILINE)
    assert len(rows) >= 80, "ADR 0002 table not found"
    return rows


def _ids(service):
    return service["slug"]


def test_catalog_has_at_least_100_services_in_several_files():
    assert len(FILES) >= 6
    for path in FILES:
        assert json.loads(path.read_text("utf-8"))["format"] == "rathaus-xzufi-json"
    assert len(SERVICES) >= 100


def test_slugs_are_unique():
    slugs = [service["slug"] for service in SERVICES]
    duplicates = {slug for slug in slugs if slugs.count(slug) > 1}
    assert not duplicates


@pytest.mark.parametrize(("slug", "name"), _canonical())
def test_every_required_service_has_its_canonical_slug_and_name(slug, name):
    assert slug in BY_SLUG, f"missing required service {slug}"
    assert BY_SLUG[slug]["name"] == name


def _slug_rule(name):
    """ADR 0002: name without parentheses and colon tail, umlauts transcribed, rest to '-'."""
    name = re.sub(r"\(.*?\)", "", name).split(":")[0].lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        name = name.replace(umlaut, spelled)
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-")


def test_additional_services_follow_the_slug_rule():
    canonical = {slug for slug, _ in _canonical()}
    for service in SERVICES:
        if service["slug"] not in canonical:
            assert service["slug"] == _slug_rule(service["name"]), service["name"]


@pytest.mark.parametrize("service", SERVICES, ids=_ids)
def test_service_record_is_complete_and_valid(service):
    assert set(service) == KEYS
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", service["slug"])
    assert len(service["slug"]) <= 120
    assert service["leika_key"] == "" or re.fullmatch(r"\d{14}", service["leika_key"])
    assert 0 < len(service["name"]) <= 200 and 0 < len(service["name_en"]) <= 200
    for field in TEXT_FIELDS:
        assert len(service[field]) >= 40, f"{field} too short"
    assert len(service["processing_time"]) <= 200
    assert isinstance(service["documents"], list)
    assert all(isinstance(doc, str) and doc for doc in service["documents"])
    assert service["legal_basis"]
    assert service["topic"] in TOPICS
    assert set(service["life_situations"]) <= LIFE_SITUATIONS
    assert service["office"] in OFFICES
    assert set(service["locations"]) <= set(LOCATIONS)
    assert service["trust_level"] in {"none", "low", "substantial", "high"}
    assert isinstance(service["appointment_required"], bool)
    assert isinstance(service["popularity"], int) and service["popularity"] >= 0
    assert service["online_url"] == "" or service["online_url"].startswith("https://")


@pytest.mark.parametrize("service", SERVICES, ids=_ids)
def test_search_words_are_rich(service):
    synonyms = [word.strip() for word in service["synonyms"].split(",")]
    keywords = [word.strip() for word in service["keywords_en"].split(",")]
    assert len(synonyms) >= 3 and all(synonyms)
    assert len(keywords) >= 2 and all(keywords)


@pytest.mark.parametrize("service", SERVICES, ids=_ids)
def test_fees_parse_as_decimal(service):
    for fee in service["fees"]:
        assert set(fee) == FEE_KEYS
        assert fee["label"] and len(fee["label"]) <= 200 and len(fee["note"]) <= 300
        amount, amount_max = fee["amount"], fee["amount_max"]
        assert isinstance(amount, Decimal), fee
        assert amount >= 0 and amount == amount.quantize(Decimal("0.01"))
        assert amount_max is None or amount_max > amount


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+", text))


@pytest.mark.parametrize("service", SERVICES, ids=_ids)
def test_fees_documents_and_requirements_have_english(service):
    """Issue 22: an English answer shows English fee lines, documents, requirements,
    deadlines and processing times.
    A translation keeps every number of the German (amounts, ages, paragraphs)."""
    for fee in service["fees"]:
        assert fee["label_en"] and len(fee["label_en"]) <= 200, fee["label"]
        assert bool(fee["note_en"]) == bool(fee["note"]) and len(fee["note_en"]) <= 300
        assert _numbers(fee["label"]) <= _numbers(fee["label_en"]), fee["label_en"]
        assert _numbers(fee["note"]) <= _numbers(fee["note_en"]), fee["note_en"]
    assert len(service["documents_en"]) == len(service["documents"])
    for german, english in zip(service["documents"], service["documents_en"], strict=True):
        assert english and english != german and _numbers(german) <= _numbers(english)
    assert service["requirements_en"] and service["requirements_en"] != service["requirements"]
    for field in ("deadlines", "processing_time"):
        assert bool(service[f"{field}_en"]) == bool(service[field]), field
        assert _numbers(service[field]) <= _numbers(service[f"{field}_en"]), field
    assert len(service["processing_time_en"]) <= 200


@pytest.mark.parametrize("service", SERVICES, ids=_ids)
def test_maturity_history_and_fahrplan_are_consistent(service):
    level = service["maturity_level"]
    assert level in range(5)
    history = service["maturity_history"]
    assert history, "history must record at least the current level"
    days = [date.fromisoformat(day) for day, _ in history]
    assert days == sorted(days) and len(set(days)) == len(days)
    assert all(step in range(5) for _, step in history)
    assert history[-1][1] == level
    assert days[-1] <= date(2026, 11, 30)
    if service["planned_level"] is None:
        assert service["planned_date"] is None
    else:
        assert level < service["planned_level"] <= 4
        planned = service["planned_date"]
        # the Fahrplan of the demo lies ahead of the demo's "today" (late 2026)
        assert planned > days[-1] and planned >= date(2026, 12, 1)
    if level >= 3:
        assert service["trust_level"] != "none" or not service["appointment_required"]


def test_maturity_is_realistic():
    levels = [service["maturity_level"] for service in SERVICES]
    share_low = sum(1 for level in levels if level in (1, 2)) / len(levels)
    assert share_low >= 0.7, "most services should be at level 1 or 2"
    with_plan = sum(1 for service in SERVICES if service["planned_level"] is not None)
    assert with_plan >= 25


def test_every_topic_and_life_situation_has_services():
    assert {service["topic"] for service in SERVICES} == TOPICS
    used = {slug for service in SERVICES for slug in service["life_situations"]}
    assert used == LIFE_SITUATIONS


def test_every_office_offers_services():
    assert {service["office"] for service in SERVICES} == set(OFFICES)


def test_online_forms_services_are_prepared_for_level_3():
    for slug in (
        "bewohnerparkausweis-beantragen",
        "hund-anmelden",
        "sperrmuell-anmelden",
        "hausnummer-beantragen",
        "geburtsurkunde-bestellen",
        "als-wahlhelferin-oder-wahlhelfer-melden",
    ):
        service = BY_SLUG[slug]
        assert service["maturity_level"] == 2
        assert service["planned_level"] == 3
        assert service["planned_date"].year in {2026, 2027}


def test_federal_fees_are_current():
    def amounts(slug):
        return {Decimal(fee["amount"]) for fee in BY_SLUG[slug]["fees"]}

    assert {Decimal("46.00"), Decimal("27.60")} <= amounts("personalausweis-beantragen")
    assert Decimal("10.00") in amounts("vorlaeufigen-personalausweis-beantragen")
    assert {Decimal("70.00"), Decimal("37.50"), Decimal("32.00")} <= amounts("reisepass-beantragen")
    assert Decimal("13.00") in amounts("fuehrungszeugnis-beantragen")
    assert Decimal("25.30") in amounts("fuehrerschein-umtauschen")
    assert Decimal("16.70") in amounts("internationalen-fuehrerschein-beantragen")


def test_most_used_services_rank_highest():
    ranked = sorted(SERVICES, key=lambda service: service["popularity"], reverse=True)
    top = {service["slug"] for service in ranked[:10]}
    for slug in (
        "personalausweis-beantragen",
        "wohnsitz-anmelden",
        "reisepass-beantragen",
        "fahrzeug-zulassen",
    ):
        assert slug in top


def test_online_ausweis_page_covers_activation_and_pin_reset():
    service = BY_SLUG["online-ausweisfunktion"]
    text = " ".join(str(service[field]) for field in KEYS)
    for word in ("PIN", "aktiviert", "Bürgerbüro", "PIN-Rücksetzbrief", "116 116"):
        assert word in text
    assert all(Decimal(fee["amount"]) == 0 for fee in service["fees"])
