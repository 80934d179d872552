"""Opening hours on a given day: weekly windows, dated exceptions and the Land's holidays."""

from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import lru_cache

import holidays

from .models import OpeningHours


@lru_cache(maxsize=64)
def holiday_calendar(land: str, year: int):
    return holidays.country_holidays("DE", subdiv=land, years=year, language="de")


def holiday_name(municipality, day: date) -> str | None:
    """The public holiday's name in the municipality's Land, or None."""
    return holiday_calendar(municipality.land, day.year).get(day)


@dataclass(frozen=True)
class Window:
    opens: time
    closes: time
    kind: str
    note: str = ""


@dataclass(frozen=True)
class Day:
    date: date
    windows: tuple[Window, ...]
    closed_reason: str = ""

    @property
    def is_open(self) -> bool:
        return bool(self.windows)

    def of_kind(self, kind: str) -> tuple[Window, ...]:
        return tuple(w for w in self.windows if w.kind == kind)


def day_schedule(location, day: date, *, weekly=None, exceptions=None) -> Day:
    """What the location offers on ``day``.

    ``weekly`` and ``exceptions`` may be passed pre-fetched when computing many days.
    """
    holiday = holiday_name(location.municipality, day)
    if holiday:
        return Day(day, (), closed_reason=holiday)
    if exceptions is None:
        exceptions = list(location.exceptions.filter(date=day))
    exception = next((e for e in exceptions if e.date == day), None)
    if exception and exception.closed:
        return Day(day, (), closed_reason=exception.reason or "geschlossen")
    if exception and exception.opens and exception.closes:
        return Day(
            day,
            (Window(exception.opens, exception.closes, OpeningHours.Kind.OPEN, exception.reason),),
        )
    if weekly is None:
        weekly = list(location.opening_hours.all())
    windows = tuple(
        Window(h.opens, h.closes, h.kind, h.note)
        for h in weekly
        if h.weekday == day.weekday() and h.applies_on(day)
    )
    return Day(day, tuple(sorted(windows, key=lambda w: w.opens)))


def schedule(location, start: date, days: int) -> list[Day]:
    weekly = list(location.opening_hours.all())
    exceptions = list(
        location.exceptions.filter(date__gte=start, date__lt=start + timedelta(days=days))
    )
    return [
        day_schedule(location, start + timedelta(days=i), weekly=weekly, exceptions=exceptions)
        for i in range(days)
    ]


def weekly_table(
    location, on: date | None = None
) -> list[tuple[int, str, list[OpeningHours], list[OpeningHours]]]:
    """Rows (weekday, name, open windows, walk-in windows) for the week valid ``on``."""
    from django.utils import timezone

    from .models import WEEKDAYS

    on = on or timezone.localdate()
    hours = [h for h in location.opening_hours.all() if h.applies_on(on)]
    rows = []
    for number, name in WEEKDAYS:
        of_day = [h for h in hours if h.weekday == number]
        rows.append(
            (
                number,
                name,
                [h for h in of_day if h.kind == OpeningHours.Kind.OPEN],
                [h for h in of_day if h.kind == OpeningHours.Kind.WALK_IN],
            )
        )
    return rows


@dataclass(frozen=True)
class Change:
    """A dated change of the weekly hours, announced before it applies."""

    day: date
    starts: bool  # True: new hours from ``day``; False: hours end after ``day``
    hours: OpeningHours


def upcoming_changes(location, today: date, within_days: int = 42) -> list[Change]:
    """Weekly rows that start or end within the coming weeks, in date order."""
    until = today + timedelta(days=within_days)
    changes = []
    for hours in location.opening_hours.all():
        if hours.valid_from and today < hours.valid_from <= until:
            changes.append(Change(hours.valid_from, True, hours))
        if hours.valid_until and today <= hours.valid_until < until:
            changes.append(Change(hours.valid_until, False, hours))
    return sorted(changes, key=lambda c: (c.day, not c.starts, c.hours.weekday, c.hours.opens))
