"""Scheduled releases (ADR 0021): unit rows become visible at a planned moment.

A schedule says when the days of its resources are released: weekly (e.g.
Thursday 18:00 releases the following calendar week) or daily (07:00 releases
the day ``lead_days`` ahead). ``stamp_resource`` writes the release moment into
``Slot.visible_from`` of units whose release is still ahead (runs after every
materialisation, so new rows are never visible early); for a lottery schedule
the units stay hidden (``FAR_FUTURE``) until the draw. ``run_due`` records each
passed release moment once (``ReleaseRun``, counts for staff), opens lotteries
and draws those whose window has closed. Everything is idempotent.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.dispatch import Signal, receiver
from django.utils import timezone

from rathaus.core import audit

from . import cache as availability_cache
from . import hooks
from .capacity import FAR_FUTURE, TZ, local
from .models import Lottery, ReleaseRun, ReleaseSchedule, Resource, Slot

#: Release moments further back than this are not recorded any more (after downtime).
CATCH_UP_DAYS = 8

#: Sent by ``run_due`` with ``lotteries`` (open lotteries whose window has closed) and
#: ``now``; the lottery draws them and answers how many it drew (``lottery.py``).
lotteries_due = Signal()


def release_moment(schedule: ReleaseSchedule, day: date) -> datetime:
    """When the units of ``day`` are released by ``schedule``."""
    if schedule.weekday is None:
        return local(day - timedelta(days=schedule.lead_days), schedule.at_time)
    monday = day - timedelta(days=day.weekday())
    release_day = monday - timedelta(days=7) + timedelta(days=schedule.weekday)
    return local(release_day, schedule.at_time)


def released_days(schedule: ReleaseSchedule, moment: datetime) -> tuple[date, date]:
    """The first and last day a release moment makes visible."""
    day = moment.astimezone(TZ).date()
    if schedule.weekday is None:
        target = day + timedelta(days=schedule.lead_days)
        return target, target
    monday = day - timedelta(days=day.weekday()) + timedelta(days=7)
    return monday, monday + timedelta(days=6)


def moments_between(schedule: ReleaseSchedule, start: datetime, end: datetime) -> list[datetime]:
    """Release moments of ``schedule`` in [start, end)."""
    moments = []
    day = start.astimezone(TZ).date() - timedelta(days=1)
    while local(day, schedule.at_time) < end:
        on_weekday = schedule.weekday is None or day.weekday() == schedule.weekday
        if on_weekday and schedule.applies_on(day):
            moment = local(day, schedule.at_time)
            if start <= moment < end:
                moments.append(moment)
        day += timedelta(days=1)
    return moments


def next_moment(schedule: ReleaseSchedule, now: datetime | None = None) -> datetime | None:
    """The next release moment, or None when the schedule ends before it."""
    now = now or timezone.now()
    moments = moments_between(schedule, now, now + timedelta(days=8))
    return moments[0] if moments else None


def hidden_until(schedule: ReleaseSchedule, day: date) -> datetime:
    """``visible_from`` for units of ``day``: the release, or hidden until the draw."""
    if schedule.mode == ReleaseSchedule.Mode.LOTTERY:
        return FAR_FUTURE
    return release_moment(schedule, day)


def stamp_resource(resource: Resource, now: datetime | None = None) -> int:
    """Hide the units of ``resource`` whose release moment is still ahead. Idempotent."""
    now = now or timezone.now()
    stamped = 0
    for schedule in resource.release_schedules.filter(is_active=True):
        stamped += _stamp(schedule, [resource.pk], now)
    return stamped


def _stamp(schedule: ReleaseSchedule, resource_ids, now: datetime) -> int:
    first = now.astimezone(TZ).date()
    last_unit = (
        Slot.objects.filter(resource_id__in=resource_ids, visible_from__isnull=True)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    if last_unit is None:
        return 0
    stamped = 0
    day = first
    while day <= last_unit.astimezone(TZ).date():
        moment = release_moment(schedule, day)
        if moment > now and schedule.applies_on(moment.astimezone(TZ).date()):
            stamped += Slot.objects.filter(
                resource_id__in=resource_ids,
                visible_from__isnull=True,
                starts_at__gte=local(day, datetime.min.time()),
                starts_at__lt=local(day + timedelta(days=1), datetime.min.time()),
            ).update(visible_from=hidden_until(schedule, day))
        day += timedelta(days=1)
    return stamped


def stamp_all(now: datetime | None = None) -> int:
    now = now or timezone.now()
    total = 0
    for schedule in ReleaseSchedule.objects.filter(is_active=True).prefetch_related("resources"):
        total += _stamp(schedule, [r.pk for r in schedule.resources.all()], now)
    return total


def _units_between(resource_ids, first: date, last: date):
    return Slot.objects.filter(
        resource_id__in=resource_ids,
        walk_in_only=False,
        starts_at__gte=local(first, datetime.min.time()),
        starts_at__lt=local(last + timedelta(days=1), datetime.min.time()),
    )


def record_run(schedule: ReleaseSchedule, moment: datetime) -> ReleaseRun | None:
    """Record a passed release moment once, with what it made visible."""
    first, last = released_days(schedule, moment)
    resource_ids = [r.pk for r in schedule.resources.all()]
    totals = _units_between(resource_ids, first, last).aggregate(
        units=Count("pk"), places=Sum("capacity")
    )
    try:
        with transaction.atomic():
            run = ReleaseRun.objects.create(
                schedule=schedule,
                released_at=moment,
                first_day=first,
                last_day=last,
                units=totals["units"] or 0,
                places=totals["places"] or 0,
            )
            audit.record(
                "appointments.released",
                schedule,
                data={"moment": moment.isoformat(), "units": run.units, "places": run.places},
            )
    except IntegrityError:
        return None  # already recorded by an earlier or a parallel run
    for resource_id in resource_ids:
        availability_cache.bump(resource_id, [first + timedelta(days=i) for i in range(7)])
    return run


@receiver(hooks.units_materialised)
def _hide_new_units(sender, resource: Resource, **kwargs) -> None:
    """New units of a scheduled release stay hidden until their release moment."""
    stamp_resource(resource)


def ensure_lottery(schedule: ReleaseSchedule, moment: datetime) -> Lottery:
    first, last = released_days(schedule, moment)
    lottery, _ = Lottery.objects.get_or_create(
        schedule=schedule,
        opens_at=moment,
        defaults={
            "municipality_id": schedule.municipality_id,
            "closes_at": moment + timedelta(minutes=schedule.lottery_minutes),
            "first_day": first,
            "last_day": last,
        },
    )
    return lottery


def run_due(now: datetime | None = None) -> dict:
    """Periodic job: stamp new units, record passed releases, open and draw lotteries."""
    now = now or timezone.now()
    summary = {"stamped": stamp_all(now), "runs": 0, "drawn": 0}
    for schedule in ReleaseSchedule.objects.filter(is_active=True).prefetch_related("resources"):
        for moment in moments_between(schedule, now - timedelta(days=CATCH_UP_DAYS), now):
            if schedule.mode == ReleaseSchedule.Mode.LOTTERY:
                ensure_lottery(schedule, moment)
            elif not ReleaseRun.objects.filter(schedule=schedule, released_at=moment).exists():
                summary["runs"] += bool(record_run(schedule, moment))
        coming = next_moment(schedule, now)
        if schedule.mode == ReleaseSchedule.Mode.LOTTERY and coming is not None:
            ensure_lottery(schedule, coming)
    due = Lottery.objects.filter(status=Lottery.Status.OPEN, closes_at__lte=now)
    for _receiver, drawn in lotteries_due.send(
        sender=Lottery, lotteries=due.select_related("schedule"), now=now
    ):
        summary["drawn"] += drawn
    return summary


def open_lottery(municipality, now: datetime | None = None) -> Lottery | None:
    """The lottery accepting entries right now in this municipality, if any."""
    now = now or timezone.now()
    return (
        Lottery.objects.for_municipality(municipality)
        .filter(status=Lottery.Status.OPEN, opens_at__lte=now, closes_at__gt=now)
        .select_related("schedule")
        .first()
    )


def upcoming_lotteries(municipality, now: datetime | None = None):
    now = now or timezone.now()
    return (
        Lottery.objects.for_municipality(municipality)
        .filter(Q(status=Lottery.Status.OPEN) & Q(closes_at__gt=now))
        .select_related("schedule")
        .order_by("opens_at")
    )
