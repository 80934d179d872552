"""Bürgerhaushalt → Ratsinformationssystem: the TOP-N list becomes a council Drucksache."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from rathaus.core.models import AuditEntry, Role, User
from rathaus.council import services as council
from rathaus.council.models import File, Paper
from rathaus.participation.budget import services
from rathaus.participation.budget.models import BudgetRound
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(town_a):
    """A round after the vote: three proposals, two with points, TOP 2."""
    budget_round = BudgetRound.objects.create(
        municipality=town_a,
        slug="2025",
        title="Bürgerhaushalt 2025/26",
        phase=BudgetRound.Phase.PROPOSALS,
        top_n=2,
    )
    made = [
        services.submit_proposal(
            budget_round,
            author=None,
            title=f"Idee {n} <b>fett</b>",
            description=f"Beschreibung {n}",
            category="",
            district="Mitte",
        )
        for n in (1, 2, 3)
    ]
    services.set_phase(budget_round, phase="review", actor=None)
    for n, proposal in enumerate(made, start=1):
        services.review(proposal, actor=None, feasible=True, note="geht", cost=Decimal(n * 1000))
    services.set_phase(budget_round, phase="voting", actor=None)
    voter = User.objects.create_user("v@example.org", "geheim-123!")
    services.cast_ballot(budget_round, user=voter, points={made[1].pk: 5, made[0].pk: 3})
    services.set_phase(budget_round, phase="results", actor=None)
    return budget_round


def test_one_click_creates_a_public_council_paper_with_pdf(finished, town_a):
    paper = services.create_council_paper(finished, actor=None)
    finished.refresh_from_db()
    assert finished.council_paper == paper
    assert paper.municipality == town_a and paper.public
    assert paper.paper_type == Paper.Type.DRAFT_RESOLUTION
    assert "TOP 2 – Liste der Bürgerinnen und Bürger" in paper.name
    assert paper.reference.endswith("/SVV/0001")  # the council's numbering scheme
    # The ranked table as text: place 1 is Idee 2 (5 points), place 2 Idee 1 (3 points).
    assert "1. Idee 2 <b>fett</b> (Vorschlag Nr. 2, Mitte) – 5 Punkte" in paper.text
    assert "2. Idee 1 <b>fett</b> (Vorschlag Nr. 1, Mitte) – 3 Punkte" in paper.text
    assert "Idee 3" not in paper.text
    assert "Punktgleichheit" in paper.reasoning
    assert "3.000 Euro" in paper.financial_impact
    document = paper.files.get()
    assert document.role == File.Role.MAIN and document.public
    assert document.mime_type == "application/pdf"
    with document.content.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert AuditEntry.objects.filter(action="council.paper_created").count() == 1
    assert AuditEntry.objects.filter(action="participation.budget.council_paper").count() == 1


def test_second_click_returns_the_same_paper(finished):
    first = services.create_council_paper(finished, actor=None)
    second = services.create_council_paper(finished, actor=None)
    assert first.pk == second.pk
    assert Paper.objects.count() == 1 and File.objects.count() == 1


def test_deleted_paper_can_be_handed_over_again(finished):
    first = services.create_council_paper(finished, actor=None)
    council.soft_delete(first)
    second = services.create_council_paper(finished, actor=None)
    assert second.pk != first.pk
    assert second.reference != first.reference


def test_not_before_the_vote_has_ended(town_a):
    budget_round = BudgetRound.objects.create(
        municipality=town_a, slug="x", title="X", phase=BudgetRound.Phase.VOTING
    )
    with pytest.raises(ValidationError, match="nach dem Ende der Abstimmung"):
        services.create_council_paper(budget_round, actor=None)
    assert not Paper.objects.exists()


def test_empty_list_is_refused(town_a):
    budget_round = BudgetRound.objects.create(
        municipality=town_a, slug="x", title="X", phase=BudgetRound.Phase.RESULTS
    )
    with pytest.raises(ValidationError, match="Liste ist leer"):
        services.create_council_paper(budget_round, actor=None)
    assert not Paper.objects.exists()


def test_staff_action_is_idempotent_and_links_everywhere(client_a, finished, town_a):
    staff_url = f"/beteiligung/verwaltung/buergerhaushalt/{finished.slug}/"
    client_a.force_login(make_staff(town_a, "m@a.test", Role.MODERATOR))
    response = client_a.post(staff_url + "paper/", follow=True)
    paper = Paper.objects.get()
    assert (
        f"als Drucksache {paper.reference} an das Ratsbüro übergeben" in response.content.decode()
    )
    response = client_a.post(staff_url + "paper/", follow=True)
    assert "bereits als Drucksache" in response.content.decode()
    assert Paper.objects.count() == 1
    staff_page = client_a.get(staff_url).content.decode()
    assert f'href="/rat/vorlagen/{paper.pk}/"' in staff_page
    assert "übergeben</span></button>" not in staff_page  # the button is gone

    anonymous = Client(HTTP_HOST="a.test")
    result = anonymous.get(f"/beteiligung/buergerhaushalt/{finished.slug}/ergebnis/")
    assert f'href="/rat/vorlagen/{paper.pk}/"' in result.content.decode()
    public_paper = anonymous.get(f"/rat/vorlagen/{paper.pk}/").content.decode()
    assert paper.reference in public_paper and "Idee 2 &lt;b&gt;fett&lt;/b&gt;" in public_paper
    download = anonymous.get(f"/rat/dateien/{paper.files.get().pk}/download/")
    assert download.status_code in (200, 302)


def test_result_page_hides_link_when_council_made_paper_non_public(client_a, finished):
    paper = services.create_council_paper(finished, actor=None)
    council.update_paper(paper, public=False)
    page = client_a.get(f"/beteiligung/buergerhaushalt/{finished.slug}/ergebnis/").content.decode()
    assert "/rat/vorlagen/" not in page


def test_staff_action_needs_moderator(client_a, finished, citizen):
    client_a.force_login(citizen)
    url = f"/beteiligung/verwaltung/buergerhaushalt/{finished.slug}/paper/"
    assert client_a.post(url).status_code == 403
    assert not Paper.objects.exists()


def test_other_municipality_cannot_hand_over(finished, town_b):
    moderator_b = make_staff(town_b, "m@b.test", Role.MODERATOR)
    client = Client(HTTP_HOST="b.test")
    client.force_login(moderator_b)
    url = f"/beteiligung/verwaltung/buergerhaushalt/{finished.slug}/paper/"
    assert client.post(url).status_code == 404
    assert not Paper.objects.exists()


def test_paper_stays_in_its_municipality(finished, town_b):
    paper = services.create_council_paper(finished, actor=None)
    assert Client(HTTP_HOST="b.test").get(f"/rat/vorlagen/{paper.pk}/").status_code == 404
    assert not Paper.objects.for_municipality(town_b).exists()
