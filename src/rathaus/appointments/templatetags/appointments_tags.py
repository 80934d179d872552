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
