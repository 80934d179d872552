"""The secret ballot (ADR 0170): at the end of the vote the points are cut from the
voters, the result stays the same, "has voted" goes a year later."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rathaus.core.retention import rules
from rathaus.participation.budget import secrecy, services
from rathaus.participation.budget.models import Ballot, BallotEntry, BudgetRound

from .test_budget import budget, person, proposals  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _results(round_):
    return [(r.proposal.pk, r.points, r.voters) for r in services.results(round_)]


def test_closing_the_vote_seals_the_points_and_keeps_the_result(budget):  # noqa: F811
    a, b = proposals(budget, 2)
    voter = person(1)
    services.cast_ballot(budget, user=voter, points={a.pk: 3, b.pk: 2})
    services.cast_ballot(budget, user=person(2), points={b.pk: 5})
    before = _results(budget)
    services.set_phase(budget, phase="results", actor=None)
    budget.refresh_from_db()
    assert budget.ballots_sealed_at
    assert _results(budget) == before
    assert not BallotEntry.objects.filter(ballot__isnull=False).exists()
    assert BallotEntry.objects.filter(round=budget).count() == 3
    assert Ballot.objects.filter(user=voter).exists()  # "has voted" stays for now
    # Deleting a voter's account no longer changes the result.
    voter.delete()
    assert _results(budget) == before


def test_a_sealed_round_takes_no_more_ballots(budget):  # noqa: F811
    a, _ = proposals(budget, 2)
    secrecy.seal(budget)
    budget.refresh_from_db()
    with pytest.raises(ValidationError):
        services.cast_ballot(budget, user=person(1), points={a.pk: 1})


def test_retention_row_seals_after_the_end_and_drops_voters_a_year_later(budget):  # noqa: F811
    a, _ = proposals(budget, 2)
    budget.voting_ends_at = timezone.now() + timedelta(days=1)
    budget.save()
    services.cast_ballot(budget, user=person(1), points={a.pk: 4})
    job = next(rule for rule in rules() if rule.key == "participation.budget_ballots")
    now = timezone.now()
    assert job.run(now) == {"sealed_entries": 0, "voters_deleted": 0}  # vote still open
    assert job.run(now + timedelta(days=2)) == {"sealed_entries": 1, "voters_deleted": 0}
    assert BallotEntry.objects.get().ballot is None
    assert Ballot.objects.exists()
    assert job.run(now + timedelta(days=368))["voters_deleted"] == 1
    assert not Ballot.objects.exists()
    assert _results(BudgetRound.objects.get(pk=budget.pk))[0][1] == 4
