"""Participation benchmarks: Open311 GET, tree water needs, ballot casting.

Run (SQLite):      RATHAUS_TESTING=1 .venv/bin/python benchmarks/participation.py
Run (PostgreSQL):  DATABASE_URL=postgres://postgres@127.0.0.1:5432/rathaus_participation_bench \
                   RATHAUS_TESTING=1 .venv/bin/python benchmarks/participation.py
It creates a throw-away test database (Django's test runner machinery) and prints timings.
"""

import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

REPORTS, TREES, VOTERS = 1000, 5000, 500


def timed(label, fn, repeat=5):
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(f"{label}: best of {repeat}: {best * 1000:.1f} ms")
    return best


def main():
    from rathaus.core.models import Municipality, MunicipalityHost, Office, User
    from rathaus.participation.budget import services as budget
    from rathaus.participation.budget.models import BudgetRound
    from rathaus.participation.reports.models import Report, ReportCategory
    from rathaus.participation.trees.models import Rainfall, Tree, Watering

    settings.ALLOWED_HOSTS = ["*"]
    town = Municipality.objects.create(
        slug="bench", name="Bench", ags="12099999", ars="120999990000", land="BB"
    )
    MunicipalityHost.objects.create(municipality=town, host="bench.test")
    office = Office.objects.create(municipality=town, slug="o", name="Amt")
    category = ReportCategory.objects.create(
        municipality=town, code="loch", name="Loch", office=office
    )
    rng = random.Random(1)
    Report.objects.bulk_create(
        [
            Report(
                municipality=town,
                category=category,
                office=office,
                description=f"Loch {i}",
                latitude=Decimal("52.4") + Decimal(rng.randint(0, 9999)) / 100000,
                longitude=Decimal("13.06") + Decimal(rng.randint(0, 9999)) / 100000,
                moderation="published",
                token=f"t{i}",
            )
            for i in range(REPORTS)
        ]
    )
    client = Client(HTTP_HOST="bench.test")
    timed(
        f"Open311 GET requests.json ({REPORTS} reports)",
        lambda: client.get("/beteiligung/open311/v2/requests.json"),
    )
    timed(
        f"Open311 GET requests.xml ({REPORTS} reports)",
        lambda: client.get("/beteiligung/open311/v2/requests.xml"),
    )

    today = timezone.localdate()
    Tree.objects.bulk_create(
        [
            Tree(
                municipality=town,
                external_id=str(i),
                planting_year=rng.choice([None, 2019, 1980]),
                latitude=52.4,
                longitude=13.06,
                street=f"Straße {i % 100}",
                district=f"Bezirk {i % 8}",
            )
            for i in range(TREES)
        ]
    )
    trees = list(Tree.objects.filter(municipality=town))
    Watering.objects.bulk_create(
        [Watering(tree=rng.choice(trees), litres=50, date=today, name="x") for _ in range(TREES)]
    )
    Rainfall.objects.create(municipality=town, date=today, mm=5)
    timed(
        f"tree totals page ({TREES} trees, {TREES} waterings)",
        lambda: client.get("/beteiligung/baeume/summen/"),
        repeat=3,
    )

    budget_round = BudgetRound.objects.create(
        municipality=town, slug="b", title="B", phase="proposals"
    )
    proposals = [
        budget.submit_proposal(
            budget_round, author=None, title=f"P{i}", description="x", category="", district=""
        )
        for i in range(30)
    ]
    budget.set_phase(budget_round, phase="review", actor=None)
    for p in proposals:
        budget.review(p, actor=None, feasible=True, note="ok", cost=1)
    budget.set_phase(budget_round, phase="voting", actor=None)
    users = User.objects.bulk_create(
        [User(email=f"v{i}@x.test", password="!") for i in range(VOTERS)]
    )
    start = time.perf_counter()
    for user in users:
        picks = rng.sample(proposals, 3)
        budget.cast_ballot(
            budget_round, user=user, points={picks[0].pk: 5, picks[1].pk: 3, picks[2].pk: 2}
        )
    elapsed = time.perf_counter() - start
    print(
        f"cast_ballot: {VOTERS} ballots in {elapsed:.2f} s = "
        f"{VOTERS / elapsed:.0f} ballots/s (sequential)"
    )
    timed(f"results ranking ({VOTERS} ballots)", lambda: budget.results(budget_round))


if __name__ == "__main__":
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        print(f"database: {connection.vendor}")
        main()
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
