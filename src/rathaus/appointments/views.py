"""Citizens' pages: choose a service and location, pick a day and time, book, confirm, manage.

Every page works without JavaScript; htmx only swaps the list of times when a day is
chosen. Personal data never appears in URLs; the e-mail links carry signed tokens.
"""

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from uuid import uuid4

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rathaus.catalog import satisfaction
from rathaus.catalog.models import SatisfactionChannel, Service
from rathaus.core.parsing import parse_optional_date, parse_optional_datetime, parse_optional_int
from rathaus.core.ratelimit import too_many

from . import antibot, capacity, combined, documents, fees, services, tokens
from .forms import ContactForm
from .models import Booking, BookingStatus, Offer
from .services import policy
from .tasks import bring_items, bring_items_for

#: Bookings that were really made: the satisfaction question is shown on their page.
SATISFACTION_STATES = {
    BookingStatus.CONFIRMED,
    BookingStatus.ARRIVED,
    BookingStatus.CALLED,
    BookingStatus.DONE,
}

CALENDAR_DAYS = 28


def active_offers(municipality):
    return (
        Offer.objects.for_municipality(municipality)
        .filter(is_active=True, resource__is_active=True, service__is_published=True)
        .select_related("service", "resource__location")
    )


def _service(request, slug) -> tuple[Service, list[Offer]]:
    offers = list(active_offers(request.municipality).filter(service__slug=slug))
    if not offers:
        raise Http404
    return offers[0].service, sorted(
        offers, key=lambda o: (o.resource.location.name, o.resource.name)
    )


def _offer(request, slug, resource_slug) -> Offer:
    return get_object_or_404(
        active_offers(request.municipality), service__slug=slug, resource__slug=resource_slug
    )


def _combined_offer(request, slug, resource_slug, source) -> tuple[Offer, list[Offer], list]:
    """The offer of ``slug`` here, the further services' offers (``dazu``, ADR 0026) and
    the (combined) offer whose units and policies apply; 404 if one isn't offered here."""
    offer = _offer(request, slug, resource_slug)
    extra_slugs = combined.extra_slugs(source, slug)
    extras = combined.offers_at(active_offers(request.municipality), resource_slug, extra_slugs)
    return offer, extras, combined.combine([offer, *extras])


def _with_extras(params: dict, extras) -> str:
    """A query string with the further services repeated as ``dazu``."""
    pairs = list(params.items()) + [("dazu", o.service.slug) for o in extras]
    return urlencode(pairs)


def _persons(request, max_persons: int) -> int:
    value = parse_optional_int(request.GET.get("personen"), "personen", default=1)
    return min(max(value, 1), max_persons)


def _day(value: str | None, field: str = "tag") -> date | None:
    return parse_optional_date(value, field)


def _start(value: str | None) -> datetime | None:
    return parse_optional_datetime(value, "start", date_only_ok=False)


def index(request):
    offers = active_offers(request.municipality).order_by("service__name")
    services_by_office: dict = {}
    for offer in offers:
        office = offer.service.office
        entries = services_by_office.setdefault(office, {})
        entries[offer.service.pk] = offer.service
    groups = sorted(
        ((office, list(items.values())) for office, items in services_by_office.items()),
        key=lambda pair: pair[0].name,
    )
    from .releases import upcoming_lotteries

    lotteries = list(upcoming_lotteries(request.municipality)[:3])
    return render(request, "appointments/index.html", {"groups": groups, "lotteries": lotteries})


