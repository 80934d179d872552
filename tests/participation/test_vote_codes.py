"""Voting with a one-time code (issue 18): letter codes from staff, codes by e-mail,
one ballot per code, the account path unchanged."""

import csv
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from rathaus.core.models import AuditEntry
from rathaus.participation.budget import services, vote_codes
from rathaus.participation.budget.models import Ballot, BudgetRound, VoteCode

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting(town_a):
    budget_round = BudgetRound.objects.create(
        municipality=town_a, slug="2027", title="Bürgerhaushalt 2027", phase="proposals"
    )
    made = [
        services.submit_proposal(
            budget_round, author=None, title=t, description=t, category="", district="Mitte"
        )
        for t in ("Bänke", "Bäume")
    ]
    services.set_phase(budget_round, phase="review", actor=None)
    for p in made:
        services.review(p, actor=None, feasible=True, note="geht", cost=Decimal(100))
    services.set_phase(budget_round, phase="voting", actor=None)
    budget_round.made = made
    return budget_round


def test_one_ballot_per_letter_code(voting):
    code = vote_codes.generate_letter_codes(voting, count=3, actor=None)[0]
    stored = VoteCode.objects.filter(round=voting)
    assert stored.count() == 3 and not stored.filter(code_hash__icontains=code).exists()
    points = {voting.made[0].pk: 5, voting.made[1].pk: 3}
    vote_codes.cast_ballot_with_code(voting, code=code.lower().replace("-", " "), points=points)
    with pytest.raises(ValidationError) as second:
        vote_codes.cast_ballot_with_code(voting, code=code, points=points)
    assert "bereits abgestimmt" in str(second.value)
    with pytest.raises(ValidationError, match="gibt es nicht"):
        vote_codes.cast_ballot_with_code(voting, code="AAAA-BBBB-CCCC", points=points)
    assert Ballot.objects.count() == 1
    services.set_phase(voting, phase="results", actor=None)
    assert services.results(voting)[0].points == 5  # code ballots count like any other


def test_code_ballot_follows_the_rounds_rules(voting):
    code = vote_codes.generate_letter_codes(voting, count=1, actor=None)[0]
    with pytest.raises(ValidationError, match="Höchstens"):
        vote_codes.cast_ballot_with_code(voting, code=code, points={voting.made[0].pk: 9})
    with pytest.raises(ValidationError, match="mindestens einen Punkt"):
        vote_codes.cast_ballot_with_code(voting, code=code, points={})
    # A refused ballot does not use the code up.
    vote_codes.cast_ballot_with_code(voting, code=code, points={voting.made[0].pk: 1})


def test_a_code_belongs_to_its_round(voting, town_a):
    other = BudgetRound.objects.create(
        municipality=town_a, slug="x", title="Andere Runde", phase="voting"
    )
    code = vote_codes.generate_letter_codes(other, count=1, actor=None)[0]
    with pytest.raises(ValidationError, match="gibt es nicht"):
        vote_codes.cast_ballot_with_code(voting, code=code, points={voting.made[0].pk: 1})


def test_a_ballot_has_an_account_or_a_code_never_neither(voting):
    with pytest.raises(IntegrityError), transaction.atomic():
        Ballot.objects.create(round=voting)


def test_code_by_email_once_per_address(client_a, voting):
    url = f"/beteiligung/buergerhaushalt/{voting.slug}/code/anfordern/"
    assert client_a.post(url, {"email": "kaputt"}).status_code == 200
    client_a.post(url, {"email": "Anna@Example.org"})
    again = client_a.post(url, {"email": "anna@example.org "})
    assert "Bitte prüfen Sie Ihr Postfach" in again.content.decode()  # same answer
    assert len(mail.outbox) == 1 and VoteCode.objects.get().channel == "email"
    code = mail.outbox[0].body.split("lautet:")[1].split()[0]
    assert "anna@example.org" not in str(list(VoteCode.objects.values()))
    vote_url = f"/beteiligung/buergerhaushalt/{voting.slug}/code/"
    done = client_a.post(vote_url, {"code": code, f"p{voting.made[1].pk}": "4"})
    assert "Ihre Stimme ist gezählt" in done.content.decode()
    reused = client_a.post(vote_url, {"code": code, f"p{voting.made[1].pk}": "4"})
    assert reused.status_code == 400 and "bereits abgestimmt" in reused.content.decode()
    assert AuditEntry.objects.filter(action="participation.budget.ballot_cast").count() == 1


def test_vote_page_form_errors_and_rule_explained(client_a, voting):
    round_page = client_a.get(f"/beteiligung/buergerhaushalt/{voting.slug}/").content.decode()
    assert "eine Stimme je Person" in round_page and "Code per E-Mail anfordern" in round_page
    url = f"/beteiligung/buergerhaushalt/{voting.slug}/code/"
    bad = client_a.post(url, {"code": "", f"p{voting.made[0].pk}": "x"})
    body = bad.content.decode()
    assert bad.status_code == 400
    assert "Geben Sie Ihren Abstimmungscode ein." in body and "ganze Zahl" in body


def test_staff_prints_letter_codes_as_csv(client_a, voting, moderator_a):
    url = f"/beteiligung/verwaltung/buergerhaushalt/{voting.slug}/codes/"
    assert client_a.post(url, {"count": "5"}).status_code in (302, 403)  # not logged in
    client_a.force_login(moderator_a)
    assert "Höchstens 50.000" in client_a.post(url, {"count": "999999"}).content.decode()
    response = client_a.post(url, {"count": "5"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["abstimmungscode"] and len(rows) == 6
    assert response["Cache-Control"] == "no-store"
    vote_codes.cast_ballot_with_code(voting, code=rows[3][0], points={voting.made[0].pk: 2})


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_ballots_with_one_code_count_once(voting):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    code = vote_codes.generate_letter_codes(voting, count=1, actor=None)[0]

    def cast(_):
        try:
            vote_codes.cast_ballot_with_code(voting, code=code, points={voting.made[0].pk: 1})
            return True
        except ValidationError:
            return False
        finally:
            connection.close()

    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(cast, range(4)))
    assert outcomes.count(True) == 1 and Ballot.objects.count() == 1
