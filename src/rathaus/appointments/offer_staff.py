"""Staff pages to make a town's services bookable (issue 21): which service at which
locations, how long, how far ahead; the weekly windows come from the locations'
opening hours (``services.offers``). For appointment managers and administrators."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.catalog.models import Service
from rathaus.core.forms import add_parse_error
from rathaus.core.models import WEEKDAYS, Location, Role
from rathaus.core.parsing import ParseError
from rathaus.core.permissions import has_role

from .forms import BookableForm
from .models import Offer
from .services import offers as offer_services


def manager_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not has_role(request.user, request.municipality, Role.APPOINTMENT_MANAGER):
            raise PermissionDenied(_("Für diese Seite fehlt Ihnen die Berechtigung."))
        return view(request, *args, **kwargs)

    return wrapped


def _offers():
    return Offer.objects.select_related("resource__location").order_by("resource__location__name")


@manager_required
def index(request):
    services = (
        Service.objects.for_municipality(request.municipality)
        .prefetch_related(Prefetch("offers", queryset=_offers()))
        .order_by("name")
    )
    return render(request, "appointments/staff/offers.html", {"services": services})


@manager_required
def edit(request, slug):
    town = request.municipality
    service = get_object_or_404(Service.objects.for_municipality(town), slug=slug)
    current = list(_offers().filter(service=service))
    active = [o for o in current if o.is_active]
    initial = {
        "locations": [o.resource.location_id for o in active]
        or list(service.locations.values_list("pk", flat=True)),
    }
    if active:
        first = active[0]
        units = {r.unit_minutes for r in first.resource.rules.all()}
        if len(units) == 1:
            initial["duration_minutes"] = first.duration_units * units.pop()
        initial["lead_time_hours"] = first.lead_time_hours
        initial["horizon_days"] = first.horizon_days
    form = BookableForm(request.POST or None, town=town, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = offer_services.make_bookable(
                service,
                locations=data["locations"],
                duration_minutes=data["duration_minutes"],
                counters=data["counters"],
                lead_time_hours=data["lead_time_hours"],
                horizon_days=data["horizon_days"],
                refresh_windows=data["refresh_windows"],
                actor=request.user,
            )
        except ParseError as error:
            add_parse_error(form, error)
        else:
            messages.success(
                request,
                _("%(service)s ist an %(n)s Standort(en) online buchbar.")
                % {"service": service.name, "n": len(done.offers)},
            )
            return redirect("appointments:staff_offer", slug=service.slug)
    today = timezone.localdate()
    windows = []
    for location in Location.objects.for_municipality(town).order_by("name"):
        resource = offer_services.counter_of(location)
        rules = list(resource.rules.order_by("start_time")) if resource else []
        windows.append(
            {
                "rules": [str(r) for r in rules if r.valid_until is None or r.valid_until >= today],
                "hours": [_window_text(w) for w in offer_services.windows_from_hours(location)],
            }
        )
    context = {
        "service": service,
        "form": form,
        "offers": current,
        "rows": list(zip(form["locations"], windows, strict=False)),
    }
    return render(request, "appointments/staff/offer_edit.html", context)


@require_POST
@manager_required
def stop(request, slug):
    service = get_object_or_404(Service.objects.for_municipality(request.municipality), slug=slug)
    stopped = offer_services.stop_booking(service, actor=request.user)
    messages.success(
        request,
        _("%(service)s ist nicht mehr online buchbar (%(n)s Standort(e)).")
        % {"service": service.name, "n": stopped},
    )
    return redirect("appointments:staff_offer", slug=service.slug)


def _window_text(window) -> str:
    days = ", ".join(str(WEEKDAYS[d][1])[:2] for d in window.weekdays)
    return f"{days} {window.start:%H:%M}–{window.end:%H:%M}"
