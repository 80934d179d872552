"""Public pages of the core: offices, locations, legal pages, login, error pages."""

import sys
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from . import walkin
from .badinput import api_error_response, protocol_error_response
from .forms import KernFormMixin
from .models import Location, Office, Role
from .opening import schedule, upcoming_changes, weekly_table
from .ops import unavailable
from .permissions import is_staff_member, roles_of


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
    """The notice: controller and DPO of this town, and the processing list generated
    from the retention registry (the rules the jobs follow)."""
    from urllib.parse import urlsplit

    from .retention import rules

    processing = [
        {
            "area": rule.area,
            "record": rule.record,
            "purpose": rule.purpose,
            "legal_basis": rule.legal_basis,
            "recipients": rule.recipients,
            "period": rule.period_text(),
            "action": rule.action,
        }
        for rule in rules()
    ]
    tiles = getattr(settings, "PARTICIPATION_MAP_TILE_URL", "")
    context = {
        "processing": processing,
        "tile_host": urlsplit(tiles.replace("{s}", "a")).netloc if tiles else "",
        "tiles_self_hosted": bool(tiles)
        and getattr(settings, "PARTICIPATION_MAP_TILES_SELF_HOSTED", False),
    }
    return render(request, "core/privacy.html", context)


def _processing_record_allowed(request) -> None:
    from .permissions import has_role

    if not has_role(request.user, request.municipality):
        raise PermissionDenied("Für diese Seite fehlt Ihnen die Berechtigung.")


@login_required
def processing_record(request):
    """Art. 30 DSGVO: the record of processing activities as CSV, for administrators."""
    import csv

    from .retention import ART30_COLUMNS, art30_rows

    _processing_record_allowed(request)
    town = request.municipality
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="verarbeitungsverzeichnis-{town.slug}.csv"'
    )
    response.write("\ufeff")  # Excel opens UTF-8 CSV correctly with a BOM
    writer = csv.writer(response, delimiter=";")
    writer.writerow(["Verantwortlicher", town.name, town.address.replace("\n", ", "), town.email])
    writer.writerow(["Datenschutzbeauftragte/r", town.dpo_name, town.dpo_email, town.dpo_phone])
    writer.writerow([])
    writer.writerow(ART30_COLUMNS)
    writer.writerows(art30_rows())
    return response


@login_required
def processing_record_pdf(request):
    """The same record as a PDF to sign and file."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from .retention import ART30_COLUMNS, art30_rows

    _processing_record_allowed(request)
    context = {
        "town": request.municipality,
        "columns": ART30_COLUMNS,
        "rows": art30_rows(),
        "generated": timezone.localtime(),
    }
    html = render_to_string("core/processing_record.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    slug = request.municipality.slug
    response["Content-Disposition"] = f'attachment; filename="verarbeitungsverzeichnis-{slug}.pdf"'
    return response


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

    def get_template_names(self):
        if getattr(self.request, "operator_host", False):  # no town here (issue 21)
            return ["core/land/login.html"]
        return super().get_template_names()

    def get_default_redirect_url(self):
        if getattr(self.request, "operator_host", False):
            return reverse("land:index")
        return super().get_default_redirect_url()

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
        "is_administrator": Role.ADMINISTRATOR in roles,
    }
    return render(request, "core/staff_home.html", context)


def _error(request, status, title, text):
    protocol = protocol_error_response(request, status, text)
    if protocol is not None:
        return protocol
    if request.path.startswith("/api/"):
        return api_error_response(status, title, text)
    return render(request, "core/error.html", {"status": status, "message": text}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "bad_request", "Die Anfrage war fehlerhaft.")


def permission_denied(request, exception=None):
    return _error(request, 403, "forbidden", "Sie haben keine Berechtigung für diese Seite.")


def page_not_found(request, exception=None):
    return _error(request, 404, "not_found", "Die Seite wurde nicht gefunden.")


def server_error(request):
    # Called inside Django's exception handler: a database that is down or restarting
    # gets the German 503 with Retry-After (the request may be repeated), never a 500.
    exception = sys.exc_info()[1]
    if unavailable.handles(exception):
        return unavailable.response(request, exception)
    return _error(request, 500, "server_error", "Ein interner Fehler ist aufgetreten.")
