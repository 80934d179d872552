"""Staff pages: day and week view by counter, search, booking for a caller, counter
states, blocking time, CSV export. Appointment managers see everything; clerks only
their office's locations (``permissions.scope``)."""

import csv
import uuid
from datetime import date, time, timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.core import audit
from rathaus.core.parsing import parse_optional_date, parse_optional_int

from . import capacity, services
from .forms import BlockForm, CallerForm, ExtraSlotsForm
from .models import Booking, BookingStatus, CapacityException, Offer, Resource
from .permissions import can_manage, scope


def staff_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can_manage(request.user, request.municipality):
            raise PermissionDenied(_("Für diese Seite fehlt Ihnen die Berechtigung."))
        return view(request, *args, **kwargs)

    return wrapped


def resources_for(request):
    return scope(
        Resource.objects.select_related("location__office"),
        request.user,
        request.municipality,
        "location__office",
    ).order_by("location__name", "name")


def bookings_for(request):
    return scope(
        # parts: the further services of combined appointments (ADR 0026)
        Booking.objects.select_related("service", "resource__location").prefetch_related(
            "parts__service"
        ),
        request.user,
        request.municipality,
        "resource__location__office",
    )


def _date(value, field: str, default=None) -> date:
    return parse_optional_date(value, field) or default or timezone.localdate()


def _day_bounds(day: date):
    return capacity.local(day, time.min), capacity.local(day + timedelta(days=1), time.min)


@staff_required
def home(request):
    today = timezone.localdate()
    start, end = _day_bounds(today)
    resources = list(resources_for(request))
    counts = dict(
        bookings_for(request)
        .filter(starts_at__gte=start, starts_at__lt=end, status__in=_shown_states())
        .values_list("resource_id")
        .annotate(n=Sum("persons"))
    )
    return render(
        request,
        "appointments/staff/home.html",
        {"rows": [(r, counts.get(r.pk, 0)) for r in resources], "today": today},
    )


def _shown_states():
    return [
        BookingStatus.RESERVED,
        BookingStatus.CONFIRMED,
        BookingStatus.ARRIVED,
        BookingStatus.CALLED,
        BookingStatus.DONE,
        BookingStatus.NO_SHOW,
    ]


def assign_counters(bookings) -> list[list[Booking]]:
    """Interval colouring: give each booking a counter so none overlap at one counter.

    Sorting by start and taking the first counter free again is optimal for
    intervals, so it never needs more counters than the per-unit maximum.
    """
    counters: list[list[Booking]] = []
    for booking in sorted(bookings, key=lambda b: (b.starts_at, b.pk)):
        for column in counters:
            if column[-1].ends_at <= booking.starts_at:
                column.append(booking)
                break
        else:
            counters.append([booking])
    return counters


@staff_required
def day_view(request, slug):
    resource = get_object_or_404(resources_for(request), slug=slug)
    day = _date(request.GET.get("datum"), "datum")
    start, end = _day_bounds(day)
    bookings = list(
        bookings_for(request).filter(
            resource=resource, starts_at__gte=start, starts_at__lt=end, status__in=_shown_states()
        )
    )
    slots = list(resource.slots.filter(starts_at__gte=start, starts_at__lt=end))
    counters = assign_counters(bookings)
    places = max([s.capacity for s in slots] + [len(counters)] + [0])
    cancelled = bookings_for(request).filter(
        resource=resource, starts_at__gte=start, starts_at__lt=end, status=BookingStatus.CANCELLED
    )
    return render(
        request,
        "appointments/staff/day.html",
        {
            "resource": resource,
            "day": day,
            "counters": counters + [[] for _ in range(places - len(counters))],
            "slots": slots,
            "cancelled": cancelled,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "holiday": capacity.holiday_name(request.municipality, day),
        },
    )


