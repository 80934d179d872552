"""Incident and maintenance mode (seed 002: Potsdam served citizens through "Bypässe"
after cutting its systems off the internet).

- **Störungsbetrieb (incident):** a notice on every page, the offline alternatives
  published at /hinweis/, citizens' online writes (bookings, applications, reports,
  cancellations) answered with an explanation instead of being attempted. Reading
  works: catalog, council, appointments already booked (the booking pages and
  iCalendar files still open). Staff keep working (counters serve the citizens who
  come in), and so does the on-site kiosk (/vor-ort/), the walk-in route.
- **Wartung (maintenance):** read-only for everyone, staff included, except logging
  in and out and switching the mode back.
Both are switched by a municipality's administrators on the Betrieb page; every
switch is an audit entry.
"""

from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import audit
from ..memo import Memo
from ..permissions import is_staff_member
from .models import ServiceMode

Mode = ServiceMode.Mode
_modes = Memo("service-modes", seconds=10, depends_on=(ServiceMode,))
RETRY_AFTER_SECONDS = 600
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Always possible: logging in and out, the language switch, the mode switch itself.
ALWAYS_ALLOWED = ("/anmelden/", "/abmelden/", "/i18n/", "/verwaltung/betrieb/modus/")
# In incident mode: the on-site walk-in route (kiosk, counters) keeps working.
INCIDENT_ALLOWED = ("/vor-ort/",)


def current(municipality) -> ServiceMode | None:
    """The municipality's mode row when it is not normal, else None (memoised)."""
    if municipality is None:
        return None

    def load():
        row = ServiceMode.objects.filter(municipality=municipality).first()
        return row if row is not None and row.mode != Mode.NORMAL else None

    return _modes.get(municipality.pk, load)


def set_mode(municipality, mode: str, *, notice: str, alternatives: str, actor) -> ServiceMode:
    with transaction.atomic():
        row, _created = ServiceMode.objects.select_for_update().get_or_create(
            municipality=municipality, defaults={"mode": mode}
        )
        previous = row.mode if not _created else Mode.NORMAL
        row.mode, row.notice, row.alternatives = mode, notice, alternatives
        row.save()
        audit.record(
            "core.service_mode_changed",
            row,
            actor=actor,
            municipality=municipality,
            data={"from": previous, "to": mode, "notice": notice},
        )
    return row


def write_paused(request, mode_row) -> bool:
    if request.method not in WRITE_METHODS or request.path.startswith(ALWAYS_ALLOWED):
        return False
    if mode_row.mode == Mode.MAINTENANCE:
        return True
    if request.path.startswith(INCIDENT_ALLOWED):
        return False
    return not is_staff_member(request.user, request.municipality)


def paused_response(request, mode_row):
    message = (
        _("Wegen einer Störung sind Online-Anträge und -Buchungen gerade nicht möglich.")
        if mode_row.mode == Mode.INCIDENT
        else _("Wegen Wartungsarbeiten können gerade keine Eingaben gespeichert werden.")
    )
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {
                "detail": message,
                "field": None,
                "reason": mode_row.mode,
                "notice": mode_row.notice,
                "alternatives": mode_row.alternatives,
            },
            status=503,
        )
    else:
        response = render(
            request, "core/paused.html", {"message": message, "mode_row": mode_row}, status=503
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class ServiceModeMiddleware:
    """After tenancy and authentication: pauses writes, tells templates the mode."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        mode_row = current(getattr(request, "municipality", None))
        request.service_mode = mode_row
        if mode_row is not None and write_paused(request, mode_row):
            return paused_response(request, mode_row)
        return self.get_response(request)


def context(request):
    return {"service_mode": getattr(request, "service_mode", None)}
