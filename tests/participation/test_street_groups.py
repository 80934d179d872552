"""Street watering groups (issue 18, 22/SVV/1134): neighbours join their street's group
under a pseudonym; the street page shows members, needs and this week's litres."""

from decimal import Decimal

import pytest
from django.utils import timezone

from rathaus.core.models import AuditEntry, User
from rathaus.participation.trees import services
from rathaus.participation.trees.models import StreetGroupMember, Tree

pytestmark = pytest.mark.django_db

URL = "/beteiligung/baeume/strasse/Lindenstraße/"


@pytest.fixture
def trees(town_a):
    year = timezone.localdate().year
    return [
        Tree.objects.create(
            municipality=town_a,
            external_id=f"A-{n}",
            planting_year=year - 7,
            street="Lindenstraße",
            latitude=Decimal("52.4"),
            longitude=Decimal("13.06"),
        )
        for n in (1, 2)
    ]


@pytest.fixture
def neighbour(db):
    return User.objects.create_user("nachbarin@example.org", "geheim-123!")


def test_join_rename_and_leave(client_a, trees, neighbour):
    assert "Melden Sie sich an" in client_a.get(URL).content.decode()
    client_a.force_login(neighbour)
    assert client_a.post(URL, {"name": "Gießkanne"}).status_code == 302
    assert client_a.post(URL, {"name": "Gießkanne"}).status_code == 302  # twice: one member
    assert StreetGroupMember.objects.get().name == "Gießkanne"
    services.add_watering(trees[0], litres=12, day=timezone.localdate(), name="Gießkanne")
    page = client_a.get(URL).content.decode()
    assert "Gießkanne" in page and "Namen ändern" in page
    assert "<dd>12</dd>" in page  # litres this week in the street
    client_a.post(URL, {"name": "Regentonne"})
    assert StreetGroupMember.objects.get().name == "Regentonne"
    client_a.post(URL, {"leave": "1"})
    assert not StreetGroupMember.objects.exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"participation.trees.group_joined", "participation.trees.group_left"} <= actions


def test_anonymous_post_goes_to_login(client_a, trees):
    response = client_a.post(URL, {"name": "X"})
    assert response.status_code == 302 and "next=" in response["Location"]
    assert not StreetGroupMember.objects.exists()


def test_unknown_street_and_hostile_values(client_a, trees, neighbour):
    assert client_a.get("/beteiligung/baeume/strasse/Gibtsnicht/").status_code == 404
    assert client_a.get("/beteiligung/baeume/strasse/%00/").status_code in (400, 404)
    assert client_a.get("/beteiligung/baeume/strasse/" + "x" * 10_000 + "/").status_code in (
        400,
        404,
    )
    client_a.force_login(neighbour)
    for name in ("", "x" * 41, "\x00"):
        assert client_a.post(URL, {"name": name}).status_code == 400
    assert not StreetGroupMember.objects.exists()


def test_street_of_another_town_is_not_found(client_b, town_b, trees):
    assert client_b.get(URL).status_code == 404


def test_export_and_erasure_know_the_membership(trees, neighbour, town_a):
    from rathaus.participation.privacy import export_trees

    services.join_street_group(town_a, "Lindenstraße", neighbour, "Gießkanne")

    class Person:
        user = neighbour

    section = export_trees(Person())
    assert {"Art": "Gießgruppe", "Straße": "Lindenstraße", "Name": "Gießkanne"}.items() <= (
        section.records[-1].items()
    )
    neighbour.delete()
    assert not StreetGroupMember.objects.exists()
