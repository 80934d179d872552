"""Year plan and evaluation of Stadtteildialoge, -wanderungen and Bürgersprechstunden.

Everything is counted from the dialogue data themselves (issue 18, 22/SVV/1084):

- participants: confirmed registrations of an event (not the waiting list, not
  cancelled); for consultation hours held as slots of the Terminvergabe, the
  persons booked in the event's time (the appointments app's read function
  ``usage.persons_booked``: still to come, or marked arrived/done – ADR 0058),
- hints per topic: every hint received on the event's topics except those staff
  hid (status "hidden"),
- answers given: hints with a written answer of the administration,
- follow-ups: accepted hints that still wait for an answer.

Public figures use only events whose hints were published; participant numbers
are aggregates and carry no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from django.db.models import Count, Q
from django.utils import timezone

from rathaus.appointments import usage

from .models import DialogueEvent, Hint, Registration

PLAN_KINDS = (
    DialogueEvent.Kind.DIALOGUE,
    DialogueEvent.Kind.WALK,
    DialogueEvent.Kind.CONSULTATION,
)


@dataclass
class EventFigures:
    event: DialogueEvent
    participants: int = 0
    hints: int = 0
    answers: int = 0
    follow_ups: int = 0
    topics: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class KindFigures:
    kind: str
    label: str
    events: int = 0
    participants: int = 0
    hints: int = 0
    answers: int = 0
    follow_ups: int = 0


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(datetime(year, 1, 1).date(), time.min, tzinfo=tz)
    end = datetime.combine(datetime(year + 1, 1, 1).date(), time.min, tzinfo=tz)
    return start, end


def year_events(municipality, year: int):
    start, end = _year_bounds(year)
    return (
        DialogueEvent.objects.for_municipality(municipality)
        .filter(kind__in=PLAN_KINDS, starts_at__gte=start, starts_at__lt=end)
        .order_by("starts_at", "id")
    )


def evaluate_events(events, *, public: bool = False) -> list[EventFigures]:
    """Figures per event, four queries (five with slot-booked consultation hours) for
    any number of events."""
    events = list(events)
    ids = [e.pk for e in events]
    counted = ~Q(status=Hint.Status.HIDDEN)
    if public:
        counted &= Q(event__hints_published=True)
    participants = dict(
        Registration.objects.filter(event_id__in=ids, status=Registration.Status.CONFIRMED)
        .values_list("event_id")
        .annotate(n=Count("id"))
    )
    booked = usage.persons_booked(
        (e.pk, e.appointment_offer_id, e.starts_at, e.ends_at)
        for e in events
        if e.appointment_offer_id is not None
    )
    for event_id, persons in booked.items():
        participants[event_id] = participants.get(event_id, 0) + persons
    hint_rows = (
        Hint.objects.filter(counted, event_id__in=ids)
        .values("event_id")
        .annotate(
            n=Count("id"),
            answered=Count("id", filter=~Q(answer="")),
            open=Count("id", filter=Q(status=Hint.Status.ACCEPTED, answer="")),
        )
    )
    hints = {row["event_id"]: row for row in hint_rows}
    topic_rows = (
        Hint.objects.filter(counted, event_id__in=ids)
        .values("event_id", "topic__title", "topic__position", "topic_id")
        .annotate(n=Count("id"))
        .order_by("event_id", "topic__position", "topic_id")
    )
    topics: dict[int, list[tuple[str, int]]] = {}
    for row in topic_rows:
        topics.setdefault(row["event_id"], []).append((row["topic__title"], row["n"]))
    figures = []
    for event in events:
        row = hints.get(event.pk, {})
        figures.append(
            EventFigures(
                event=event,
                participants=participants.get(event.pk, 0),
                hints=row.get("n", 0),
                answers=row.get("answered", 0),
                follow_ups=row.get("open", 0),
                topics=topics.get(event.pk, []),
            )
        )
    return figures


def year_totals(figures: list[EventFigures]) -> list[KindFigures]:
    totals = {kind: KindFigures(kind=kind.value, label=str(kind.label)) for kind in PLAN_KINDS}
    for item in figures:
        total = totals[DialogueEvent.Kind(item.event.kind)]
        total.events += 1
        total.participants += item.participants
        total.hints += item.hints
        total.answers += item.answers
        total.follow_ups += item.follow_ups
    return list(totals.values())


def year_context(municipality, year: int, *, public: bool = False) -> dict:
    events = year_events(municipality, year)
    figures = evaluate_events(events, public=public)
    totals = year_totals(figures)
    return {
        "year": year,
        "figures": figures,
        "totals": totals,
        "sum": KindFigures(
            kind="all",
            label="Zusammen",
            events=sum(t.events for t in totals),
            participants=sum(t.participants for t in totals),
            hints=sum(t.hints for t in totals),
            answers=sum(t.answers for t in totals),
            follow_ups=sum(t.follow_ups for t in totals),
        ),
    }
