"""Who may do what in which municipality."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from .models import Role, StaffRole


def roles_of(user, municipality) -> set[str]:
    if not getattr(user, "is_authenticated", False) or municipality is None:
        return set()
    cache = getattr(user, "_rathaus_roles", None)
    if cache is None:
        cache = user._rathaus_roles = {}
    if municipality.pk not in cache:
        cache[municipality.pk] = set(
            StaffRole.objects.filter(user=user, municipality=municipality).values_list(
                "role", flat=True
            )
        )
    return cache[municipality.pk]


def has_role(user, municipality, *roles: str) -> bool:
    """True if the user holds one of ``roles`` here; administrators hold every role."""
    held = roles_of(user, municipality)
    return bool(held & ({Role.ADMINISTRATOR, *roles}))


def is_staff_member(user, municipality) -> bool:
    return bool(roles_of(user, municipality) - {Role.COUNCILLOR})


def offices_of(user, municipality):
    """The office ids whose work a clerk may see; None means all offices (admin/manager)."""
    if has_role(user, municipality):  # administrator
        return None
    return set(
        StaffRole.objects.filter(
            user=user, municipality=municipality, office__isnull=False
        ).values_list("office_id", flat=True)
    )


def role_required(*roles: str):
    """View decorator: login, then one of ``roles`` in the request's municipality."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, request.municipality, *roles):
                raise PermissionDenied("Für diese Seite fehlt Ihnen die Berechtigung.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
