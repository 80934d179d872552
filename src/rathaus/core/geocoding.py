"""Position of an address from the town's own address list (issue 21, ADR 0223).

Core knows no address list: the app that keeps one (participation, its geocoding
against ``StreetAddress``) registers its geocoder here when it starts
(``AppConfig.ready``). Core asks ``position_for``; without a registered geocoder the
answer is None and ``available()`` says why, so forms can tell the person.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

Position = tuple[Decimal, Decimal]
# geocoder(municipality, address, postcode) -> (latitude, longitude) or None
Geocoder = Callable[[object, str, str], Position | None]

_geocoders: list[Geocoder] = []


def register(geocoder: Geocoder) -> None:
    """Add a geocoder (idempotent); the first that knows an address answers."""
    if all(existing is not geocoder for existing in _geocoders):
        _geocoders.append(geocoder)


def unregister(geocoder: Geocoder) -> None:
    """Remove a geocoder (tests that show what happens without one)."""
    _geocoders[:] = [existing for existing in _geocoders if existing is not geocoder]


def available() -> bool:
    return bool(_geocoders)


def position_for(municipality, address: str, postcode: str = "") -> Position | None:
    """(latitude, longitude) of ``address`` ("Markt 1") in the town, or None."""
    for geocoder in _geocoders:
        position = geocoder(municipality, address, postcode)
        if position is not None:
            return position
    return None
