"""One site search across services, places (with today's hours), council and participation,
grouped by kind; public and tenant-scoped like the pages it links to (issue 16)."""

import pytest

from tests.council.conftest import build_council

pytestmark = pytest.mark.django_db


def test_opening_hours_question_finds_the_office_first(client_a):
    page = client_a.get("/suche/alles/", {"q": "Wann hat das Bürgerbüro offen"}).content.decode()
    assert 'id="treffer-places"' in page
    assert "Bürgerbüro A Mitte" in page and "heute" in page
    assert "08:00–16:00" in page or "geschlossen" in page  # today's hours (or closed today)


def test_council_papers_are_found_but_never_non_public_ones(client_a, town_a):
    build_council(town_a, "a")
    page = client_a.get("/suche/alles/", {"q": "Beiräten"}).content.decode()
    assert 'id="treffer-council"' in page and "22/SVV/0792" in page
    secret = client_a.get("/suche/alles/", {"q": "Geheimweg"}).content.decode()
    assert "23/SVV/0001" not in secret and "Geheimweg 7" not in secret


def test_other_towns_are_never_found(client_b, town_a):
    build_council(town_a, "a")
    page = client_b.get("/suche/alles/", {"q": "Beiräten Bürgerbüro A"}).content.decode()
    assert "22/SVV/0792" not in page and "Bürgerbüro A Mitte" not in page


@pytest.mark.parametrize("q", ["", "\x00\x01", "a" * 5000, "%%%", "ä" * 3])
def test_odd_queries_give_a_page(client_a, q):
    # control characters are refused by main's hostile-input guard (400), never a 500
    assert client_a.get("/suche/alles/", {"q": q}).status_code in (200, 400)
