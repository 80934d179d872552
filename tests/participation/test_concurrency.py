"""Races that only PostgreSQL can settle with row locks (skipped on SQLite locally)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from rathaus.core.models import User
from rathaus.participation.budget import services as budget
from rathaus.participation.budget.models import Ballot, BallotEntry, BudgetRound
from rathaus.participation.dialogues import services as dialogues
from rathaus.participation.dialogues.models import DialogueEvent, Registration

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_parallel(functions):
    errors = []
    barrier = threading.Barrier(len(functions))

    def wrap(fn):
        try:
            barrier.wait()
            fn()
        except Exception as exc:  # collected and asserted by the caller
            errors.append(exc)
        finally:
            connection.close()  # each thread opened its own connection

    threads = [threading.Thread(target=wrap, args=(fn,)) for fn in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_parallel_ballots_of_one_person_leave_one_ballot(town_a):
    budget_round = BudgetRound.objects.create(
        municipality=town_a, slug="r", title="R", phase="proposals"
    )
    made = [
        budget.submit_proposal(
            budget_round, author=None, title=f"P{i}", description="x", category="", district=""
        )
        for i in range(4)
    ]
    budget.set_phase(budget_round, phase="review", actor=None)
    for p in made:
        budget.review(p, actor=None, feasible=True, note="ok", cost=1)
    budget.set_phase(budget_round, phase="voting", actor=None)
    voter = User.objects.create_user("v@example.org", "x")
    calls = [
        (lambda p=p: budget.cast_ballot(budget_round, user=voter, points={p.pk: 5}))
        for p in made
        for _ in range(2)
    ]
    assert run_parallel(calls) == []
    assert Ballot.objects.filter(user=voter).count() == 1
    assert BallotEntry.objects.count() == 1  # the last saved distribution only


def test_parallel_confirmations_never_overbook(town_a):
    start = timezone.now() + timedelta(days=2)
    event = DialogueEvent.objects.create(
        municipality=town_a,
        kind="walk",
        slug="w",
        title="W",
        venue="V",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=3,
    )
    regs = [dialogues.register(event, name=f"P{i}", email=f"p{i}@example.org") for i in range(10)]
    assert run_parallel([(lambda r=r: dialogues.confirm(r)) for r in regs]) == []
    assert Registration.objects.filter(status="confirmed").count() == 3
    assert Registration.objects.filter(status="waitlisted").count() == 7


def test_parallel_clicks_on_council_handover_create_one_paper(town_a):
    from rathaus.council.models import File, Paper

    budget_round = BudgetRound.objects.create(
        municipality=town_a, slug="r", title="R", phase="proposals", top_n=3
    )
    proposal = budget.submit_proposal(
        budget_round, author=None, title="P", description="x", category="", district=""
    )
    budget.set_phase(budget_round, phase="review", actor=None)
    budget.review(proposal, actor=None, feasible=True, note="ok", cost=1)
    budget.set_phase(budget_round, phase="voting", actor=None)
    voter = User.objects.create_user("v@example.org", "x")
    budget.cast_ballot(budget_round, user=voter, points={proposal.pk: 3})
    budget.set_phase(budget_round, phase="results", actor=None)
    calls = [lambda: budget.create_council_paper(budget_round, actor=None) for _ in range(4)]
    assert run_parallel(calls) == []
    assert Paper.objects.count() == 1 and File.objects.count() == 1
    budget_round.refresh_from_db()
    assert budget_round.council_paper == Paper.objects.get()


def test_parallel_submits_of_one_tree_grant_record_one(town_a):
    from decimal import Decimal

    from rathaus.participation.trees import services as trees
    from rathaus.participation.trees.models import Tree, TreeGrant

    tree = Tree.objects.create(
        municipality=town_a, external_id="A-1", latitude=Decimal("52.4"), longitude=Decimal("13")
    )
    citizen = User.objects.create_user("pate@example.org", "geheim-123!")
    staff = User.objects.create_user("mod@example.org", "geheim-123!")
    results = []

    def issue():
        results.append(
            trees.issue_grant(
                tree,
                user=citizen,
                kind="sponsorship",
                valid_until=timezone.localdate() + timedelta(days=30),
                actor=staff,
                plaque_text="Pate",
            )[1]
        )

    assert run_parallel([issue] * 4) == []
    assert TreeGrant.objects.count() == 1
    assert sorted(results) == [False, False, False, True]


def test_parallel_clicks_on_the_year_plan_create_one_draft(town_a):
    from rathaus.council.models import File, Paper
    from rathaus.participation.dialogues.models import YearPlanPaper
    from rathaus.participation.dialogues.services_council import create_year_plan_paper

    calls = [lambda: create_year_plan_paper(town_a, 2022, actor=None) for _ in range(4)]
    assert run_parallel(calls) == []
    assert Paper.objects.count() == 1 and File.objects.count() == 1
    assert YearPlanPaper.objects.get().paper == Paper.objects.get()


def test_parallel_digest_runs_send_one_mail(town_a):
    from django.core import mail

    from rathaus.participation.neighbourhood import services as neighbourhood
    from rathaus.participation.reports.geocoding import import_addresses
    from rathaus.participation.trees.models import Tree

    import_addresses(
        town_a,
        "street,house_number,latitude,longitude\nLindenallee,1,52.400000,13.060000\n",
    )
    subscription = neighbourhood.subscribe(
        town_a, email="a@example.org", way="street", street="Lindenallee"
    )
    neighbourhood.confirm(subscription)
    Tree.objects.create(
        municipality=town_a,
        external_id="L-1",
        planting_year=timezone.localdate().year - 7,
        latitude="52.400000",
        longitude="13.060000",
        street="Lindenallee",
    )
    mail.outbox.clear()
    later = timezone.now() + timedelta(days=8)
    assert run_parallel([lambda: neighbourhood.send_due(later) for _ in range(4)]) == []
    assert len(mail.outbox) == 1 and "L-1" in mail.outbox[0].body
