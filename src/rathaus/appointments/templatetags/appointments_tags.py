from django import template

from ..permissions import can_manage

register = template.Library()


@register.filter
def is_bookable(service) -> bool:
    """True when the service can be booked online at one location at least."""
    if service is None or not getattr(service, "pk", None):
        return False
    return service.offers.filter(is_active=True, resource__is_active=True).exists()


@register.filter
def can_manage_appointments(request) -> bool:
    return can_manage(request.user, request.municipality)


@register.filter
def can_manage_offers(request) -> bool:
    """Appointment managers and administrators set up bookable offers (issue 21)."""
    from rathaus.core.models import Role
    from rathaus.core.permissions import has_role

    return has_role(request.user, request.municipality, Role.APPOINTMENT_MANAGER)


@register.simple_tag
def next_free_at(location):
    """(offer, start) of the earliest free online appointment at ``location``, or None."""
    from ..capacity import earliest_anywhere
    from ..models import Offer

    offers = Offer.objects.filter(
        resource__location=location,
        is_active=True,
        resource__is_active=True,
        service__is_published=True,
    ).select_related("service", "resource")
    found = earliest_anywhere(offers, 1)
    return found[0] if found else None


@register.simple_tag
def horizon_changes_at(location):
    """Announced booking-horizon changes of the online offers at ``location``."""
    from ..models import Offer
    from ..services.policy import upcoming_horizon_changes

    offers = Offer.objects.filter(resource__location=location, is_active=True)
    return upcoming_horizon_changes(offers)


@register.simple_tag
def release_changes_at(location):
    """Release rhythms of the resources at ``location`` that start or end soon."""
    from ..models import Resource
    from ..services.policy import upcoming_release_changes

    resources = Resource.objects.filter(location=location, is_active=True).values_list(
        "pk", flat=True
    )
    return upcoming_release_changes(list(resources))
