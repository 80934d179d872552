"""Booking rules that change on a date: schedule, announce, apply (seed 003, issue 15)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext

from rathaus.core import audit

from .. import capacity
from ..models import HorizonChange, Offer
from ..release_models import ReleaseSchedule

#: How far ahead a coming change is announced on the booking and location pages.
ANNOUNCE_DAYS = 42


def schedule_horizon_change(
    offer: Offer, valid_from: date, horizon_days: int, *, actor=None
) -> HorizonChange:
    """Plan a new booking horizon for ``offer`` from ``valid_from`` (a future day)."""
    if valid_from <= timezone.localdate():
        raise ValidationError({"valid_from": "Eine Änderung muss in der Zukunft beginnen."})
    if horizon_days < 1:
        raise ValidationError({"horizon_days": "Der Horizont ist mindestens ein Tag."})
    with transaction.atomic():
        change, _ = HorizonChange.objects.update_or_create(
            offer=offer,
            valid_from=valid_from,
            defaults={"municipality_id": offer.municipality_id, "horizon_days": horizon_days},
        )
        audit.record(
            "appointments.horizon_change_scheduled",
            offer,
            actor=actor,
            data={"from": valid_from.isoformat(), "days": horizon_days},
        )
    return change


def apply_due_horizon_changes(today: date | None = None) -> int:
    """Write every due change to its offer, oldest first; safe to run twice."""
    today = today or timezone.localdate()
    applied = 0
    due = HorizonChange.objects.filter(applied_at__isnull=True, valid_from__lte=today)
    for change_id in due.order_by("valid_from", "id").values_list("id", flat=True):
        with transaction.atomic():
            change = (
                HorizonChange.objects.select_for_update()
                .select_related("offer")
                .filter(pk=change_id, applied_at__isnull=True)
                .first()
            )
            if change is None:
                continue  # another worker applied it
            offer = change.offer
            previous = offer.horizon_days
            # save(), not update(): its signal tells every process's offer memo
            # (shown_offers), which the availability read and the hold use (ADR 0100).
            offer.horizon_days = change.horizon_days
            offer.save(update_fields=["horizon_days"])
            change.applied_at = timezone.now()
            change.save(update_fields=["applied_at"])
            audit.record(
                "appointments.horizon_changed",
                offer,
                data={
                    "from": previous,
                    "to": change.horizon_days,
                    "valid_from": change.valid_from.isoformat(),
                },
            )
            applied += 1
        capacity.materialise(offer.resource)  # a longer horizon needs its unit rows
    return applied


def upcoming_horizon_changes(offers, today: date | None = None) -> list[HorizonChange]:
    """Changes of these offers that start within ANNOUNCE_DAYS (for the announcement)."""
    from datetime import timedelta

    today = today or timezone.localdate()
    return list(
        HorizonChange.objects.filter(
            offer__in=offers,
            applied_at__isnull=True,
            valid_from__gt=today,
            valid_from__lte=today + timedelta(days=ANNOUNCE_DAYS),
        )
        .select_related("offer__resource__location", "offer__service")
        .order_by("valid_from")
    )


@dataclass(frozen=True)
class ReleaseChange:
    """A release rhythm that starts or ends within ANNOUNCE_DAYS (seed 003, issue 15)."""

    kind: str  # "starts" (first release day) or "ends" (last release day)
    day: date
    schedule: ReleaseSchedule

    @property
    def rhythm(self) -> str:
        """ "jeden Donnerstag um 18:00 Uhr wird die folgende Woche freigeschaltet" – in
        plain words of the active language (English pages get English)."""
        s = self.schedule
        at = s.at_time.strftime("%H:%M")
        lottery = s.mode == ReleaseSchedule.Mode.LOTTERY
        if s.weekday is None:
            if lottery:
                text = gettext("täglich um %(at)s Uhr wird der Tag in %(days)s Tagen verlost")
            else:
                text = gettext(
                    "täglich um %(at)s Uhr wird der Tag in %(days)s Tagen freigeschaltet"
                )
            return text % {"at": at, "days": s.lead_days}
        if lottery:
            text = gettext("jeden %(weekday)s um %(at)s Uhr wird die folgende Woche verlost")
        else:
            text = gettext("jeden %(weekday)s um %(at)s Uhr wird die folgende Woche freigeschaltet")
        return text % {"weekday": WEEKDAYS[s.weekday], "at": at}


def upcoming_release_changes(resource_ids, today: date | None = None) -> list[ReleaseChange]:
    """Release schedules of these resources that start or end within ANNOUNCE_DAYS."""
    from datetime import timedelta

    today = today or timezone.localdate()
    until = today + timedelta(days=ANNOUNCE_DAYS)
    schedules = (
        ReleaseSchedule.objects.filter(resources__in=resource_ids, is_active=True)
        .filter(
            models.Q(valid_from__gt=today, valid_from__lte=until)
            | models.Q(valid_until__gte=today, valid_until__lte=until)
        )
        .distinct()
    )
    found = []
    for schedule in schedules:
        if schedule.valid_from and today < schedule.valid_from <= until:
            found.append(ReleaseChange("starts", schedule.valid_from, schedule))
        if schedule.valid_until and today <= schedule.valid_until <= until:
            found.append(ReleaseChange("ends", schedule.valid_until, schedule))
    return sorted(found, key=lambda c: (c.day, c.kind, c.schedule.name))
