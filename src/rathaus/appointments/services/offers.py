"""Making a town's service bookable at its locations from a staff page (issue 21).

Without the Django admin: for each chosen location the counters resource (the
location's first one, or a new "Schalter"), its weekly windows taken from the
location's opening hours with appointments, and the offer with duration, lead time
and horizon; then the unit rows are materialised. Locations no longer chosen keep
their offer, switched off (bookings stay valid). One transaction, audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from math import gcd

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rathaus.core import audit
from rathaus.core.models import OpeningHours
from rathaus.core.parsing import ParseError

from .. import capacity
from ..models import AvailabilityRule, Offer, Resource
from .operations import save_rule

MIN_UNIT, MAX_UNIT = 5, 240  # AvailabilityRule.unit_minutes validators


@dataclass(frozen=True)
class WeeklyWindow:
    weekdays: tuple[int, ...]
    start: time
    end: time

    @property
    def minutes(self) -> int:
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)


def windows_from_hours(location) -> list[WeeklyWindow]:
    """The location's weekly opening hours with appointments (rows without dates), one
    window per distinct time span with the weekdays it applies to."""
    spans: dict[tuple, list[int]] = {}
    for hours in location.opening_hours.filter(
        kind=OpeningHours.Kind.OPEN, valid_from__isnull=True, valid_until__isnull=True
    ).order_by("weekday", "opens"):
        spans.setdefault((hours.opens, hours.closes), []).append(hours.weekday)
    return [
        WeeklyWindow(tuple(sorted(set(days))), start, end)
        for (start, end), days in sorted(spans.items())
    ]


def counter_of(location) -> Resource | None:
    """The location's counters resource used for offers made on the staff page."""
    return (
        Resource.objects.filter(location=location, kind=Resource.Kind.COUNTERS)
        .order_by("pk")
        .first()
    )


def _unit_for(duration: int, windows: list[WeeklyWindow], location) -> int:
    unit = duration
    for window in windows:
        unit = gcd(unit, window.minutes)
    if unit < MIN_UNIT:
        raise ParseError(
            "duration_minutes",
            f"Die Öffnungszeiten von {location.name} lassen sich nicht in Abschnitte zu "
            f"{duration} Minuten teilen (z. B. 09:00–12:00 für 15, 20 oder 30 Minuten).",
        )
    return unit if unit <= MAX_UNIT else gcd(unit, MAX_UNIT)


@dataclass
class Bookable:
    offers: list[Offer]
    switched_off: int


