"""Public screens: overview, kiosk, printable ticket, call display, signal sound."""

import secrets

from django.core import signing
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from rathaus.core.models import Location
from rathaus.core.ratelimit import client_ip, hit

from . import kiosk_device, services
from .models import ServiceGroup, Ticket, TicketStatus
from .signal import gong_wav

TICKET_SALT = "onsite.ticket"
CALLS_SHOWN = 6
NONCE_SECONDS = 120


def _location(request, slug) -> Location:
    return get_object_or_404(Location.objects.for_municipality(request.municipality), slug=slug)


def _lang(request) -> str:
    value = request.POST.get("lang") or request.GET.get("lang")
    return "en" if value == "en" else "de"


def ticket_token(ticket: Ticket) -> str:
    return signing.dumps(ticket.pk, salt=TICKET_SALT)


def overview(request):
    """Public: current walk-in waits per location, links to kiosk and call display."""
    locations = (
        Location.objects.for_municipality(request.municipality)
        .filter(service_groups__isnull=False)
        .distinct()
        .order_by("name")
    )
    rows = [(loc, services.rounded(services.estimated_wait(loc))) for loc in locations]
    return render(request, "onsite/overview.html", {"rows": rows})


def _groups(location):
    groups = list(ServiceGroup.objects.filter(location=location).prefetch_related("services"))
    today = timezone.localdate()
    for group in groups:
        group.wait = services.rounded(services.group_wait(group))
        drawn = group.tickets.filter(day=today, kind=Ticket.Kind.WALK_IN).count()
        group.left = max(0, group.daily_contingent - drawn)
    return groups


def _not_a_kiosk(request, location, lang):
    """Public visitors get the wait and the walk-in hours, not a number."""
    with translation.override(lang):
        context = {
            "location": location,
            "lang": lang,
            "wait": services.rounded(services.estimated_wait(location)),
            "next_walk_in": services.next_walk_in_hours(location),
        }
        return render(request, "onsite/kiosk_inactive.html", context, status=403)


def kiosk(request, slug):
    location = _location(request, slug)
    lang = _lang(request)
    if not kiosk_device.is_kiosk(request, location):
        return _not_a_kiosk(request, location, lang)
    with translation.override(lang):
        context = {
            "location": location,
            "groups": _groups(location),
            "lang": lang,
            "nonce": secrets.token_hex(8),
        }
        try:
            services.check_open(location, timezone.now())
        except services.QueueError as closed:
            context.update(
                {"notice": closed.message, "next_walk_in": closed.next_walk_in, "closed": True}
            )
        return render(request, "onsite/kiosk.html", context)


@require_POST
def kiosk_draw(request, slug):
    location = _location(request, slug)
    lang = _lang(request)
    if not kiosk_device.is_kiosk(request, location):
        return _not_a_kiosk(request, location, lang)
    group = ServiceGroup.objects.filter(location=location, slug=request.POST.get("group")).first()
    # A double tap on the touch screen sends the same form twice: same number.
    nonce_key = _nonce_key(request)
    earlier = _drawn_with(nonce_key, location)
    if earlier is not None:
        return redirect(_ticket_url(earlier, lang))
    with translation.override(lang):
        if group is None:
            return _kiosk_error(
                request, location, lang, translation.gettext("Bitte wählen Sie Ihr Anliegen.")
            )
        try:
            ticket = services.draw(group)
        except services.QueueError as error:
            return _kiosk_error(request, location, lang, error.message, error.next_walk_in)
    if nonce_key:
        cache.set(nonce_key, ticket.pk, NONCE_SECONDS)
    return redirect(_ticket_url(ticket, lang))


def _drawn_with(nonce_key, location) -> Ticket | None:
    if not nonce_key:
        return None
    return Ticket.objects.filter(pk=cache.get(nonce_key), location=location).first()


def _nonce_key(request) -> str | None:
    nonce = request.POST.get("nonce", "")
    if not (8 <= len(nonce) <= 64 and nonce.isalnum()):
        return None
    return f"onsite:kiosk-nonce:{request.municipality.pk}:{nonce}"


@require_POST
def kiosk_check_in(request, slug):
    location = _location(request, slug)
    lang = _lang(request)
    if not kiosk_device.is_kiosk(request, location):
        return _not_a_kiosk(request, location, lang)
    with translation.override(lang):
        # Booking codes are short: limit guessing per kiosk address.
        verdict = hit("onsite.checkin", client_ip(request), 20, 600)
        if not verdict.allowed:
            return _kiosk_error(
                request,
                location,
                lang,
                translation.gettext("Zu viele Versuche. Bitte wenden Sie sich an den Empfang."),
                status=429,
            )
        try:
            ticket = services.check_in(location, request.POST.get("code", ""))
        except services.QueueError as error:
            return _kiosk_error(request, location, lang, error.message, field="code")
    return redirect(_ticket_url(ticket, lang))


def _kiosk_error(request, location, lang, message, next_walk_in=None, field=None, status=422):
    context = {
        "location": location,
        "groups": _groups(location),
        "lang": lang,
        "error": message,
        "error_field": field,
        "next_walk_in": next_walk_in,
        "code": request.POST.get("code", ""),
        "nonce": secrets.token_hex(8),
    }
    return render(request, "onsite/kiosk.html", context, status=status)


def _ticket_url(ticket, lang) -> str:
    url = reverse("onsite:ticket", args=[ticket.location.slug, ticket_token(ticket)])
    return f"{url}?lang=en" if lang == "en" else url


def ticket(request, slug, token):
    location = _location(request, slug)
    try:
        pk = signing.loads(token, salt=TICKET_SALT, max_age=60 * 60 * 24)
    except signing.BadSignature:
        raise Http404 from None
    ticket = get_object_or_404(Ticket.objects.select_related("group"), pk=pk, location=location)
    ahead = None
    if ticket.status == TicketStatus.WAITING:
        ahead = Ticket.objects.filter(
            location=location,
            day=ticket.day,
            status=TicketStatus.WAITING,
            group=ticket.group,
            created_at__lt=ticket.created_at,
        ).count()
    wait = services.rounded(services.group_wait(ticket.group)) if ticket.group else None
    lang = _lang(request)
    with translation.override(lang):
        return render(
            request,
            "onsite/ticket.html",
            {"location": location, "ticket": ticket, "ahead": ahead, "wait": wait, "lang": lang},
        )


def _calls(location):
    today = timezone.localdate()
    return list(
        Ticket.objects.filter(location=location, day=today, status=TicketStatus.CALLED)
        .select_related("counter")
        .order_by("-last_called_at")[:CALLS_SHOWN]
    )


def display(request, slug):
    location = _location(request, slug)
    return render(request, "onsite/display.html", {"location": location, "calls": _calls(location)})


@cache_control(no_store=True)
def display_calls(request, slug):
    """The live part of the display, polled by htmx every few seconds."""
    location = _location(request, slug)
    return render(
        request, "onsite/_display_calls.html", {"location": location, "calls": _calls(location)}
    )


@cache_control(max_age=86400, public=True)
def signal_sound(request):
    return HttpResponse(gong_wav(), content_type="audio/wav")
