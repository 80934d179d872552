"""Pick-up appointments (ZMS "Abholung", ADR 0029): the signed link and what it shows.

When a clerk marks a case ready (``services.mark_ready_for_pickup``), the citizen gets a
mail with a link ``/antraege/abholung/<token>/``. The token is a signed, single-purpose
value (own salt) naming the application's key and its municipality; it expires after
``LINK_DAYS``. The page offers the short pick-up slots of the form's pick-up service at
a location of the office handling the case, and always the walk-in hours there.
"""

from datetime import timedelta

from django.core import signing
from django.utils import timezone

from rathaus.appointments import capacity
from rathaus.appointments.models import Offer
from rathaus.core import opening, walkin

from .models import Application

SALT = "rathaus.applications.pickup.v1"
LINK_DAYS = 60
#: How many days of free times the page lists (each day at most MAX_TIMES times).
SHOW_DAYS = 5
MAX_TIMES = 16


class InvalidLink(Exception):
    """Tampered, expired, for another town or not ready: the view answers 404."""


def make_token(app: Application) -> str:
    return signing.dumps({"k": str(app.key), "m": app.municipality_id}, salt=SALT, compress=True)


def application_for(token: str, municipality, user) -> Application:
    """The ready application the link names, in this town; else InvalidLink.

    A logged-in person other than the applicant gets nothing (someone else's link in
    one's own session); the link alone is enough for a guest's case."""
    try:
        payload = signing.loads(str(token)[:500], salt=SALT, max_age=LINK_DAYS * 86400)
    except signing.BadSignature as exc:  # includes SignatureExpired
        raise InvalidLink from exc
    if not isinstance(payload, dict) or payload.get("m") != getattr(municipality, "pk", None):
        raise InvalidLink
    app = (
        Application.objects.for_municipality(municipality)
        .select_related("service__office", "form__pickup_service", "pickup_booking")
        .filter(key=str(payload.get("k")), pickup_ready_at__isnull=False, anonymised_at=None)
        .first()
    )
    if app is None:
        raise InvalidLink
    if (
        app.applicant_id
        and getattr(user, "is_authenticated", False)
        and user.pk != app.applicant_id
        and not user.is_staff
    ):
        raise InvalidLink
    return app


def offer_for(app: Application) -> Offer | None:
    """The pick-up offer at a location of the case's office, else any active one."""
    service = app.form.pickup_service
    if service is None:
        return None
    offers = (
        Offer.objects.for_municipality(app.municipality)
        .filter(service=service, is_active=True, resource__is_active=True)
        .select_related("resource__location", "service")
        .order_by("resource__location__name", "pk")
    )
    return offers.filter(resource__location__office=app.service.office).first() or offers.first()


def free_times(offer: Offer, now=None) -> list[tuple]:
    """[(day, [start times])] for the next days with free pick-up slots."""
    now = now or timezone.now()
    starts = capacity.free_starts(offer, 1, now, now + timedelta(days=offer.horizon_days + 1))
    days: dict = {}
    for start in starts:
        local = timezone.localtime(start)
        times = days.setdefault(local.date(), [])
        if len(times) < MAX_TIMES:
            times.append(local)
    return list(days.items())[:SHOW_DAYS]


def walk_in_days(app: Application, offer: Offer | None, days: int = 14) -> list[dict]:
    """The walk-in windows of the pick-up location (or the office's locations)."""
    if offer is not None:
        locations = [offer.resource.location]
    else:
        locations = list(app.service.office.locations.all()[:3])
    out = []
    for location in locations:
        windows = [
            (day.date, list(walkin.windows(day)))
            for day in opening.schedule(location, timezone.localdate(), days)
        ]
        out.append({"location": location, "days": [(d, w) for d, w in windows if w]})
    return out
