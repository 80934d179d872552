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
    def current(self, service, location) -> WaitingTime | None: ...


def _optional(module: str, name: str):
    try:
        return getattr(import_module(module), name, None)
    except ImportError:
        return None


class AppointmentsModule:
    """Adapter to rathaus.appointments (see _adapt for the functions it needs)."""

    def next_free(self, service, *, now: datetime) -> NextAppointment | None:
        finder = _optional("rathaus.appointments.engine", "next_free_slot")
        if finder is None:
            return None
        slot = finder(service, now=now)
        if slot is None:
            return None
        return NextAppointment(
            start=slot.start,
            location_name=str(slot.location),
            booking_url=slot.booking_url,
        )

    def booking_url(self, service) -> str | None:
        finder = _optional("rathaus.appointments.engine", "booking_url")
        return finder(service) if finder else None


class WaitingTimeModule:
    """Adapter to the walk-in queue's estimate (issue 5); absent until that exists."""

    def current(self, service, location) -> WaitingTime | None:
        estimate = _optional("rathaus.appointments.queue", "estimated_wait")
        if estimate is None:
            return None
        result = estimate(location, service=service)
        if result is None:
            return None
        return WaitingTime(
            minutes=int(result.minutes),
            location_name=location.name,
            waiting_people=getattr(result, "waiting", None),
        )


appointments: AppointmentProvider = AppointmentsModule()
waiting_times: WaitingTimeProvider = WaitingTimeModule()
