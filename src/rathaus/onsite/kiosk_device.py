"""Kiosk devices: only a screen a clerk switched on in the office may hand out numbers.

The kiosk pages are plain URLs; without this anyone at home could draw the day's
contingent. A clerk of the location (or an appointment manager) activates a device
once; it then carries a signed, HttpOnly cookie naming the location. The setting
``ONSITE_KIOSK_DEVICE_REQUIRED`` (default on) can switch the check off, e.g. for a
kiosk on an isolated network.
"""

from django.conf import settings
from django.core import signing

COOKIE = "rathaus_kiosk"
SALT = "onsite.kiosk-device"
MAX_AGE = 60 * 60 * 24 * 400  # about a year; re-activate after that


def required() -> bool:
    return getattr(settings, "ONSITE_KIOSK_DEVICE_REQUIRED", True)


def locations_of(request) -> set[int]:
    try:
        value = signing.loads(request.COOKIES.get(COOKIE, ""), salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return set()
    if value.get("m") != request.municipality.pk:
        return set()
    return set(value.get("l", []))


def is_kiosk(request, location) -> bool:
    return not required() or location.pk in locations_of(request)


def activate(request, response, location) -> None:
    """Add ``location`` to this device's kiosk cookie."""
    value = {"m": request.municipality.pk, "l": sorted(locations_of(request) | {location.pk})}
    response.set_cookie(
        COOKIE,
        signing.dumps(value, salt=SALT),
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


def deactivate(request, response, location) -> None:
    remaining = locations_of(request) - {location.pk}
    if not remaining:
        response.delete_cookie(COOKIE)
        return
    value = {"m": request.municipality.pk, "l": sorted(remaining)}
    response.set_cookie(
        COOKIE,
        signing.dumps(value, salt=SALT),
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