def service_locations(request, slug):
    """Step 1: where? Each location with its first free time, and 'earliest anywhere'."""
    service, own_offers = _service(request, slug)
    extra_slugs = combined.extra_slugs(request.GET, slug)
    available = active_offers(request.municipality)
    # Several services in one appointment (ADR 0026): only places offering all of them.
    by_resource: dict[int, dict[str, Offer]] = {}
    for extra in available.filter(service__slug__in=extra_slugs):
        by_resource.setdefault(extra.resource_id, {})[extra.service.slug] = extra
    offers = [
        combined.combine([o, *(by_resource[o.resource_id][s] for s in extra_slugs)])
        for o in own_offers
        if all(s in by_resource.get(o.resource_id, {}) for s in extra_slugs)
    ]
    extras = {s for found in by_resource.values() for s in found}
    if set(extra_slugs) - extras:
        raise Http404
    chosen_extras = [
        next(o for found in by_resource.values() for o in found.values() if o.service.slug == s)
        for s in extra_slugs
    ]
    max_persons = max((o.max_persons for o in offers), default=1)
    persons = _persons(request, max_persons)
    usable = [o for o in offers if o.max_persons >= persons]
    earliest = capacity.earliest_anywhere(usable, persons)
    first_by_offer = {offer.pk: start for offer, start in earliest}
    query = "?" + _with_extras({"personen": persons}, chosen_extras)
    return render(
        request,
        "appointments/service.html",
        {
            "service": service,
            "rows": [(o, first_by_offer.get(o.pk)) for o in offers],
            "earliest": earliest[0] if earliest else None,
            "persons": persons,
            "person_choices": range(1, max_persons + 1),
            "horizon_changes": policy.upcoming_horizon_changes(own_offers),
            "release_changes": policy.upcoming_release_changes([o.resource_id for o in own_offers]),
            "combinable": combined.combinable_services(available, own_offers),
            "extra_slugs": extra_slugs,
            "extra_services": [o.service for o in chosen_extras],
            "query": query,
        },
    )


def calendar_context(offer: Offer, persons: int, request, time_link, extras=()) -> dict:
    """Days with free times (28 at a time) and, for the chosen day, the free times.

    ``extras``: the further services of a combined appointment, kept in the links.
    """
    services.expire_holds_if_due()
    win = capacity.window(offer)
    today = timezone.localdate()
    first = _day(request.GET.get("ab"), "ab") or today
    first = min(max(first, today), win.last_day)
    counts = capacity.days_with_free_times(offer, persons, first, CALENDAR_DAYS)
    days = [first + timedelta(days=i) for i in range(CALENDAR_DAYS)]
    days = [d for d in days if d <= win.last_day]
    chosen = _day(request.GET.get("tag"))
    if chosen is None and counts:
        chosen = min(counts)
    times = []
    if chosen:
        starts = capacity.free_starts(
            offer,
            persons,
            capacity.local(chosen, time.min),
            capacity.local(chosen + timedelta(days=1), time.min),
        )
        times = [(s, time_link(s)) for s in starts]
    base = {"personen": persons}
    earlier = first - timedelta(days=CALENDAR_DAYS)
    later = first + timedelta(days=CALENDAR_DAYS)

    def urlencode(params):  # every link of the calendar keeps the further services
        return _with_extras(params, extras)

    return {
        "offer": offer,
        "persons": persons,
        "extras_query": _with_extras({}, extras),
        "days": [
            (d, counts.get(d, 0), "?" + urlencode({**base, "ab": first, "tag": d})) for d in days
        ],
        "chosen": chosen,
        "times": times,
        "fee": offer.extended_fee
        if chosen and win.fee_applies(capacity.local(chosen, time(12)))
        else None,
        "fee_after": win.fee_after,
        "earlier_url": "?" + urlencode({**base, "ab": max(earlier, today)})
        if first > today
        else None,
        "later_url": "?" + urlencode({**base, "ab": later}) if later <= win.last_day else None,
        "months": _month_jumps(base, today, win.last_day, extras),
        "first_day": first,
        "today": today,
        "last_day": win.last_day,
    }


def _month_jumps(base: dict, today: date, last_day: date, extras=()) -> list[tuple[date, str]]:
    """One link per month up to the booking horizon: a date nine months ahead is one click,
    not six pages of "Spätere Tage"."""
    jumps, month = [], today.replace(day=1)
    while month <= last_day:
        start = max(month, today)
        jumps.append((month, "?" + _with_extras({**base, "ab": start}, extras)))
        month = (month + timedelta(days=32)).replace(day=1)
    return jumps


