"""The secret ballot of the Bürgerhaushalt (ADR 0170).

While the vote is open a ballot's points are linked to the voter, so the person can
change them. When the vote ends the points are *sealed*: copied in random order into
entries that name only the round, and the linked entries are deleted. What stays of
the voter is the ballot row: "has voted" (one ballot per person), deleted a year
after the vote. Results count the same entries before and after sealing.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rathaus.core import audit

from .models import Ballot, BallotEntry, BudgetRound

Phase = BudgetRound.Phase
#: "Has voted" is kept this long after the vote (challenges of the result).
VOTER_LIST_DAYS = 365


def seal(budget_round: BudgetRound, now: datetime | None = None) -> int:
    """Cut the points of ``budget_round`` from its voters; returns how many entries."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = BudgetRound.objects.select_for_update().get(pk=budget_round.pk)
        if locked.ballots_sealed_at:
            return 0
        linked = BallotEntry.objects.filter(ballot__round=locked)
        points = list(linked.values_list("proposal_id", "points"))
        linked.delete()
        random.SystemRandom().shuffle(points)  # new ids in random order: no trace of who
        BallotEntry.objects.bulk_create(
            [BallotEntry(round=locked, proposal_id=p, points=n) for p, n in points]
        )
        locked.ballots_sealed_at = now
        locked.save(update_fields=["ballots_sealed_at"])
        audit.record("participation.budget.ballots_sealed", locked, data={"entries": len(points)})
    budget_round.ballots_sealed_at = now
    return len(points)


def vote_over(budget_round: BudgetRound, now: datetime) -> bool:
    if budget_round.phase in (Phase.RESULTS, Phase.IMPLEMENTATION):
        return True
    ends = budget_round.voting_ends_at
    return budget_round.phase == Phase.VOTING and ends is not None and ends <= now


def seal_and_prune(now: datetime) -> dict:
    """Retention job: seal every round whose vote is over; drop "has voted" a year later."""
    due = BudgetRound.objects.filter(ballots_sealed_at__isnull=True).filter(
        Q(phase__in=[Phase.RESULTS, Phase.IMPLEMENTATION])
        | Q(phase=Phase.VOTING, voting_ends_at__lte=now)
    )
    sealed = sum(seal(r, now) for r in due if vote_over(r, now))
    old = Ballot.objects.filter(round__ballots_sealed_at__lt=now - timedelta(days=VOTER_LIST_DAYS))
    voters_deleted, _ = old.delete()
    return {"sealed_entries": sealed, "voters_deleted": voters_deleted}