@staff_required
def week_view(request, slug):
    """Per hour and day: booked places of all places (capacity), for the week of ``datum``."""
    resource = get_object_or_404(resources_for(request), slug=slug)
    day = _date(request.GET.get("datum"), "datum")
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=i) for i in range(7)]
    grid: dict[tuple[date, int], list[int]] = {}
    slots = resource.slots.filter(
        starts_at__gte=_day_bounds(monday)[0], starts_at__lt=_day_bounds(days[-1])[1]
    ).values_list("starts_at", "capacity", "booked", "walk_in_only")
    for starts_at, cap, booked, walk_in in slots:
        local = starts_at.astimezone(capacity.TZ)
        cell = grid.setdefault((local.date(), local.hour), [0, 0, 0])
        cell[0] += booked
        cell[1] += cap
        cell[2] += int(walk_in)
    hours = sorted({hour for _day, hour in grid})
    rows = [(hour, [(d, grid.get((d, hour))) for d in days]) for hour in hours]
    return render(
        request,
        "appointments/staff/week.html",
        {
            "resource": resource,
            "days": days,
            "rows": rows,
            "previous": monday - timedelta(days=7),
            "next": monday + timedelta(days=7),
        },
    )


@staff_required
def search(request):
    """Search by POST: names and addresses stay out of URLs and access logs; every
    search is audited with the ids it showed (not the search text)."""
    query = (request.POST.get("q") or "").strip() if request.method == "POST" else ""
    results = []
    if query:
        results = list(
            bookings_for(request)
            .filter(Q(code=query.upper()) | Q(name__icontains=query) | Q(email__iexact=query))
            .order_by("-starts_at")[:50]
        )
        audit.record_access(
            request,
            "appointments.staff_search",
            request.municipality,
            data={"hits": len(results), "bookings": [b.pk for b in results]},
        )
    return render(request, "appointments/staff/search.html", {"query": query, "results": results})


@staff_required
def booking_detail(request, code):
    booking = get_object_or_404(bookings_for(request), code=code.upper())
    audit.record_access(request, "appointments.booking_viewed", booking)
    return render(
        request,
        "appointments/staff/booking.html",
        {
            "booking": booking,
            "transitions": [
                (status, BookingStatus(status).label)
                for status, sources in services.STAFF_TRANSITIONS.items()
                if booking.status in sources and status != BookingStatus.CALLED
            ],
            "can_cancel": booking.status in (BookingStatus.RESERVED, BookingStatus.CONFIRMED),
        },
    )


@staff_required
@require_POST
def booking_action(request, code):
    booking = get_object_or_404(bookings_for(request), code=code.upper())
    action = request.POST.get("action", "")
    if action == "cancel":
        done = services.cancel(booking, actor=request.user, reason=_("von der Verwaltung abgesagt"))
    elif action == "refund_done":
        done = services.record_fee_refunded(booking, actor=request.user)
    elif action in services.STAFF_TRANSITIONS:
        done = services.mark(booking, action, actor=request.user)
    else:
        raise Http404
    if done:
        messages.success(request, _("Gespeichert."))
    else:
        messages.error(request, _("Dieser Schritt ist im aktuellen Status nicht möglich."))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("appointments:staff_booking", booking.code)


def _offers_for(request):
    return scope(
        Offer.objects.filter(is_active=True).select_related("service", "resource__location"),
        request.user,
        request.municipality,
        "resource__location__office",
    ).order_by("resource__location__name", "service__name")


