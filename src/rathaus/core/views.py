"""Public pages of the core: offices, locations, legal pages, login, error pages."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from . import walkin
from .forms import KernFormMixin
from .models import Location, Office, Role
from .opening import schedule, upcoming_changes, weekly_table
from .permissions import is_staff_member, roles_of


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def theme_css(request):
    """The municipality's colours as CSS custom properties (CSP forbids inline styles)."""
    colour = request.municipality.primary_colour
    css = f":root {{ --rathaus-primary: {colour}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


def office_list(request):
    offices = (
        Office.objects.for_municipality(request.municipality)
        .prefetch_related(Prefetch("locations", queryset=Location.objects.order_by("name")))
        .order_by("name")
    )
    return render(request, "core/office_list.html", {"offices": offices})


def office_detail(request, slug):
    office = get_object_or_404(Office.objects.for_municipality(request.municipality), slug=slug)
    services = office.services.filter(is_published=True).order_by("name")
    return render(
        request,
        "core/office_detail.html",
        {"office": office, "locations": office.locations.all(), "services": services},
    )


def location_detail(request, slug):
    location = get_object_or_404(
        Location.objects.for_municipality(request.municipality).select_related(
            "office", "municipality"
        ),
        slug=slug,
    )
    today = timezone.localdate()
    days = schedule(location, today, 14)
    now = timezone.now()
    return render(
        request,
        "core/location_detail.html",
        {
            "location": location,
            "walk_in_status": walkin.status(location, now),
            "changes": upcoming_changes(location, today),
            "week": weekly_table(location),
            "today": days[0],
            "upcoming_closures": [d for d in days if d.closed_reason][:5],
            "services": location.services.filter(is_published=True).order_by("name"),
            "until": today + timedelta(days=13),
        },
    )


def accessibility(request):
    return render(request, "core/accessibility.html")


def easy_language(request):
    return render(request, "core/easy_language.html")


def privacy(request):
    return render(request, "core/privacy.html")


def imprint(request):
    return render(request, "core/imprint.html")


class KernAuthenticationForm(KernFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("E-Mail-Adresse oder Passwort ist falsch."),
        "inactive": _("Dieses Konto ist deaktiviert."),
    }


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = KernAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        # A module may require a second factor (settings.RATHAUS_LOGIN_SECOND_FACTOR names a
        # function (request, user) -> URL or None); the login then finishes there.
        hook = getattr(settings, "RATHAUS_LOGIN_SECOND_FACTOR", "")
        if hook:
            target = import_string(hook)(self.request, form.get_user())
            if target:
                return redirect(target)
        return super().form_valid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["login_extra_templates"] = getattr(settings, "RATHAUS_LOGIN_EXTRA_TEMPLATES", [])
        return context


def admin_login_redirect(request):
    """The Django admin's login URL leads to the one login page (second factor, throttle)."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    target = reverse("core:login")
    return redirect(f"{target}?{urlencode({'next': next_url or '/verwaltung/admin/'})}")


@login_required
def staff_home(request):
    """Entry page listing the work areas a person's roles open (councillors included)."""
    roles = roles_of(request.user, request.municipality)
    if not roles:
        raise PermissionDenied("Für diese Seite fehlt Ihnen die Berechtigung.")
    labels = dict(Role.choices)
    context = {
        "roles": sorted(roles),  # role codes: module staff-link includes test membership
        "role_labels": sorted(str(labels[r]) for r in roles),
        "can_admin": is_staff_member(request.user, request.municipality),
    }
    return render(request, "core/staff_home.html", context)


def _error(request, status, title, text):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": text, "field": None, "reason": title}, status=status)
    return render(request, "core/error.html", {"status": status, "message": text}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "bad_request", "Die Anfrage war fehlerhaft.")


def permission_denied(request, exception=None):
    return _error(request, 403, "forbidden", "Sie haben keine Berechtigung für diese Seite.")


def page_not_found(request, exception=None):
    return _error(request, 404, "not_found", "Die Seite wurde nicht gefunden.")


def server_error(request):
    return _error(request, 500, "server_error", "Ein interner Fehler ist aufgetreten.")
