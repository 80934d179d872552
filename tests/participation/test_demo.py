"""The participation demo wired to the council and the Terminvergabe (loaded twice)."""

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from rathaus.appointments.models import Booking, BookingStatus
from rathaus.core import demo as core_demo
from rathaus.council.models import Paper
from rathaus.participation import demo
from rathaus.participation.budget.models import BudgetRound
from rathaus.participation.dialogues import slots
from rathaus.participation.dialogues.models import DialogueEvent

pytestmark = pytest.mark.django_db

BEFORE_PARTICIPATION = [
    "rathaus.catalog.demo.load",
    "rathaus.appointments.demo.load",
    "rathaus.council.demo.load",
]


def test_demo_hands_the_list_to_the_council_and_books_consultation_slots(client):
    town = core_demo.load()
    for dotted in BEFORE_PARTICIPATION:
        assert dotted in settings.RATHAUS_DEMO_LOADERS
        import_string(dotted)(town)
    demo.load(town)
    papers, bookings = Paper.objects.count(), Booking.objects.count()
    demo.load(town)  # idempotent: no second paper, no second configuration or booking
    assert (Paper.objects.count(), Booking.objects.count()) == (papers, bookings)

    finished = BudgetRound.objects.get(municipality=town, slug="2024-25")
    paper = finished.council_paper
    assert paper.public and "TOP 20" in paper.name
    assert paper.consultations.get().organization.kind == "council"
    result = client.get(
        "/beteiligung/buergerhaushalt/2024-25/ergebnis/", HTTP_HOST="localhost"
    ).content.decode()
    assert f'href="/rat/vorlagen/{paper.pk}/"' in result
    check_the_story_is_consistent(client, finished)

    hour = DialogueEvent.objects.get(municipality=town, kind="consultation")
    assert slots.uses_slots(hour) and hour.slot_minutes == 15
    booked = Booking.objects.filter(offer=hour.appointment_offer)
    assert booked.count() == 2 and {b.status for b in booked} == {BookingStatus.CONFIRMED}
    # The year plan counts the two booked persons from the Terminvergabe (ADR 0058).
    from rathaus.participation.dialogues import yearplan

    plan = yearplan.year_context(town, timezone.localdate(hour.starts_at).year)
    assert {f.event.pk: f.participants for f in plan["figures"]}[hour.pk] == 2
    page = client.get(f"/beteiligung/dialoge/{hour.slug}/", HTTP_HOST="localhost")
    assert "freie Termine zu je 15 Minuten" in page.content.decode()
    walk = DialogueEvent.objects.get(municipality=town, kind="walk")
    assert not slots.uses_slots(walk)


def check_the_story_is_consistent(client, finished):
    """Issue 18: no proposal says "decided" before its paper exists or before its vote;
    each step of every proposal's way comes after the one before."""
    from rathaus.council.models import ResolutionTask
    from rathaus.participation.budget.way import proposal_way

    anonymous = type("Anonymous", (), {"is_authenticated": False})()
    for proposal in finished.proposals.filter(status__in=["accepted", "implementing", "done"]):
        steps = proposal_way(proposal, anonymous)
        days = [s.day for s in steps if s.day]
        assert days == sorted(days), (proposal.number, [(s.title, s.day) for s in steps])
        decision = next(s for s in steps if str(s.title) == "Beschluss")
        assert decision.done and decision.day < __import__("datetime").date.today()
    own = finished.proposals.exclude(council_paper=None).get()
    assert ResolutionTask.objects.filter(paper=own.council_paper, automatic=True).exists()
    page = client.get(
        f"/beteiligung/buergerhaushalt/2024-25/{own.number}/", HTTP_HOST="localhost"
    ).content.decode()
    assert own.council_paper.reference in page and "Der Weg des Vorschlags" in page
