"""Live data from other modules: next free appointment and current waiting time.

The assistant talks to other apps only through their public functions (never their
tables). Each provider here is looked up at call time; when the module does not
offer the function (yet), the provider returns None and the answer leaves that part
out instead of inventing it.
"""

from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Protocol

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NextAppointment:
    start: datetime
    location_name: str
    booking_url: str


@dataclass(frozen=True)
class WaitingTime:
    minutes: int
    location_name: str
    waiting_people: int | None = None


class AppointmentProvider(Protocol):
    def next_free(self, service, *, now: datetime) -> NextAppointment | None: ...

    def booking_url(self, service) -> str | None: ...


class WaitingTimeProvider(Protocol):
    def current(self, service, location) -> WaitingTime | None:
        """Estimated wait at ``location`` now (for ``service``, or any service if None)."""
        ...


def _optional(module: str, name: str):
    try:
        return getattr(import_module(module), name, None)
    except ImportError:
        return None


class AppointmentsModule:
    """Adapter to rathaus.appointments: the earliest free start over the service's offers.

    Reads through the appointments module's own capacity functions (the engine that
    the booking pages use), so the time named in a chat answer is one the booking
    calendar shows, too.
    """

    def _offers(self, service):
        try:
            from rathaus.appointments.models import Offer
        except ImportError:
            return []
        return list(
            Offer.objects.for_municipality(service.municipality)
            .filter(service=service, is_active=True, resource__is_active=True)
            .select_related("resource__location")
        )

    def next_free(self, service, *, now: datetime) -> NextAppointment | None:
        offers = self._offers(service)
        if not offers:
            return None
        from rathaus.appointments import capacity

        earliest = capacity.earliest_anywhere(offers, 1, now=now)
        if not earliest:
            return None
        offer, start = earliest[0]
        return NextAppointment(
            start=start,
            location_name=offer.resource.location.name,
            booking_url=reverse("appointments:calendar", args=[service.slug, offer.resource.slug]),
        )

    def booking_url(self, service) -> str | None:
        if not self._offers(service):
            return None
        return reverse("appointments:service", args=[service.slug])


class WaitingTimeModule:
    """Adapter to the walk-in queue's estimate (rathaus.onsite, issue 5): minutes of
    waiting at a location now, or None when no counter is open there."""

    def current(self, service, location) -> WaitingTime | None:
        estimate = _optional("rathaus.onsite.services", "estimated_wait")
        if estimate is None:
            return None
        minutes = estimate(location, service=service)
        if minutes is None:
            return None
        rounded = _optional("rathaus.onsite.services", "rounded")
        return WaitingTime(
            minutes=int(rounded(minutes) if rounded else minutes),
            location_name=location.name,
        )


class OnlineFormsModule:
    """Adapter to rathaus.applications: the start page of a service's published online
    form (the same link the service page shows), or None."""

    def url(self, service) -> str | None:
        published_form = _optional("rathaus.applications.services", "published_form")
        if published_form is None or published_form(service) is None:
            return None
        try:
            return reverse("applications:start", args=[service.slug])
        except NoReverseMatch:
            return None


appointments: AppointmentProvider = AppointmentsModule()
online_forms = OnlineFormsModule()
waiting_times: WaitingTimeProvider = WaitingTimeModule()
