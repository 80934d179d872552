"""Capacity: turning rules into unit rows, and reading free start times from them.

Pure reads and the materialisation of ``Slot`` rows; the booking write path with
its guarded updates lives in ``services.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import ExpressionWrapper, F, IntegerField, Q
from django.utils import timezone

from rathaus.core.opening import holiday_name

from .models import AvailabilityRule, CapacityException, Offer, Resource, Slot

TZ = ZoneInfo(settings.TIME_ZONE)
#: Unit rows are kept at least this far ahead (six weeks), longer if an offer needs it.
MIN_MATERIALISED_DAYS = 42


def local(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=TZ)


@dataclass
class PlannedUnit:
    ends_at: datetime
    capacity: int
    walk_in_only: bool


def _units(day: date, start: time, end: time, minutes: int):
    current = local(day, start)
    stop = local(day, end)
    step = timedelta(minutes=minutes)
    while current + step <= stop:
        yield current, current + step
        current += step


def plan_day(resource: Resource, day: date, rules, exceptions) -> dict[datetime, PlannedUnit]:
    """The unit rows a resource should have on ``day``: rules, then exceptions."""
    if holiday_name(resource.municipality, day):
        return {}
    planned: dict[datetime, PlannedUnit] = {}
    for rule in rules:
        if not rule.applies_on(day):
            continue
        walk_in = rule.kind == AvailabilityRule.Kind.WALK_IN
        for start, end in _units(day, rule.start_time, rule.end_time, rule.unit_minutes):
            planned[start] = PlannedUnit(end, rule.counters, walk_in)
    todays = [e for e in exceptions if e.date == day]
    order = {CapacityException.Kind.EXTRA: 0, CapacityException.Kind.REDUCED: 1}
    for exception in sorted(todays, key=lambda e: order.get(e.kind, 2)):
        _apply_exception(planned, day, exception)
    return planned


def _apply_exception(planned, day, exception) -> None:
    if exception.kind == CapacityException.Kind.EXTRA:
        units = _units(day, exception.start_time, exception.end_time, exception.unit_minutes)
        for start, end in units:
            unit = planned.get(start)
            if unit is None:
                planned[start] = PlannedUnit(end, exception.counters, False)
            elif not unit.walk_in_only:
                unit.capacity += exception.counters
        return
    for start, unit in planned.items():
        if not exception.covers(start.astimezone(TZ).time(), unit.ends_at.astimezone(TZ).time()):
            continue
        if exception.kind == CapacityException.Kind.CLOSED:
            unit.capacity = 0
        else:
            unit.capacity = max(0, unit.capacity - exception.counters)


def materialisation_days(resource: Resource) -> int:
    horizons = [max(o.horizon_days, o.extended_horizon_days or 0) for o in resource.offers.all()]
    return max([MIN_MATERIALISED_DAYS, *horizons]) + 1


@transaction.atomic
def materialise(resource: Resource, start: date | None = None, days: int | None = None) -> int:
    """Create or adjust the unit rows of ``resource`` from ``start`` for ``days`` days.

    Existing rows keep their ``booked`` count; rows no rule covers any more get
    capacity 0 (they may still carry bookings, see ``services.block_time``).
    Returns the number of rows created or changed.
    """
    start = start or timezone.localdate()
    days = days or materialisation_days(resource)
    end = start + timedelta(days=days)
    rules = list(resource.rules.all())
    exceptions = list(resource.exceptions.filter(date__gte=start, date__lt=end))
    planned: dict[datetime, PlannedUnit] = {}
    for offset in range(days):
        planned.update(plan_day(resource, start + timedelta(days=offset), rules, exceptions))
    existing = {
        s.starts_at: s
        for s in Slot.objects.filter(
            resource=resource,
            starts_at__gte=local(start, time.min),
            starts_at__lt=local(end, time.min),
        )
    }
    changed = []
    for starts_at, slot in existing.items():
        unit = planned.pop(starts_at, None)
        capacity, walk_in = (unit.capacity, unit.walk_in_only) if unit else (0, slot.walk_in_only)
        if slot.capacity != capacity or slot.walk_in_only != walk_in:
            slot.capacity, slot.walk_in_only = capacity, walk_in
            changed.append(slot)
    Slot.objects.bulk_update(changed, ["capacity", "walk_in_only"], batch_size=500)
    new = [
        Slot(
            municipality_id=resource.municipality_id,
            resource=resource,
            starts_at=starts_at,
            ends_at=unit.ends_at,
            capacity=unit.capacity,
            walk_in_only=unit.walk_in_only,
        )
        for starts_at, unit in planned.items()
    ]
    Slot.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
    return len(changed) + len(new)


# --- Reading availability ------------------------------------------------------------


def online_limit(share: int):
    """SQL expression: how many places of a unit online bookings may fill.

    The walk-in share is rounded up, so a share > 0 always keeps at least one place.
    """
    if not share:
        return F("capacity")
    return ExpressionWrapper(
        F("capacity") - (F("capacity") * share + 99) / 100, output_field=IntegerField()
    )


def limit_in_python(capacity: int, share: int) -> int:
    return capacity - (capacity * share + 99) // 100 if share else capacity


@dataclass(frozen=True)
class Window:
    """The bookable period of an offer at a moment: from ``earliest`` to ``last_day``."""

    earliest: datetime
    last_day: date
    fee_after: date | None  # starts after this day cost the extended fee

    def allows(self, starts_at: datetime) -> bool:
        return self.earliest <= starts_at and starts_at.astimezone(TZ).date() <= self.last_day

    def fee_applies(self, starts_at: datetime) -> bool:
        return self.fee_after is not None and starts_at.astimezone(TZ).date() > self.fee_after


def window(offer: Offer, now: datetime | None = None, *, staff: bool = False) -> Window:
    now = now or timezone.now()
    today = now.astimezone(TZ).date()
    earliest = now if staff else now + timedelta(hours=offer.lead_time_hours)
    extended = offer.extended_horizon_days or 0
    last_day = today + timedelta(days=max(offer.horizon_days, extended))
    fee_after = today + timedelta(days=offer.horizon_days) if extended else None
    return Window(earliest, last_day, fee_after)


def free_starts_by_resource(
    offers, persons: int, start: datetime, end: datetime, *, now=None, staff=False
) -> dict[int, list[datetime]]:
    """For each offer (by pk): start times where ``persons`` fit, in one query."""
    now = now or timezone.now()
    offers = list(offers)
    if not offers:
        return {}
    rows = (
        Slot.objects.filter(
            resource_id__in=[o.resource_id for o in offers],
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .filter(Q(visible_from__isnull=True) | Q(visible_from__lte=now))
        .order_by("resource_id", "starts_at")
        .values_list("resource_id", "starts_at", "ends_at", "capacity", "booked", "walk_in_only")
    )
    by_resource: dict[int, list[tuple]] = {}
    for row in rows:
        by_resource.setdefault(row[0], []).append(row)
    result = {}
    for offer in offers:
        win = window(offer, now, staff=staff)
        share = 0 if staff else offer.walk_in_share
        starts = _free_starts(
            by_resource.get(offer.resource_id, []), offer.units_for(persons), share
        )
        result[offer.pk] = [s for s in starts if win.allows(s)]
    return result


def _free_starts(rows, k: int, share: int) -> list[datetime]:
    """Starts of runs of ``k`` consecutive free units (rows sorted by start)."""
    run = 0
    starts = []
    next_start = None
    # Walk backwards: run = number of free consecutive units beginning here.
    for _res, starts_at, ends_at, capacity, booked, walk_in in reversed(rows):
        free = not walk_in and booked < limit_in_python(capacity, share)
        if not free:
            run = 0
        elif next_start is not None and ends_at == next_start:
            run += 1
        else:
            run = 1
        next_start = starts_at
        if run >= k:
            starts.append(starts_at)
    starts.reverse()
    return starts


def free_starts(offer: Offer, persons: int, start: datetime, end: datetime, **kwargs):
    return free_starts_by_resource([offer], persons, start, end, **kwargs)[offer.pk]


def days_with_free_times(offer, persons, first_day: date, days: int, **kwargs) -> dict:
    """{day: number of free start times} for a calendar."""
    starts = free_starts(
        offer,
        persons,
        local(first_day, time.min),
        local(first_day + timedelta(days), time.min),
        **kwargs,
    )
    counts: dict[date, int] = {}
    for s in starts:
        day = s.astimezone(TZ).date()
        counts[day] = counts.get(day, 0) + 1
    return counts


def nearest_alternatives(offer, persons, wanted: datetime, count=3, **kwargs) -> list[datetime]:
    """The free start times closest to ``wanted`` (within a week either side)."""
    starts = free_starts(
        offer, persons, wanted - timedelta(days=7), wanted + timedelta(days=7), **kwargs
    )
    starts = [s for s in starts if s != wanted]
    return sorted(sorted(starts, key=lambda s: abs(s - wanted))[:count])


def earliest_anywhere(offers, persons, *, now=None, days: int | None = None):
    """[(offer, first free start)] sorted by the first free start; offers without any omitted."""
    now = now or timezone.now()
    offers = list(offers)
    if not offers:
        return []
    horizon = days or max(max(o.horizon_days, o.extended_horizon_days or 0) for o in offers) + 1
    found = free_starts_by_resource(offers, persons, now, now + timedelta(days=horizon), now=now)
    firsts = [(o, found[o.pk][0]) for o in offers if found.get(o.pk)]
    return sorted(firsts, key=lambda pair: pair[1])


def end_of(offer: Offer, starts_at: datetime, persons: int) -> datetime | None:
    """When an appointment of ``persons`` starting at ``starts_at`` would end."""
    ends = list(
        Slot.objects.filter(resource_id=offer.resource_id, starts_at__gte=starts_at)
        .order_by("starts_at")
        .values_list("ends_at", flat=True)[: offer.units_for(persons)]
    )
    return ends[-1] if ends else None
