"""Who sees which bookings: appointment managers all, clerks only their office's."""

from rathaus.core.models import Role, StaffRole
from rathaus.core.permissions import has_role


def can_manage(user, municipality) -> bool:
    return has_role(user, municipality, Role.APPOINTMENT_MANAGER, Role.CLERK)


def visible_office_ids(user, municipality) -> set[int] | None:
    """None = every office (administrator, appointment manager); else the clerk's offices."""
    if has_role(user, municipality, Role.APPOINTMENT_MANAGER):
        return None
    return set(
        StaffRole.objects.filter(
            user=user, municipality=municipality, role=Role.CLERK, office__isnull=False
        ).values_list("office_id", flat=True)
    )


def scope(queryset, user, municipality, office_path: str):
    """Limit a queryset of this municipality to the offices the user may see."""
    offices = visible_office_ids(user, municipality)
    queryset = queryset.filter(municipality=municipality)
    if offices is None:
        return queryset
    return queryset.filter(**{f"{office_path}__in": offices})