def calendar(request, slug, resource_slug):
    """Step 2: days with free times, then times of the chosen day (htmx swaps only the times)."""
    _own, extras, offer = _combined_offer(request, slug, resource_slug, request.GET)
    persons = _persons(request, offer.max_persons)
    book_url = reverse("appointments:details", args=[slug, resource_slug])

    def time_link(start):
        return (
            book_url + "?" + _with_extras({"start": start.isoformat(), "personen": persons}, extras)
        )

    context = calendar_context(offer, persons, request, time_link, extras)
    context["service"] = offer.service
    context["extra_services"] = [o.service for o in extras]
    if request.headers.get("HX-Request") and request.GET.get("tag"):
        return render(request, "appointments/_times.html", context)
    return render(request, "appointments/calendar.html", context)


def _taken_page(request, offer, error: services.BookingError, persons, status=409):
    book_url = reverse("appointments:details", args=[offer.service.slug, offer.resource.slug])
    extras = combined.parts_of(offer)[1:]
    alternatives = [
        (a, book_url + "?" + _with_extras({"start": a.isoformat(), "personen": persons}, extras))
        for a in error.alternatives
    ]
    return render(
        request,
        "appointments/taken.html",
        {
            "offer": offer,
            "service": offer.service,
            "error": error,
            "alternatives": alternatives,
            "persons": persons,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def details(request, slug, resource_slug):
    """Step 3: minimal data, then check your answers, then the hold."""
    source = request.POST if request.method == "POST" else request.GET
    _own, extras, offer = _combined_offer(request, slug, resource_slug, source)
    start = _start(source.get("start"))
    persons = parse_optional_int(source.get("personen"), "personen", default=1)
    if start is None or not 1 <= persons <= offer.max_persons:
        raise Http404
    win = capacity.window(offer)
    context = {
        "offer": offer,
        "service": offer.service,
        "start": start,
        "end": capacity.end_of(offer, start, persons),
        "persons": persons,
        "fee": offer.extended_fee if win.fee_applies(start) else None,
        "extra_services": [o.service for o in extras],
        "extras_query": _with_extras({}, extras),
    }
    context["bring"], context["bring_german"] = bring_items_for(combined.parts_of(offer))
    if request.method == "GET":
        if start not in capacity.free_starts(offer, persons, start, start + timedelta(days=1)):
            return _taken_page(
                request, offer, services.taken_error(offer, start, persons, staff=False), persons
            )
        return render(request, "appointments/details.html", {**context, "form": ContactForm()})
    form = ContactForm(request.POST)
    action = request.POST.get("action")
    if action == "change" or not form.is_valid():
        if action == "change":
            form = ContactForm(initial=form.data)
        return render(request, "appointments/details.html", {**context, "form": form})
    if action != "reserve":
        context["idempotency_key"] = uuid4().hex
        context["hold_minutes"] = services.HOLD_MINUTES
        context.update(antibot.form_context())
        return render(request, "appointments/check.html", {**context, "form": form})
    proof = antibot.check(request.POST)
    if not proof.ok:
        # Keep the first slow-path token so the waiting time counts from the first view.
        token = request.POST.get("langsam") if proof.wait else antibot.slow_token()
        return render(
            request,
            "appointments/check.html",
            {
                **context,
                "form": form,
                "idempotency_key": (request.POST.get("idempotency_key") or uuid4().hex)[:64],
                "hold_minutes": services.HOLD_MINUTES,
                **antibot.form_context(token),
                "proof_error": proof.message,
            },
            status=400,
        )
    return _reserve(request, offer, start, persons, form, extras)


def _reserve(request, offer, start, persons, form, extras=()):
    data = form.cleaned_data
    verdict = antibot.limit(request, "hold", data["email"], data.get("phone", ""))
    if verdict:
        return too_many(request, verdict)
    key = (request.POST.get("idempotency_key") or "")[:64] or None
    try:
        booking = services.hold(
            combined.parts_of(offer)[0],
            start,
            persons=persons,
            idempotency_key=key,
            account=request.user if request.user.is_authenticated else None,
            extra_offers=extras,
            **{f: form.cleaned_data[f] for f in ("name", "email", "phone")},
        )
    except services.BookingError as error:
        if error.reason == "taken":
            return _taken_page(request, offer, error, persons)
        if error.reason == "busy":
            from .busy import busy_response

            return busy_response(request)
        form.add_error(None, error.message)
        return render(
            request,
            "appointments/details.html",
            {
                "offer": offer,
                "service": offer.service,
                "start": start,
                "persons": persons,
                "form": form,
                "extra_services": [o.service for o in extras],
                "extras_query": _with_extras({}, extras),
            },
            status=409,
        )
    request.session["appointments_pending"] = booking.pk
    return redirect("appointments:pending")


def pending(request):
    """After the hold: please confirm by e-mail (the link is not shown here: double opt-in)."""
    pk = request.session.get("appointments_pending")
    booking = (
        Booking.objects.for_municipality(request.municipality)
        .select_related("service", "resource__location")
        .filter(pk=pk)
        .first()
    )
    if booking is None:
        return redirect("appointments:index")
    return render(
        request,
        "appointments/pending.html",
        {"booking": booking, "minutes": services.HOLD_MINUTES},
    )


def _invalid_link(request):
    return render(request, "appointments/invalid_link.html", status=404)


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """The double opt-in link: shows the booking and confirms it with one button (POST).

    A button instead of confirming on GET, because mail scanners follow links.
    """
    try:
        booking = tokens.booking_for_confirm(token, request.municipality)
    except tokens.InvalidToken:
        return _invalid_link(request)
    if request.method == "POST":
        try:
            services.confirm(booking)
        except services.BookingError as error:
            return render(
                request,
                "appointments/expired.html",
                {"error": error, "booking": booking},
                status=410,
            )
        messages.success(request, _("Ihr Termin ist bestätigt."))
        return redirect("appointments:manage", tokens.manage_token(booking))
    if booking.status != BookingStatus.RESERVED:
        return redirect("appointments:manage", tokens.manage_token(booking))
    return render(request, "appointments/confirm.html", {"booking": booking, "token": token})


def _managed(request, token) -> Booking:
    try:
        return tokens.booking_for_manage(token, request.municipality)
    except tokens.InvalidToken as exc:
        raise Http404 from exc


def manage(request, token):
    try:
        booking = tokens.booking_for_manage(token, request.municipality)
    except tokens.InvalidToken:
        return _invalid_link(request)
    return render(
        request,
        "appointments/manage.html",
        {
            "booking": booking,
            "token": token,
            "qr": documents.qr_svg_data_uri(booking),
            "bring": bring_items(booking)[0],
            "bring_german": bring_items(booking)[1],
            "can_change": booking.status in (BookingStatus.RESERVED, BookingStatus.CONFIRMED)
            and booking.starts_at > timezone.now(),
            "can_replace": booking.displaced and booking.replacement_id is None,
            "can_claim": request.user.is_authenticated and booking.account_id is None,
            "claimed": request.user.is_authenticated and booking.account_id == request.user.pk,
            "satisfaction": _satisfaction_question(booking),
            "fee_pay_url": fees.pay_url(booking, token),
        },
    )


def _satisfaction_question(booking: Booking) -> dict | None:
    """The optional question "War es einfach?" once the booking is made (ADR 0018)."""
    if booking.status not in SATISFACTION_STATES:
        return None
    return satisfaction.question(booking.service, SatisfactionChannel.BOOKING, str(booking.pk))


@require_POST
@login_required
def manage_claim(request, token):
    """Add a booking from its e-mail link to the citizen's "Meine Termine"."""
    try:
        booking = tokens.booking_for_manage(token, request.municipality)
    except tokens.InvalidToken:
        return _invalid_link(request)
    if services.claim(booking, request.user):
        messages.success(request, _("Der Termin steht jetzt unter „Meine Termine“."))
    else:
        messages.error(request, _("Dieser Termin gehört zu einem anderen Konto."))
    return redirect("appointments:manage", token)


ACTIVE = (BookingStatus.RESERVED, BookingStatus.CONFIRMED, BookingStatus.ARRIVED)


@login_required
def my_bookings(request):
    """The citizen's appointments in this town: coming ones with change and cancel links,
    and the past year's. Bookings made without logging in are added from their e-mail."""
    now = timezone.now()
    mine = (
        Booking.objects.for_municipality(request.municipality)
        .filter(account=request.user)
        .select_related("service", "resource__location")
        .prefetch_related("parts__service")
    )
    coming = [
        (b, tokens.manage_token(b))
        for b in mine.filter(starts_at__gte=now, status__in=ACTIVE).order_by("starts_at")[:50]
    ]
    past = mine.filter(starts_at__lt=now, starts_at__gte=now - timedelta(days=365)).order_by(
        "-starts_at"
    )[:50]
    return render(request, "appointments/my_bookings.html", {"coming": coming, "past": list(past)})


def manage_ics(request, token):
    booking = _managed(request, token)
    response = HttpResponse(documents.ics(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="termin-{booking.code}.ics"'
    return response


@require_http_methods(["GET", "POST"])
def manage_cancel(request, token):
    try:
        booking = tokens.booking_for_manage(token, request.municipality)
    except tokens.InvalidToken:
        return _invalid_link(request)
    if request.method == "POST":
        try:
            done = services.cancel(booking, reason="vom Bürger abgesagt")
        except services.BookingError as error:
            messages.error(request, error.message)
            return redirect("appointments:manage", token)
        if done:
            messages.success(
                request, _("Ihr Termin ist abgesagt. Sie erhalten eine Bestätigung per E-Mail.")
            )
        return redirect("appointments:manage", token)
    return render(request, "appointments/cancel.html", {"booking": booking, "token": token})


@require_http_methods(["GET", "POST"])
def manage_rebook(request, token):
    """Choose a new time for the same service and place; POST moves the booking atomically."""
    try:
        booking = tokens.booking_for_manage(token, request.municipality)
    except tokens.InvalidToken:
        return _invalid_link(request)
    displaced = booking.displaced and booking.replacement_id is None
    if booking.status not in (BookingStatus.RESERVED, BookingStatus.CONFIRMED) and not displaced:
        return redirect("appointments:manage", token)
    if request.method == "POST":
        start = _start(request.POST.get("start"))
        if start is None:
            raise Http404
        try:
            if displaced:
                new = services.rebook_displaced(booking, start)
                messages.success(request, _("Ihr neuer Termin ist gebucht."))
                return redirect("appointments:manage", tokens.manage_token(new))
            services.rebook(booking, start)
        except services.BookingError as error:
            messages.error(request, error.message)
            return redirect("appointments:rebook", token)
        messages.success(
            request, _("Ihr Termin wurde verschoben. Sie erhalten eine neue Bestätigung.")
        )
        return redirect("appointments:manage", token)
    start = _start(request.GET.get("start"))
    if start:
        return render(
            request,
            "appointments/rebook_check.html",
            {"booking": booking, "start": start, "token": token},
        )
    base = reverse("appointments:rebook", args=[token])
    context = calendar_context(
        combined.for_booking(booking),  # a combined appointment moves with all its units
        booking.persons,
        request,
        lambda s: base + "?" + urlencode({"start": s.isoformat()}),
    )
    context.update(
        {
            "booking": booking,
            "service": booking.service,
            "extra_services": booking.all_services[1:],
            "token": token,
            "rebooking": True,
        }
    )
    if request.headers.get("HX-Request") and request.GET.get("tag"):
        return render(request, "appointments/_times.html", context)
    return render(request, "appointments/calendar.html", context)