def _check_numbers(duration_minutes, counters, lead_time_hours, horizon_days) -> None:
    for field, value, low, high in (
        ("duration_minutes", duration_minutes, 5, 480),
        ("counters", counters, 1, 50),
        ("lead_time_hours", lead_time_hours, 0, 720),
        ("horizon_days", horizon_days, 1, 365),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ParseError(field, f"Bitte eine ganze Zahl von {low} bis {high}.")
    if duration_minutes % MIN_UNIT:
        raise ParseError("duration_minutes", "Die Dauer ist ein Vielfaches von 5 Minuten.")


@transaction.atomic
def make_bookable(
    service,
    *,
    locations,
    duration_minutes: int,
    counters: int = 1,
    lead_time_hours: int = 2,
    horizon_days: int = 28,
    refresh_windows: bool = False,
    actor=None,
) -> Bookable:
    """Offer ``service`` at ``locations`` (all of the service's town) as described above.

    A counter that already has weekly rules keeps them unless ``refresh_windows``: then
    its rules end yesterday and new ones from the opening hours start today (rules
    created today are replaced). The duration must fit the counter's time unit.
    """
    town_id = service.municipality_id
    _check_numbers(duration_minutes, counters, lead_time_hours, horizon_days)
    locations = list(locations)
    if not locations:
        raise ParseError("locations", "Bitte mindestens einen Standort wählen.")
    if any(location.municipality_id != town_id for location in locations):
        raise ParseError("locations", "Der Standort gehört nicht zu dieser Kommune.")
    today = timezone.localdate()
    offers = []
    for location in locations:
        resource = counter_of(location)
        if resource is None:
            resource = Resource.objects.create(
                municipality_id=town_id,
                location=location,
                slug=_free_slug(town_id, f"schalter-{location.slug}"),
                name="Schalter",
            )
            audit.record("appointments.resource_created", resource, actor=actor)
        elif not resource.is_active:
            resource.is_active = True
            resource.save(update_fields=["is_active"])
        rules = list(resource.rules.all())
        if refresh_windows or not rules:
            windows = windows_from_hours(location)
            if not windows:
                raise ParseError(
                    "locations",
                    f"{location.name} hat keine Öffnungszeiten mit Termin. Bitte zuerst die "
                    "Öffnungszeiten des Standorts eintragen.",
                )
            unit = _unit_for(duration_minutes, windows, location)
            _end_rules(rules, today)
            for window in windows:
                rule = AvailabilityRule(
                    resource=resource,
                    weekdays=list(window.weekdays),
                    start_time=window.start,
                    end_time=window.end,
                    counters=counters,
                    unit_minutes=unit,
                    valid_from=today,
                )
                try:
                    save_rule(rule, actor=actor)
                except ValidationError as error:  # e.g. overlapping opening hours
                    raise ParseError(
                        "locations", f"{location.name}: " + " ".join(error.messages)
                    ) from None
            units = {unit}
        else:
            units = {rule.unit_minutes for rule in rules}
        for unit in units:
            if duration_minutes % unit:
                raise ParseError(
                    "duration_minutes",
                    f"Die Termine in {location.name} sind in Abschnitte zu {unit} Minuten "
                    f"geteilt: bitte eine Dauer, die ein Vielfaches von {unit} ist.",
                )
        offer, created = Offer.objects.select_for_update().get_or_create(
            municipality_id=town_id,
            service=service,
            resource=resource,
            defaults={"duration_units": duration_minutes // max(units)},
        )
        offer.duration_units = duration_minutes // max(units)
        if created:  # each further person needs the same time (admin may change it)
            offer.units_per_extra_person = offer.duration_units
        offer.lead_time_hours = lead_time_hours
        offer.horizon_days = horizon_days
        if offer.extended_horizon_days and offer.extended_horizon_days <= horizon_days:
            offer.extended_horizon_days = 0
        offer.is_active = True
        offer.save()
        audit.record(
            "appointments.offer_saved",
            offer,
            actor=actor,
            data={
                "created": created,
                "minutes": duration_minutes,
                "lead_time_hours": lead_time_hours,
                "horizon_days": horizon_days,
            },
        )
        capacity.materialise(resource)
        offers.append(offer)
    chosen = [offer.pk for offer in offers]
    others = Offer.objects.select_for_update().filter(service=service, is_active=True)
    switched_off = 0
    for offer in others.exclude(pk__in=chosen):
        offer.is_active = False
        offer.save(update_fields=["is_active"])
        audit.record("appointments.offer_switched_off", offer, actor=actor)
        switched_off += 1
    return Bookable(offers=offers, switched_off=switched_off)


@transaction.atomic
def stop_booking(service, *, actor=None) -> int:
    """No more online bookings of ``service`` anywhere (existing bookings stay)."""
    stopped = 0
    for offer in Offer.objects.select_for_update().filter(service=service, is_active=True):
        offer.is_active = False
        offer.save(update_fields=["is_active"])
        audit.record("appointments.offer_switched_off", offer, actor=actor)
        stopped += 1
    return stopped


def _end_rules(rules, today) -> None:
    """Rules end yesterday (history of past days stays); rules from today on go."""
    yesterday = today - timedelta(days=1)
    for rule in rules:
        if rule.valid_from >= today:
            rule.delete()
        elif rule.valid_until is None or rule.valid_until >= today:
            rule.valid_until = yesterday
            rule.save(update_fields=["valid_until"])


def _free_slug(town_id: int, base: str) -> str:
    base = base[:45].strip("-") or "schalter"
    slug, number = base, 2
    while Resource.objects.filter(municipality_id=town_id, slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug
