"""Counter workstation for clerks (their office's locations) and appointment managers."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.catalog.models import Service
from rathaus.core import audit
from rathaus.core.models import Location

from . import kiosk_device, services
from .models import Counter, ServiceGroup, Ticket, TicketStatus
from .permissions import locations_for, may_use_onsite, require_location


def onsite_staff(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_use_onsite(request.user, request.municipality):
            raise PermissionDenied(_("Für diese Seite fehlt Ihnen die Berechtigung."))
        return view(request, *args, **kwargs)

    return wrapped


@onsite_staff
def home(request):
    locations = (
        locations_for(request.user, request.municipality)
        .filter(counters__isnull=False)
        .distinct()
        .order_by("name")
    )
    kiosks = kiosk_device.locations_of(request)
    rows = [(loc, list(loc.counters.all()), loc.pk in kiosks) for loc in locations]
    return render(request, "onsite/staff_home.html", {"rows": rows})


@onsite_staff
@require_POST
def kiosk_activation(request, slug):
    """Switch this device on (or off) as the kiosk of a location the user works at."""
    location = get_object_or_404(locations_for(request.user, request.municipality), slug=slug)
    switch_on = not request.POST.get("off")
    if switch_on:
        response = redirect("onsite:kiosk", slug=location.slug)
        kiosk_device.activate(request, response, location)
        messages.success(request, _("Dieses Gerät ist jetzt Kiosk."))
    else:
        response = redirect("onsite:staff_home")
        kiosk_device.deactivate(request, response, location)
        messages.success(request, _("Dieses Gerät ist kein Kiosk mehr."))
    audit.record("onsite.kiosk_device", location, actor=request.user, data={"on": switch_on})
    return response


def _counter(request, slug, number) -> Counter:
    location = get_object_or_404(Location.objects.for_municipality(request.municipality), slug=slug)
    require_location(request.user, request.municipality, location)
    return get_object_or_404(
        Counter.objects.select_related("location"), location=location, number=number
    )


def _queue_context(counter) -> dict:
    waiting = list(
        Ticket.objects.filter(
            location=counter.location, day=timezone.localdate(), status=TicketStatus.WAITING
        )
        .select_related("group", "target_counter")
        .order_by("created_at")
    )
    return {
        "counter": counter,
        "location": counter.location,
        "waiting": waiting,
        "wait": services.rounded(services.estimated_wait(counter.location)),
    }


@onsite_staff
def queue(request, slug, number):
    """The waiting list alone, refreshed by htmx on the workstation."""
    counter = _counter(request, slug, number)
    return render(request, "onsite/_queue.html", _queue_context(counter))


@onsite_staff
def workstation(request, slug, number):
    counter = _counter(request, slug, number)
    location = counter.location
    current = services.current_ticket(counter)
    groups = list(ServiceGroup.objects.filter(location=location).prefetch_related("services"))
    handled_choices = []
    if current:
        group_services = current.group.services.all() if current.group else Service.objects.none()
        handled_choices = list(group_services)
        if current.booking_id and current.booking.service not in handled_choices:
            handled_choices.insert(0, current.booking.service)
    context = {
        **_queue_context(counter),
        "current": current,
        "groups": groups,
        "other_counters": Counter.objects.filter(location=location).exclude(pk=counter.pk),
        "handled_choices": handled_choices,
        "preselected": {current.booking.service_id} if current and current.booking_id else set(),
        "rules": services.rules_for(location),
    }
    return render(request, "onsite/workstation.html", context)


ACTIONS = {"open", "close", "call", "recall", "missed", "transfer", "finish"}
CLOSING_ACTIONS = {"finish", "missed"}  # end the current ticket; may call the next one at once


@onsite_staff
@require_POST
def action(request, slug, number, name):
    if name not in ACTIONS:
        raise PermissionDenied
    counter = _counter(request, slug, number)
    try:
        _run(request, counter, name)
        if name in CLOSING_ACTIONS and request.POST.get("then") == "call":
            _run(request, counter, "call")  # "Abschließen und nächste Person": one action
    except services.QueueError as error:
        messages.error(request, error.message)
    return redirect("onsite:workstation", slug=slug, number=number)


def _ticket(request, counter) -> Ticket:
    return get_object_or_404(Ticket, pk=request.POST.get("ticket"), location=counter.location)


def _run(request, counter, name) -> None:
    user = request.user
    if name == "open":
        services.open_counter(counter, actor=user)
        messages.success(request, _("%(c)s ist geöffnet.") % {"c": counter.name})
    elif name == "close":
        if services.current_ticket(counter):
            raise services.QueueError(_("Bitte schließen Sie zuerst den aktuellen Vorgang ab."))
        services.close_counter(counter, actor=user)
        messages.success(request, _("%(c)s ist geschlossen.") % {"c": counter.name})
    elif name == "call":
        ticket = services.call_next(counter, actor=user)
        if ticket is None:
            messages.info(request, _("Niemand wartet auf diesen Schalter."))
        else:
            messages.success(request, _("%(t)s aufgerufen.") % {"t": ticket.label})
    elif name == "recall":
        ticket = services.recall(counter, _ticket(request, counter), actor=user)
        messages.success(request, _("%(t)s erneut aufgerufen.") % {"t": ticket.label})
    elif name == "missed":
        ticket = services.mark_missed(counter, _ticket(request, counter), actor=user)
        messages.success(request, _("%(t)s als nicht erschienen markiert.") % {"t": ticket.label})
    elif name == "transfer":
        _transfer(request, counter)
    elif name == "finish":
        handled = Service.objects.for_municipality(request.municipality).filter(
            pk__in=request.POST.getlist("services")
        )
        ticket = services.finish(counter, _ticket(request, counter), handled, actor=user)
        messages.success(request, _("%(t)s abgeschlossen.") % {"t": ticket.label})


def _transfer(request, counter) -> None:
    target = request.POST.get("target", "")
    kind, _sep, value = target.partition(":")
    to_counter = to_group = None
    if kind == "counter":
        to_counter = Counter.objects.filter(location=counter.location, pk=value or 0).first()
    elif kind == "group":
        to_group = ServiceGroup.objects.filter(location=counter.location, pk=value or 0).first()
    ticket = services.transfer(
        counter,
        _ticket(request, counter),
        actor=request.user,
        to_counter=to_counter,
        to_group=to_group,
    )
    messages.success(request, _("%(t)s weitergeleitet.") % {"t": ticket.label})
