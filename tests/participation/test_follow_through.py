"""End to end (issue 18): a budget proposal through the vote, the TOP list, the council
paper and the resolution to the automatic task and its public tracking; a single
proposal as its own council paper; the proposal's way on its page."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from rathaus.core.models import Office, User
from rathaus.council import services as council
from rathaus.council.models import Organization, ResolutionTask
from rathaus.participation.budget import services
from rathaus.participation.budget.models import BudgetRound
from rathaus.participation.budget.services_council import create_proposal_paper

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def voted(town_a):
    office = Office.objects.for_municipality(town_a).first()
    budget_round = BudgetRound.objects.create(
        municipality=town_a,
        slug="2025",
        title="Bürgerhaushalt 2025/26",
        phase=BudgetRound.Phase.PROPOSALS,
        top_n=2,
        office=office,
    )
    made = [
        services.submit_proposal(
            budget_round,
            author=None,
            title=title,
            description=f"{title}: Wasser-Gutscheine und Paten-Plaketten.",
            category="Umwelt",
            district="Mitte",
        )
        for title in ("Gemeinsame Baumpflege", "Mehr Bänke", "Leihräder")
    ]
    services.set_phase(budget_round, phase="review", actor=None)
    for n, proposal in enumerate(made, start=1):
        services.review(proposal, actor=None, feasible=True, note="geht", cost=Decimal(n * 1000))
    services.set_phase(budget_round, phase="voting", actor=None)
    for n in range(3):
        voter = User.objects.create_user(f"v{n}@example.org", "geheim-123!")
        services.cast_ballot(budget_round, user=voter, points={made[0].pk: 5, made[1].pk: 2})
    services.set_phase(budget_round, phase="results", actor=None)
    budget_round.made = made
    return budget_round


def council_decides(town, paper, *, days_ago=10):
    assembly = Organization.objects.create(
        municipality=town,
        body=council.body_of(town),
        name=f"Stadtverordnetenversammlung {paper.pk}",
        kind=Organization.Kind.COUNCIL,
    )
    start = datetime.now(BERLIN) - timedelta(days=days_ago)
    meeting = council.create_meeting(assembly, name="SVV", start=start)
    consultation = council.add_consultation(paper, assembly, "Entscheidung", meeting=meeting)
    item = council.put_paper_on_agenda(consultation, meeting)
    council.publish_agenda(meeting)
    council.record_result(item, result="beschlossen", resolution_text="Umsetzen wie vorgeschlagen.")
    return item


def test_proposal_from_vote_to_tracked_resolution(client_a, voted, town_a):
    proposal = voted.made[0]
    url = f"/beteiligung/buergerhaushalt/{voted.slug}/{proposal.number}/"
    before = client_a.get(url).content.decode()
    assert "Platz 1 mit 15 Punkten von 3 Personen" in before and "noch nicht beraten" in before

    paper = services.create_council_paper(voted, actor=None)  # the TOP list
    assert paper.tracking_requested and paper.lead_office == voted.office
    item = council_decides(town_a, paper)
    task = ResolutionTask.objects.get(agenda_item=item)  # created by itself
    assert task.automatic and task.office == voted.office

    council.update_task(task, status="in_progress", report="Ausschreibung läuft")
    page = client_a.get(url).content.decode()
    assert paper.reference in page and "beschlossen" in page
    assert "Ausschreibung läuft" in page and f"/rat/beschluesse/?drucksache={paper.pk}" in page
    tracking = client_a.get(f"/rat/beschluesse/?drucksache={paper.pk}").content.decode()
    assert "Umsetzen wie vorgeschlagen." in tracking and "in Bearbeitung" in tracking


def test_single_proposal_becomes_its_own_council_item(client_a, voted, town_a):
    proposal = voted.made[0]
    paper = create_proposal_paper(proposal, actor=None)
    assert create_proposal_paper(proposal, actor=None) == paper  # idempotent
    assert paper.paper_type == "Antrag" and "Nummer 1: Gemeinsame Baumpflege" in paper.name
    assert "Platz 1" in paper.reasoning and paper.files.get().role == "main"
    council_decides(town_a, paper)
    assert ResolutionTask.objects.get(paper=paper).automatic
    with pytest.raises(ValidationError):  # not on the list: no paper of its own
        create_proposal_paper(voted.made[2], actor=None)


def test_a_depublished_paper_leaves_the_proposal_page(client_a, voted, town_a):
    paper = services.create_council_paper(voted, actor=None)
    council_decides(town_a, paper)
    council.update_paper(paper, public=False)
    page = client_a.get(f"/beteiligung/buergerhaushalt/{voted.slug}/1/").content.decode()
    assert paper.reference not in page and "Umsetzen wie vorgeschlagen." not in page


def test_staff_hands_a_single_proposal_over(client, voted, moderator_a):
    client.defaults["HTTP_HOST"] = "a.test"
    client.force_login(moderator_a)
    url = f"/beteiligung/verwaltung/buergerhaushalt/{voted.slug}/proposal_paper/1/"
    client.post(url)
    client.post(url)  # a second click changes nothing
    voted.made[0].refresh_from_db()
    assert voted.made[0].council_paper is not None
    assert ResolutionTask.objects.count() == 0  # nothing decided yet


def test_progress_from_a_stale_page_keeps_the_proposal_paper(voted):
    stale = voted.made[0]  # loaded before the paper was created
    paper = create_proposal_paper(stale, actor=None)
    services.update_progress(stale, actor=None, status="accepted", percent=0, note="Beschlossen")
    stale.refresh_from_db()
    assert stale.council_paper == paper
