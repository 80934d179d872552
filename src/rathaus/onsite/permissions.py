"""Who works at which location: clerks of the location's office, appointment managers."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from rathaus.core.models import Location, Role, StaffRole
from rathaus.core.permissions import has_role


def locations_for(user, municipality):
    """Locations whose counters and figures ``user`` may use (empty for everyone else)."""
    locations = Location.objects.for_municipality(municipality)
    if has_role(user, municipality, Role.APPOINTMENT_MANAGER):
        return locations
    offices = StaffRole.objects.filter(
        user=user, municipality=municipality, role=Role.CLERK, office__isnull=False
    ).values_list("office_id", flat=True)
    return locations.filter(office_id__in=list(offices))


def require_location(user, municipality, location) -> None:
    if not locations_for(user, municipality).filter(pk=location.pk).exists():
        raise PermissionDenied(_("Für diesen Standort fehlt Ihnen die Berechtigung."))


def may_use_onsite(user, municipality) -> bool:
    return has_role(user, municipality, Role.APPOINTMENT_MANAGER, Role.CLERK)
