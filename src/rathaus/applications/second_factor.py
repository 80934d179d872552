"""The second factor on every login path, and 2FA required for staff.

Login pages hand over to ``accounts.two_factor`` after the password; but a session
can also start elsewhere (the Django admin's own login, OpenID Connect, a session
from before the user switched 2FA on). This middleware is the one place that
decides: a user with a confirmed authenticator is only logged in once this session
has seen a valid code, and where 2FA is required for staff (installation setting
``RATHAUS_STAFF_2FA_REQUIRED`` or ``Municipality.staff_2fa_required``), a staff
member without an authenticator may only open the setup page.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from rathaus.core.models import StaffRole

from .models import TotpDevice

VERIFIED = "applications_2fa_verified"


def mark_verified(request) -> None:
    """Call right after a valid TOTP or recovery code (login or setup)."""
    request.session[VERIFIED] = True


def is_staff_account(user) -> bool:
    return user.is_staff or user.is_superuser or StaffRole.objects.filter(user=user).exists()


def staff_2fa_required(municipality) -> bool:
    if getattr(settings, "RATHAUS_STAFF_2FA_REQUIRED", False):
        return True
    return bool(municipality is not None and municipality.staff_2fa_required)


def _setup_paths() -> tuple[str, ...]:
    return (
        reverse("applications:two_factor_setup"),
        reverse("core:logout"),
        "/static/",
        "/i18n/",
    )


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.session.get(VERIFIED):
            return self.get_response(request)
        if TotpDevice.objects.filter(user=user, confirmed=True).exists():
            # Logged in without the code (admin login, OIDC, old session): start over.
            logout(request)
            messages.error(request, "Bitte melden Sie sich erneut an, mit Ihrem Sicherheitscode.")
            return self._refuse(request, reverse("core:login"))
        if (
            staff_2fa_required(getattr(request, "municipality", None))
            and is_staff_account(user)
            and not request.path.startswith(_setup_paths())
        ):
            messages.info(
                request,
                "Für Mitarbeitende ist die Zwei-Faktor-Anmeldung vorgeschrieben. "
                "Bitte richten Sie sie jetzt ein.",
            )
            return self._refuse(request, reverse("applications:two_factor_setup"))
        return self.get_response(request)

    @staticmethod
    def _refuse(request, target: str):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "Zweiter Faktor erforderlich.", "field": None, "reason": "2fa_required"},
                status=403,
            )
        return redirect(target)
