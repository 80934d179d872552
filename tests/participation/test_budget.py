"""Bürgerhaushalt: phases, one ballot per person, points limits, ranking and ties.

The handover to the council is tested in test_council_paper.py.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rathaus.core.models import Role, User
from rathaus.participation.budget import services
from rathaus.participation.budget.models import Ballot, BallotEntry, BudgetRound, Proposal
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def budget(town_a):
    return BudgetRound.objects.create(
        municipality=town_a,
        slug="2025",
        title="Bürgerhaushalt 2025/26",
        phase=BudgetRound.Phase.PROPOSALS,
        points_per_voter=10,
        max_points_per_proposal=5,
        top_n=2,
        categories=["Umwelt", "Verkehr"],
        districts=["Mitte", "Nord"],
    )


def person(n):
    return User.objects.create_user(f"p{n}@example.org", "geheim-123!")


def proposals(budget, count):
    author = person("author")
    made = [
        services.submit_proposal(
            budget,
            author=author,
            title=f"Idee {i}",
            description="Text",
            category="Umwelt",
            district="Mitte",
        )
        for i in range(1, count + 1)
    ]
    budget.phase = BudgetRound.Phase.REVIEW
    budget.save()
    for p in made:
        services.review(p, actor=None, feasible=True, note="geht", cost=1000)
    budget.phase = BudgetRound.Phase.VOTING
    budget.save()
    return made


def test_proposal_numbers_and_phase_rules(budget):
    a = services.submit_proposal(
        budget, author=None, title="A", description="x", category="Umwelt", district="Nord"
    )
    b = services.submit_proposal(
        budget, author=None, title="B", description="x", category="Verkehr", district="Mitte"
    )
    assert (a.number, b.number) == (1, 2)
    with pytest.raises(ValidationError):
        services.submit_proposal(
            budget, author=None, title="C", description="x", category="Kultur", district="Mitte"
        )
    services.set_phase(budget, phase="review", actor=None)
    with pytest.raises(ValidationError, match="Vorschlagsphase"):
        services.submit_proposal(
            budget, author=None, title="D", description="x", category="Umwelt", district="Mitte"
        )
    with pytest.raises(ValidationError, match="Kostenschätzung"):
        services.review(a, actor=None, feasible=True, note="ok")


def test_support_once_and_merge_moves_supporters(budget):
    a = services.submit_proposal(
        budget, author=None, title="A", description="x", category="Umwelt", district="Nord"
    )
    b = services.submit_proposal(
        budget, author=None, title="A2", description="x", category="Umwelt", district="Nord"
    )
    u1, u2 = person(1), person(2)
    assert services.support(a, u1) is True
    assert services.support(a, u1) is False  # idempotent
    services.support(b, u1)
    services.support(b, u2)
    services.merge(b, into=a, actor=None)
    b.refresh_from_db()
    assert b.status == "merged" and b.merged_into == a
    assert set(a.supports.values_list("user_id", flat=True)) == {u1.pk, u2.pk}
    with pytest.raises(ValidationError):
        services.support(b, person(3))


def test_one_ballot_per_person_changeable(budget):
    a, b, c = proposals(budget, 3)
    voter = person(1)
    services.cast_ballot(budget, user=voter, points={a.pk: 5, b.pk: 5})
    services.cast_ballot(budget, user=voter, points={c.pk: 3})
    assert Ballot.objects.filter(user=voter).count() == 1
    assert dict(BallotEntry.objects.values_list("proposal_id", "points")) == {c.pk: 3}


def test_points_limits(budget):
    a, b, c = proposals(budget, 3)
    voter = person(1)
    with pytest.raises(ValidationError, match="erlaubt sind 10"):
        services.cast_ballot(budget, user=voter, points={a.pk: 5, b.pk: 5, c.pk: 1})
    with pytest.raises(ValidationError, match="Höchstens 5"):
        services.cast_ballot(budget, user=voter, points={a.pk: 6})
    with pytest.raises(ValidationError, match="negativ"):
        services.cast_ballot(budget, user=voter, points={a.pk: -1, b.pk: 5})
    not_feasible = Proposal.objects.create(
        round=budget,
        number=99,
        title="x",
        description="x",
        category="Umwelt",
        district="Mitte",
        status="not_feasible",
    )
    with pytest.raises(ValidationError, match="unbekannter"):
        services.cast_ballot(budget, user=voter, points={not_feasible.pk: 1})
    assert not Ballot.objects.exists()


def test_voting_closed_after_end(budget):
    (a,) = proposals(budget, 1)
    budget.voting_ends_at = timezone.now() - timedelta(minutes=1)
    budget.save()
    with pytest.raises(ValidationError, match="nicht geöffnet"):
        services.cast_ballot(budget, user=person(1), points={a.pk: 1})


def test_ranking_and_tie_rule(budget):
    a, b, c, d = proposals(budget, 4)
    # a: 6 points from 2 voters; b: 6 points from 3 voters -> b before a (more voters)
    # c: 6 points from 3 voters too, but submitted after b -> b before c
    services.cast_ballot(budget, user=person(1), points={a.pk: 3, b.pk: 2, c.pk: 2})
    services.cast_ballot(budget, user=person(2), points={a.pk: 3, b.pk: 2, c.pk: 2})
    services.cast_ballot(budget, user=person(3), points={b.pk: 2, c.pk: 2, d.pk: 5})
    ranked = [(r.proposal.pk, r.points, r.voters) for r in services.results(budget)]
    assert ranked == [(b.pk, 6, 3), (c.pk, 6, 3), (a.pk, 6, 2), (d.pk, 5, 1)]
    order = [r.proposal.pk for r in services.results(budget)]
    assert order == [b.pk, c.pk, a.pk, d.pk]
    top = services.top_list(budget)
    assert [r.proposal.pk for r in top] == [b.pk, c.pk]  # top_n = 2
    assert [r.rank for r in top] == [1, 2]
    services.set_phase(budget, phase="results", actor=None)
    statuses = dict(Proposal.objects.values_list("pk", "status"))
    assert statuses[b.pk] == statuses[c.pk] == "selected"
    assert statuses[a.pk] == statuses[d.pk] == "not_selected"


def test_vote_page_flow_and_login(client_a, budget, citizen):
    a, b = proposals(budget, 2)
    url = f"/beteiligung/buergerhaushalt/{budget.slug}/abstimmen/"
    assert client_a.get(url).status_code == 302
    client_a.force_login(citizen)
    assert "Stimme speichern" in client_a.get(url).content.decode()
    response = client_a.post(url, {f"p{a.pk}": "5", f"p{b.pk}": "6"})
    assert "Höchstens 5 Punkte" in response.content.decode()
    response = client_a.post(url, {f"p{a.pk}": "5", f"p{b.pk}": "4"})
    assert response.status_code == 302
    assert Ballot.objects.get(user=citizen).entries.count() == 2


def test_staff_actions_need_moderator(client_a, budget, citizen, town_a):
    url = f"/beteiligung/verwaltung/buergerhaushalt/{budget.slug}/"
    client_a.force_login(citizen)
    assert client_a.get(url).status_code == 403
    client_a.force_login(make_staff(town_a, "m@a.test", Role.MODERATOR))
    assert client_a.get(url).status_code == 200
    client_a.post(url + "phase/", {"phase": "review"})
    budget.refresh_from_db()
    assert budget.phase == "review"


def test_other_municipality_cannot_see_round(budget, town_b):
    from django.test import Client

    assert Client(HTTP_HOST="b.test").get("/beteiligung/buergerhaushalt/2025/").status_code == 404


def test_propose_and_support_on_the_web(client_a, budget, citizen):
    url = f"/beteiligung/buergerhaushalt/{budget.slug}/vorschlagen/"
    assert client_a.get(url).status_code == 302  # login first
    client_a.force_login(citizen)
    response = client_a.post(
        url, {"title": "", "description": "", "category": "Kultur", "district": "Mitte"}
    )
    assert response.status_code == 200 and "Bitte korrigieren" in response.content.decode()
    response = client_a.post(
        url,
        {
            "title": "Mehr Bänke",
            "description": "Am Ufer",
            "category": "Umwelt",
            "district": "Mitte",
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.author == citizen and proposal.number == 1
    support = f"/beteiligung/buergerhaushalt/{budget.slug}/1/unterstuetzen/"
    client_a.post(support)
    client_a.post(support)
    assert proposal.supports.count() == 1
    page = client_a.get(f"/beteiligung/buergerhaushalt/{budget.slug}/1/").content.decode()
    assert "Sie unterstützen diesen Vorschlag." in page


def test_phases_only_move_forward(budget):
    services.set_phase(budget, phase="review", actor=None)
    services.set_phase(budget, phase="proposals", actor=None)  # reopening proposals is fine
    services.set_phase(budget, phase="voting", actor=None)
    with pytest.raises(ValidationError, match="nicht mehr"):
        services.set_phase(budget, phase="review", actor=None)
    services.set_phase(budget, phase="implementation", actor=None)  # selection is marked too
    with pytest.raises(ValidationError):
        services.set_phase(budget, phase="voting", actor=None)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["kategorie", "stadtteil"])
def test_budget_round_filters_parsed(client_a, budget, field):
    assert (
        client_a.get(
            f"/beteiligung/buergerhaushalt/{budget.slug}/", {field: "x" * 10_000}
        ).status_code
        == 400
    )
    assert (
        client_a.get(f"/beteiligung/buergerhaushalt/{budget.slug}/", {field: "a\tb"}).status_code
        == 400
    )
    assert (
        client_a.get(f"/beteiligung/buergerhaushalt/{budget.slug}/", {field: "🌳"}).status_code
        == 200
    )
