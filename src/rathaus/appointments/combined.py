"""Several services in one appointment (ADR 0026).

A citizen who moves and needs a new ID card books both at once. The services'
offers at one resource are folded into one unsaved ``Offer`` whose durations are
the sums of theirs and whose policies are the strictest of theirs; the capacity
reads and the guarded update then work on it unchanged (k = summed units).
"""

from __future__ import annotations

from django.http import Http404

from rathaus.core.parsing import ParseError

from .models import Booking, Offer

#: Further services at most in one appointment (besides the first).
MAX_EXTRA = 3


def combine(offers: list[Offer]) -> Offer:
    """One offer for several services at one resource; the first is the booking's own.

    Durations and the time per further person add up (``units_for`` is linear), so
    ``combine(...).units_for(p) == sum(o.units_for(p))``. The window is the
    narrowest (longest lead time, shortest horizon, no paid extended horizon), the
    walk-in share the largest, the number of persons the smallest maximum.
    """
    first = offers[0]
    if len(offers) == 1:
        return first
    if len({o.resource_id for o in offers}) != 1:
        raise ValueError("offers of one appointment must share their resource")
    combo = Offer(
        pk=first.pk,
        municipality_id=first.municipality_id,
        service=first.service,
        resource=first.resource,
        duration_units=sum(o.duration_units for o in offers),
        units_per_extra_person=sum(o.units_per_extra_person for o in offers),
        max_persons=min(o.max_persons for o in offers),
        bring_note=first.bring_note,
        lead_time_hours=max(o.lead_time_hours for o in offers),
        horizon_days=min(o.horizon_days for o in offers),
        extended_horizon_days=0,
        extended_fee=None,
        walk_in_share=max(o.walk_in_share for o in offers),
        one_per_person=first.one_per_person,
        is_active=all(o.is_active for o in offers),
    )
    combo.parts = list(offers)
    return combo


def parts_of(offer: Offer) -> list[Offer]:
    """The real offers behind an offer (itself if it is not combined)."""
    return list(getattr(offer, "parts", [offer]))


def for_booking(booking: Booking) -> Offer:
    """The (combined) offer a booking was made for: its own offer and its parts' offers."""
    extra = [
        part.offer
        for part in booking.parts.select_related("offer__service", "offer__resource").all()
    ]
    if not extra:
        return booking.offer
    return combine([booking.offer, *extra])


def extra_slugs(query, service_slug: str) -> list[str]:
    """The further services' slugs from the repeated ``dazu`` parameter: unique, checked.

    A slug longer than a slug can be, one with other characters, or more than
    ``MAX_EXTRA`` of them is a ParseError (400), never a 500.
    """
    slugs: list[str] = []
    for raw in query.getlist("dazu"):
        value = raw.strip()
        if not value:
            continue
        if len(value) > 200 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in value):
            raise ParseError("dazu", "Bitte wählen Sie Anliegen aus der Liste.", "invalid_choice")
        if value != service_slug and value not in slugs:
            slugs.append(value)
    if len(slugs) > MAX_EXTRA:
        raise ParseError("dazu", f"Höchstens {MAX_EXTRA} weitere Anliegen in einem Termin, bitte.")
    return slugs


def offers_at(active_offers, resource_slug: str, slugs: list[str]) -> list[Offer]:
    """The offers of ``slugs`` at one resource, in the order asked; 404 if one is missing."""
    found = {
        o.service.slug: o
        for o in active_offers.filter(resource__slug=resource_slug, service__slug__in=slugs)
    }
    if len(found) != len(slugs):
        raise Http404
    return [found[slug] for slug in slugs]


def combinable_services(active_offers, offers: list[Offer]):
    """Services offered at one or more of the resources of ``offers`` (besides their own),
    i.e. those that could share an appointment with them somewhere, by name."""
    resources = {o.resource_id for o in offers}
    own = {o.service_id for o in offers}
    seen = {}
    for offer in active_offers.filter(resource_id__in=resources).order_by("service__name"):
        if offer.service_id not in own:
            seen.setdefault(offer.service_id, offer.service)
    return list(seen.values())
