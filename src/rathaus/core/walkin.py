"""Walk-in hours (Sprechzeiten ohne Termin): the one source every page reads.

The start page, the walk-in hours page and its PDF/text/iCal/RSS editions, the
location pages, the kiosk and the assistant all ask this module, so they cannot
disagree: a walk-in window is an ``OpeningHours`` row of kind ``walk_in`` on a day
that is not a holiday or closed by an exception (``opening.schedule``). General
opening hours (appointments only) are never presented as walk-in hours.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Prefetch
from django.utils import timezone

from .models import Location, OpeningException, OpeningHours
from .opening import Change, Day, Window, day_schedule, schedule, upcoming_changes

WALK_IN = OpeningHours.Kind.WALK_IN
#: How far ahead "opens next" looks.
LOOKAHEAD_DAYS = 21
WEEKDAY_SHORT = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


def windows(day: Day) -> tuple[Window, ...]:
    return day.of_kind(WALK_IN)


def _at(day: date, moment) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


@dataclass(frozen=True)
class Status:
    """Walk-in status of a location at one moment."""

    open_now: bool
    current: Window | None
    next_day: date | None
    next_window: Window | None
    closed_reason: str = ""

    @property
    def label(self) -> str:
        """Plain German: open until when, or closed and when walk-ins are possible again."""
        if self.open_now:
            return f"Jetzt ohne Termin geöffnet bis {self.current.closes:%H:%M} Uhr"
        if self.next_day is None:
            return "Derzeit keine Sprechzeiten ohne Termin"
        when = f"{WEEKDAY_SHORT[self.next_day.weekday()]}, {self.next_day:%d.%m.}"
        if self.next_day == timezone.localdate():
            when = "heute"
        return (
            f"Jetzt geschlossen – ohne Termin wieder {when} um {self.next_window.opens:%H:%M} Uhr"
        )


def status(location, now: datetime | None = None) -> Status:
    """Is the location open for walk-ins now, and when does it open next?"""
    now = timezone.localtime(now or timezone.now())
    days = schedule(location, now.date(), LOOKAHEAD_DAYS)
    today = now.date()
    current = next(
        (w for w in windows(days[0]) if _at(today, w.opens) <= now < _at(today, w.closes)), None
    )
    following = _next_window(days, now)
    return Status(
        open_now=current is not None,
        current=current,
        next_day=following[0] if following else None,
        next_window=following[1] if following else None,
        closed_reason=days[0].closed_reason,
    )


def _next_window(days: list[Day], after: datetime) -> tuple[date, Window] | None:
    for day in days:
        for window in windows(day):
            if _at(day.date, window.opens) > after:
                return day.date, window
    return None


def next_window(location, after: datetime) -> tuple[date, Window] | None:
    """The first walk-in window that opens after ``after`` (today's later ones included)."""
    after = timezone.localtime(after)
    return _next_window(schedule(location, after.date(), LOOKAHEAD_DAYS), after)


def is_open_at(location, now: datetime) -> bool:
    """Is the location open at all (appointments or walk-ins) at ``now``?"""
    local = timezone.localtime(now)
    day = day_schedule(location, local.date())
    return any(
        _at(local.date(), w.opens) <= local < _at(local.date(), w.closes) for w in day.windows
    )


@dataclass(frozen=True)
class LocationWeek:
    location: Location
    days: list[Day]
    changes: list[Change] = field(default_factory=list)  # announced walk-in changes

    @property
    def has_walk_in(self) -> bool:
        return any(windows(day) for day in self.days)

    @property
    def walk_in_days(self) -> list[tuple[Day, tuple[Window, ...]]]:
        return [(day, windows(day)) for day in self.days if windows(day) or day.closed_reason]


def week(municipality, start: date, days: int = 7) -> list[LocationWeek]:
    """Every location of the municipality with its walk-in windows from ``start`` on."""
    end = start + timedelta(days=days)
    locations = (
        Location.objects.for_municipality(municipality)
        .select_related("municipality", "office")
        .prefetch_related(
            "opening_hours",
            Prefetch(
                "exceptions",
                queryset=OpeningException.objects.filter(date__gte=start, date__lt=end),
                to_attr="exceptions_in_range",
            ),
        )
        .order_by("office__name", "name")
    )
    result = []
    for location in locations:
        weekly = list(location.opening_hours.all())
        changes = [c for c in upcoming_changes(location, start) if c.hours.kind == WALK_IN]
        result.append(
            LocationWeek(
                location,
                changes=changes,
                days=[
                    day_schedule(
                        location,
                        start + timedelta(days=i),
                        weekly=weekly,
                        exceptions=location.exceptions_in_range,
                    )
                    for i in range(days)
                ],
            )
        )
    return result
