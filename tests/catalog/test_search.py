"""The search engine: inflections, compounds, synonyms, typos, English, ranking, freshness."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from rathaus.catalog import search
from rathaus.catalog.models import Service
from rathaus.catalog.search import Index, edit_distance

pytestmark = pytest.mark.django_db


def top(town, text, n=1):
    return [hit.slug for hit in search.search(town, text, limit=n)]


@pytest.mark.parametrize(
    ("question", "slug"),
    [
        ("Personalausweises", "personalausweis-beantragen"),  # inflection
        ("Reisepässe", "reisepass-beantragen"),  # plural with umlaut
        ("Hunde", "hund-anmelden"),
        ("Hundesteuer", "hund-anmelden"),  # compound in the index
        ("Sperrmüllabholung", "sperrmuell-anmelden"),  # unknown compound split by the vocabulary
        ("Perso", "personalausweis-beantragen"),  # colloquial synonym (service field)
        ("Mein Ausweis wurde geklaut", "verlust-oder-diebstahl-des-personalausweises-melden"),
        ("Reisepas", "reisepass-beantragen"),  # typo
        ("Persnalausweis", "personalausweis-beantragen"),  # typo
        ("Hnud anmelden", "hund-anmelden"),  # transposition in a short word
        ("Fuehrerschein Personalausweis", "personalausweis-beantragen"),  # ue spelling
        ("I need a passport", "reisepass-beantragen"),  # English
        ("dog", "hund-anmelden"),
        ("bulky waste", "sperrmuell-anmelden"),
        ("Wie viel kostet ein Reisepass?", "reisepass-beantragen"),  # question phrasing
        ("Ich brauche einen neuen Perso", "personalausweis-beantragen"),
        ("Ich bin umgezogen", "wohnsitz-anmelden"),  # lexicon: everyday verb
        ("Gewerbe abmelden", "gewerbe-abmelden"),
        ("Wie melde ich mein Gewerbe ab?", "gewerbe-abmelden"),  # separable verb rejoined
        ("Wo melde ich meine neue Wohnung an?", "wohnsitz-anmelden"),
        ("Gewerbe anmelden", "gewerbe-anmelden"),
        ("alte Möbel entsorgen", "sperrmuell-anmelden"),
    ],
)
def test_understands_citizens(catalog_a, question, slug):
    assert top(catalog_a, question) == [slug]


def test_ranking_prefers_name_over_text_and_popularity_breaks_ties(catalog_a):
    Service.objects.filter(slug="gewerbe-abmelden").update(
        description="Hier geht es auch um den Reisepass."
    )
    search.invalidate(catalog_a.pk)
    assert top(catalog_a, "Reisepass", 2) == ["reisepass-beantragen", "gewerbe-abmelden"]
    Service.objects.filter(slug="gewerbe-anmelden").update(popularity=10_000)
    Service.objects.filter(slug="gewerbe-abmelden").update(popularity=0)
    search.invalidate(catalog_a.pk)
    hits = search.search(catalog_a, "Gewerbe", limit=2)
    assert [h.slug for h in hits] == ["gewerbe-anmelden", "gewerbe-abmelden"]
    assert hits[0].score > hits[1].score


def test_stop_words_only_and_nonsense_give_nothing(catalog_a):
    assert search.search(catalog_a, "Wie kann ich das machen?") == []
    assert search.search(catalog_a, "qqqq zzzz") == []
    assert search.search(catalog_a, "") == []


def test_did_you_mean(catalog_a):
    result = search.query(catalog_a, "Sperrmühl")
    assert result.hits[0].slug == "sperrmuell-anmelden"
    assert result.suggestion == "Sperrmüll"
    sentence = search.query(catalog_a, "Wie beantrage ich einen Reisepas?")
    assert sentence.suggestion == "Wie beantrage ich einen Reisepass?"
    assert search.query(catalog_a, "Reisepass").suggestion == ""


def test_index_follows_catalog_changes(catalog_a):
    assert top(catalog_a, "Zauberlehrling") == []
    service = Service.objects.get(municipality=catalog_a, slug="gewerbe-abmelden")
    service.synonyms = "Zauberlehrling"
    service.save()
    assert top(catalog_a, "Zauberlehrling") == ["gewerbe-abmelden"]
    service.is_published = False
    service.save()
    assert top(catalog_a, "Zauberlehrling") == []


def test_search_is_per_municipality(catalog_a, catalog_b):
    assert top(catalog_a, "geheimnisvolle Leistung") == []
    assert top(catalog_b, "geheimnisvolle Leistung") == ["geheime-b-leistung"]


def test_compound_splitting_against_vocabulary():
    index = Index([{"id": 1, "slug": "a", "name": "Hund anmelden", "summary": "Steuer für Hunde"}])
    assert index.split_compound("hundesteuer") == ["hund", "steu"]
    assert index.split_compound("kuchenblech") == []


def test_edit_distance_counts_transpositions():
    assert edit_distance("reisepass", "riesepass", 2) == 1
    assert edit_distance("hund", "hand", 1) == 1
    assert edit_distance("abc", "xyz", 1) == 2


def test_search_command_prints_json_lines(catalog_a, settings):
    settings.RATHAUS_DEFAULT_MUNICIPALITY = catalog_a.slug
    out = StringIO()
    call_command("search_services", "Hundesteuer", "--json", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0]["name"] == "Hund anmelden (Hundesteuer)"
    assert set(lines[0]) == {"name", "id", "score"}
    assert lines == sorted(lines, key=lambda line: -line["score"])


def test_index_follows_office_rename(catalog_a):
    from rathaus.core.models import Office

    assert top(catalog_a, "Zauberamt") == []
    office = Office.objects.get(municipality=catalog_a, slug="a-buergerbuero")
    office.name = "Zauberamt"
    office.save()
    assert len(search.search(catalog_a, "Zauberamt")) == 8


def test_a_process_keeps_a_bounded_number_of_town_indexes(catalog_a, catalog_b, settings):
    """Memory per worker must not grow with the towns it serves (issue 21)."""
    settings.CATALOG_SEARCH_INDEXES = 1
    search._indexes.clear()
    search.search(catalog_a, "Personalausweis")
    search.search(catalog_b, "Personalausweis")
    assert list(search._indexes) == [catalog_b.pk]
    settings.CATALOG_SEARCH_INDEXES = 2
    search.search(catalog_a, "Personalausweis")
    search.search(catalog_b, "Personalausweis")  # used last: catalog_a goes first
    search.search(catalog_a.__class__.objects.get(pk=catalog_a.pk), "Pass")
    assert set(search._indexes) == {catalog_a.pk, catalog_b.pk}
    assert next(iter(search._indexes)) == catalog_b.pk


QUESTIONS = [
    "Personalausweises",
    "Sperrmüllabholung",
    "Persnalausweis",  # typo: the correction tables travel with the index
    "Hnud anmelden",
    "I need a passport",
    "Wie melde ich mein Gewerbe ab?",
    "alte Möbel entsorgen",
    "Zauberamt",
]


def test_another_process_loads_the_shared_index_without_the_database(
    catalog_a, django_assert_num_queries
):
    """A worker that does not hold a town's index loads it from the shared cache (ADR 0216):
    no query, and every answer (hits, scores, suggestion) is what the built index gives."""
    search._indexes.clear()
    built = [search.query(catalog_a, q) for q in QUESTIONS]
    assert built[0].hits and built[2].suggestion
    search._indexes.clear()  # another process, or dropped by this one's LRU
    with django_assert_num_queries(0):
        loaded = [search.query(catalog_a, q) for q in QUESTIONS]
    assert loaded == built


def test_a_catalog_change_is_not_answered_from_an_old_shared_index(catalog_a):
    search._indexes.clear()
    assert top(catalog_a, "Zauberamt") == []
    service = Service.objects.get(municipality=catalog_a, slug="hund-anmelden")
    service.name = "Zauberamt Hund"
    service.save()
    search._indexes.clear()
    assert top(catalog_a, "Zauberamt") == ["hund-anmelden"]
