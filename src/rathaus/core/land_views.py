"""The Land operator's pages (/land/): every town of the installation, onboarding a
town with its locations, usage and health (issue 21).

Served on the operator's host (settings.RATHAUS_OPERATOR_HOSTS), where no town is
resolved, and on any town host; only installation operators (superusers) enter.
"""

from functools import wraps

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import location_pages, onboarding, tenancy
from .forms import add_parse_error
from .land_forms import LocationForm, TownEditForm, TownForm
from .models import AuditEntry, Location, Municipality, MunicipalityHost, Role, StaffRole
from .parsing import ParseError

# Usage per town: one grouped count per model (read-only; the apps stay unaware).
USAGE = [
    ("catalog.Service", _lazy("Leistungen")),
    ("appointments.Booking", _lazy("Termine")),
    ("applications.Application", _lazy("Anträge")),
    ("participation.Report", _lazy("Meldungen")),
]


def operator_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_superuser:
            raise PermissionDenied(_("Nur der Betrieb der Installation hat hier Zutritt."))
        return view(request, *args, **kwargs)

    return wrapped


def _usage(town_ids) -> dict[int, list[int]]:
    figures: dict[int, list[int]] = {pk: [] for pk in town_ids}
    for label, _title in USAGE:
        model = apps.get_model(label)
        counts = dict(
            model.objects.filter(municipality__in=town_ids)
            .values_list("municipality")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for pk in town_ids:
            figures[pk].append(counts.get(pk, 0))
    return figures


def health(town, *, hosts, admins: int, locations: int, services: int) -> list[str]:
    """What still keeps the town from working; empty means ready."""
    missing = []
    if not hosts:
        missing.append(_("kein Hostname"))
    if not admins:
        missing.append(_("keine Administration"))
    if not locations:
        missing.append(_("kein Standort"))
    if not services:
        missing.append(_("keine Leistungen"))
    if not town.base_url:
        missing.append(_("keine Portaladresse für E-Mails"))
    if not town.mail_sender:
        missing.append(_("kein eigener Absender"))
    return missing


@operator_required
def index(request):
    last = AuditEntry.objects.filter(municipality=OuterRef("pk")).order_by("-id")
    towns = list(
        Municipality.objects.annotate(last_activity=Subquery(last.values("created_at")[:1]))
        .prefetch_related(Prefetch("hosts", queryset=MunicipalityHost.objects.order_by("pk")))
        .order_by("name")
    )
    ids = [town.pk for town in towns]
    usage = _usage(ids)
    admins = dict(
        StaffRole.objects.filter(municipality__in=ids, role=Role.ADMINISTRATOR)
        .values_list("municipality")
        .annotate(n=Count("pk"))
        .order_by()
    )
    locations = dict(
        Location.objects.filter(municipality__in=ids)
        .values_list("municipality")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = []
    for town in towns:
        hosts = [h.host for h in town.hosts.all()]
        rows.append(
            {
                "town": town,
                "hosts": hosts,
                "usage": usage[town.pk],
                "missing": health(
                    town,
                    hosts=hosts,
                    admins=admins.get(town.pk, 0),
                    locations=locations.get(town.pk, 0),
                    services=usage[town.pk][0],
                ),
            }
        )
    context = {"rows": rows, "usage_titles": [title for _label, title in USAGE]}
    return render(request, "core/land/index.html", context)


@operator_required
def town_new(request):
    form = TownForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = onboarding.onboard_town(
                name=data["name"],
                ags=data["ags"],
                hosts=data["hosts"],
                base_url=data["base_url"],
                mail_sender=data["mail_sender"],
                logo=data["logo"] or None,
                admin_email=data["admin_email"],
                actor=request.user,
            )
        except ParseError as error:
            add_parse_error(form, error)
        else:
            if done.invited:
                messages.success(
                    request,
                    _("Die Kommune ist angelegt; die Einladung an %(email)s ist unterwegs.")
                    % {"email": done.admin.email},
                )
            else:
                messages.success(request, _("Die Kommune ist angelegt."))
            return redirect("land:town", slug=done.town.slug)
    return render(request, "core/land/town_new.html", {"form": form})


@operator_required
def town_detail(request, slug):
    town = get_object_or_404(Municipality, slug=slug)
    form = LocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            location = onboarding.add_location(
                town,
                office_name=data["office_name"],
                name=data["name"],
                street=data["street"],
                postcode=data["postcode"],
                city=data["city"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                windows=data["windows"],
                actor=request.user,
            )
        except ParseError as error:
            add_parse_error(form, error)
        else:
            messages.success(
                request, _("Der Standort %(name)s ist angelegt.") % {"name": location.name}
            )
            return redirect("land:town", slug=town.slug)
    locations = (
        Location.objects.for_municipality(town)
        .select_related("office")
        .prefetch_related("opening_hours")
        .order_by("office__name", "name")
    )
    context = {
        "town": town,
        "hosts": list(town.hosts.order_by("pk").values_list("host", flat=True)),
        "portal": tenancy.public_base_url(town),
        "admins": StaffRole.objects.for_municipality(town)
        .filter(role=Role.ADMINISTRATOR)
        .select_related("user"),
        "locations": locations,
        "services": apps.get_model("catalog.Service").objects.filter(municipality=town).count(),
        "form": form,
    }
    return render(request, "core/land/town_detail.html", context)


def operator_host_only(view):
    """Editing a town's settings only under the operator's address (a town's host
    answers 404): changing host names there could cut off the page one stands on."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not getattr(request, "operator_host", False):
            raise Http404(_("Diese Seite gibt es nur unter der Adresse des Betriebs."))
        return view(request, *args, **kwargs)

    return wrapped


@operator_host_only
@operator_required
def town_edit(request, slug):
    town = get_object_or_404(Municipality, slug=slug)
    form = TownEditForm(
        request.POST or None, request.FILES or None, initial=TownEditForm.initial_from(town)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = onboarding.update_town(
                town,
                name=data["name"],
                hosts=data["hosts"],
                base_url=data["base_url"],
                mail_sender=data["mail_sender"],
                logo=data["logo"] or None,
                remove_logo=data["remove_logo"],
                actor=request.user,
            )
        except ParseError as error:
            add_parse_error(form, error)
        else:
            if changed:
                messages.success(request, _("Die Angaben der Kommune sind gespeichert."))
            else:
                messages.info(request, _("Nichts geändert."))
            return redirect("land:town", slug=town.slug)
    return render(request, "core/land/town_edit.html", {"town": town, "form": form})


@operator_host_only
@operator_required
def location_edit(request, slug, pk):
    town = get_object_or_404(Municipality, slug=slug)
    return location_pages.location_page(
        request,
        town,
        pk,
        base="core/land/base.html",
        back_url=reverse("land:town", args=[town.slug]),
        here_url=request.path,
    )


@operator_host_only
@operator_required
def office_edit(request, slug, pk):
    town = get_object_or_404(Municipality, slug=slug)
    return location_pages.office_page(
        request,
        town,
        pk,
        base="core/land/base.html",
        back_url=reverse("land:town", args=[town.slug]),
        here_url=request.path,
    )