@staff_required
def book_for_caller(request):
    """Telephone booking: choose offer and day, then a time and the caller's data."""
    offers = list(_offers_for(request))
    offer = next((o for o in offers if str(o.pk) == request.GET.get("angebot", "")), None)
    day = _date(request.GET.get("tag"), "tag")
    persons = parse_optional_int(request.GET.get("personen"), "personen", default=1)
    persons = max(1, min(10, persons))
    context = {"offers": offers, "offer": offer, "day": day, "persons": persons}
    if offer is None:
        return render(request, "appointments/staff/book.html", context)
    start, end = _day_bounds(day)
    times = capacity.free_starts(offer, persons, start, end, staff=True)
    form = CallerForm(request.POST or None, initial={"persons": persons})
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.hold(
                offer,
                form.cleaned_data["start"],
                name=form.cleaned_data["name"],
                email=form.cleaned_data["email"],
                phone=form.cleaned_data["phone"],
                persons=form.cleaned_data["persons"],
                idempotency_key=(request.POST.get("idempotency_key") or "")[:64] or None,
                actor=request.user,
            )
        except services.BookingError as error:
            form.add_error(None, error.message)
        else:
            if form.cleaned_data["note"]:
                services.set_note(booking, form.cleaned_data["note"], actor=request.user)
            messages.success(
                request, _("Termin gebucht. Buchungscode: %(code)s") % {"code": booking.code}
            )
            return redirect("appointments:staff_booking", booking.code)

    context.update({"times": times, "form": form, "idempotency_key": uuid.uuid4().hex})
    return render(request, "appointments/staff/book.html", context)


@staff_required
def block(request, slug):
    resource = get_object_or_404(resources_for(request), slug=slug)
    form = BlockForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        displaced = services.block_time(
            resource,
            data["date"],
            data["start_time"],
            data["end_time"],
            counters=data["counters"] or None,
            reason=data["reason"],
            actor=request.user,
        )
        messages.success(
            request,
            _(
                "Zeit gesperrt. %(n)s Termin(e) mussten abgesagt werden; die Betroffenen "
                "wurden per E-Mail benachrichtigt und können online neu buchen."
            )
            % {"n": len(displaced)},
        )
        url = reverse("appointments:staff_day", args=[resource.slug])
        return redirect(f"{url}?datum={data['date'].isoformat()}")
    return render(request, "appointments/staff/block.html", {"resource": resource, "form": form})


@staff_required
def extra_slots(request, slug):
    """Release additional day slots (Tagestermine) beyond the weekly rules."""
    resource = get_object_or_404(resources_for(request), slug=slug)
    form = ExtraSlotsForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.save_exception(
            CapacityException(
                resource=resource,
                kind=CapacityException.Kind.EXTRA,
                date=data["date"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                counters=data["counters"],
                unit_minutes=data["unit_minutes"],
                reason=data["reason"],
            ),
            actor=request.user,
        )
        messages.success(request, _("Zusätzliche Termine sind jetzt online buchbar."))
        url = reverse("appointments:staff_day", args=[resource.slug])
        return redirect(f"{url}?datum={data['date'].isoformat()}")
    return render(request, "appointments/staff/extra.html", {"resource": resource, "form": form})


@staff_required
def export_csv(request):
    first = _date(request.GET.get("von"), "von")
    last = _date(request.GET.get("bis"), "bis", first + timedelta(days=6))
    last = min(max(last, first), first + timedelta(days=366))  # at most a year per file
    bookings = bookings_for(request).filter(
        starts_at__gte=_day_bounds(first)[0], starts_at__lt=_day_bounds(last)[1]
    )
    if request.GET.get("standort"):
        bookings = bookings.filter(resource__slug=request.GET["standort"])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="termine-{first}-{last}.csv"'
    response.write("\ufeff")  # Excel opens UTF-8 with umlauts correctly
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            "Code",
            "Datum",
            "Beginn",
            "Ende",
            "Standort",
            "Ressource",
            "Leistung",
            "Personen",
            "Status",
            "Name",
            "E-Mail",
            "Telefon",
            "Gebühr",
        ]
    )
    for b in bookings.order_by("starts_at"):
        local_start = b.starts_at.astimezone(capacity.TZ)
        writer.writerow(
            [
                b.code,
                f"{local_start:%d.%m.%Y}",
                f"{local_start:%H:%M}",
                f"{b.ends_at.astimezone(capacity.TZ):%H:%M}",
                b.resource.location.name,
                b.resource.name,
                b.service_names,
                b.persons,
                b.get_status_display(),
                _csv_safe(b.name),
                _csv_safe(b.email),
                _csv_safe(b.phone),
                b.fee or "",
            ]
        )
    return response


def _csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas in citizen-entered text (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
