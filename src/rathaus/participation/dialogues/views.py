"""Pages of dialogues and consultation hours: events, registration, hints."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from rathaus.core.ical import stable_uid
from rathaus.core.models import Role
from rathaus.core.permissions import role_required
from rathaus.core.ratelimit import ratelimit

from . import services, slots
from .forms import HintForm, RegistrationForm, SlotBookingForm
from .models import DialogueEvent, Hint, Registration


def _events(request):
    return DialogueEvent.objects.for_municipality(request.municipality)


def event_list(request):
    now = timezone.now()
    events = _events(request)
    return render(
        request,
        "participation/dialogues/list.html",
        {
            "upcoming": events.filter(ends_at__gte=now).order_by("starts_at"),
            "past": events.filter(ends_at__lt=now).order_by("-starts_at")[:20],
            "this_year": timezone.localdate().year,
        },
    )


def _detail_context(request, event, **extra):
    hints = []
    if event.hints_published:
        hints = event.hints.filter(status=Hint.Status.ACCEPTED).select_related("topic")
    context = {
        "event": event,
        "registration_open": services.registration_open(event),
        "free": max(0, event.capacity - services.seats_taken(event)),
        "form": RegistrationForm(),
        "hint_form": HintForm(event=event),
        "hints": hints,
        "topics": event.topics.all(),
        "uses_slots": slots.uses_slots(event),
        "slots": slots.free_slots(event),
    }
    context.update(extra)
    return context


def event_ics(request, slug):
    """The event as an iCalendar file (RFC 5545) for the reader's own calendar."""
    event = get_object_or_404(_events(request), slug=slug)
    calendar = Calendar()
    calendar.add("prodid", "-//Rathaus//Beteiligung//DE")
    calendar.add("version", "2.0")
    entry = Event()
    entry.add("uid", stable_uid(request.municipality, "dialog", event.pk))
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at)
    entry.add("summary", event.title)
    entry.add("location", event.venue)
    entry.add("description", event.description)
    entry.add("url", request.build_absolute_uri(event_url(event)))
    calendar.add_component(entry)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}.ics"'
    return response


def event_url(event) -> str:
    return reverse("participation:event_detail", args=[event.slug])


def event_detail(request, slug):
    event = get_object_or_404(_events(request), slug=slug)
    return render(request, "participation/dialogues/detail.html", _detail_context(request, event))


@require_POST
@ratelimit("participation-dialogue-register", limit=10, window_seconds=600)
def event_register(request, slug):
    event = get_object_or_404(_events(request), slug=slug)
    form = RegistrationForm(request.POST)
    if form.is_valid():
        try:
            services.register(event, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render(request, "participation/dialogues/check_mail.html", {"event": event})
    context = _detail_context(request, event, form=form)
    return render(request, "participation/dialogues/detail.html", context, status=400)


@require_POST
@ratelimit("participation-dialogue-hint", limit=10, window_seconds=600)
def event_hint(request, slug):
    event = get_object_or_404(_events(request), slug=slug)
    form = HintForm(request.POST, event=event)
    if form.is_valid():
        try:
            services.submit_hint(event, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Danke für Ihren Hinweis! Wir veröffentlichen die Hinweise nach der Auswertung."),
            )
            return redirect("participation:event_detail", slug)
    context = _detail_context(request, event, hint_form=form)
    return render(request, "participation/dialogues/detail.html", context, status=400)


@ratelimit("participation-dialogue-manage", limit=30, window_seconds=600)
def registration(request, token):
    registration = (
        Registration.objects.filter(token=token, event__municipality=request.municipality)
        .select_related("event")
        .first()
    )
    if registration is None:
        return render(request, "participation/dialogues/invalid.html", status=404)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                services.cancel(registration)
                messages.success(request, _("Sie haben sich abgemeldet."))
            else:
                services.confirm(registration)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("participation:registration", token)
    return render(
        request, "participation/dialogues/registration.html", {"registration": registration}
    )


# --- staff ---------------------------------------------------------------------------


@role_required(Role.MODERATOR)
def staff_event(request, slug):
    return _staff_page(request, get_object_or_404(_events(request), slug=slug))


def _staff_page(request, event, slot_form=None):
    consultation = event.kind == DialogueEvent.Kind.CONSULTATION
    return render(
        request,
        "participation/dialogues/staff_event.html",
        {
            "event": event,
            "registrations": event.registrations.exclude(status=Registration.Status.UNCONFIRMED),
            "hints": event.hints.select_related("topic"),
            "statuses": Hint.Status.choices,
            "consultation": consultation,
            "uses_slots": slots.uses_slots(event),
            "free_slots": len(slots.free_slots(event)),
            "day_url": slots.staff_day_url(event),
            "slot_form": slot_form
            or (SlotBookingForm(municipality=request.municipality) if consultation else None),
        },
        status=400 if slot_form else 200,
    )


@require_POST
@role_required(Role.MODERATOR)
def staff_slots(request, slug):
    """Offer a Bürgersprechstunde as fixed-length slots of the Terminvergabe (idempotent)."""
    event = get_object_or_404(_events(request), slug=slug)
    form = SlotBookingForm(request.POST, municipality=request.municipality)
    if form.is_valid():
        try:
            slots.enable_slot_booking(
                event,
                location=form.cleaned_data["location"],
                slot_minutes=form.cleaned_data["slot_minutes"],
                actor=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Die Gesprächstermine sind jetzt buchbar."))
            return redirect("participation:event_staff", slug)
    return _staff_page(request, event, slot_form=form)


@require_POST
@role_required(Role.MODERATOR)
def staff_hint(request, slug, pk):
    event = get_object_or_404(_events(request), slug=slug)
    hint = get_object_or_404(event.hints, pk=pk)
    try:
        services.review_hint(
            hint,
            actor=request.user,
            status=request.POST.get("status", ""),
            answer=request.POST.get("answer", ""),
        )
        messages.success(request, _("Hinweis gespeichert."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("participation:event_staff", slug)


@require_POST
@role_required(Role.MODERATOR)
def staff_publish(request, slug):
    event = get_object_or_404(_events(request), slug=slug)
    services.publish_hints(event, actor=request.user, summary=request.POST.get("summary", ""))
    messages.success(request, _("Die Hinweise sind veröffentlicht."))
    return redirect("participation:event_staff", slug)


def _year(raw) -> int:
    from rathaus.core.parsing import parse_int

    return parse_int(raw, "jahr", minimum=2000, maximum=2100)


def _year_page_context(request, year: int, *, public: bool) -> dict:
    from . import yearplan

    context = yearplan.year_context(request.municipality, year, public=public)
    context.update(previous=max(2000, year - 1), next=min(2100, year + 1))
    return context


def dialogue_year(request, year):
    """Public yearly figures: events, participants, published hints, answers."""
    year = _year(year)
    return render(
        request,
        "participation/dialogues/year_public.html",
        _year_page_context(request, year, public=True),
    )


@role_required(Role.MODERATOR)
def dialogue_year_staff(request, year):
    """The year plan for the Hauptausschuss with the full evaluation per event."""
    from .services_council import year_plan_paper

    year = _year(year)
    context = _year_page_context(request, year, public=False)
    context["paper"] = year_plan_paper(request.municipality, year)
    return render(request, "participation/dialogues/year_staff.html", context)


@require_POST
@role_required(Role.MODERATOR)
def dialogue_year_paper(request, year):
    """Staff hand the year plan to the council office as an Informationsvorlage draft;
    a second click leads to the first draft."""
    from .services_council import create_year_plan_paper, year_plan_paper

    year = _year(year)
    existed = year_plan_paper(request.municipality, year) is not None
    paper = create_year_plan_paper(request.municipality, year, actor=request.user)
    if existed:
        messages.info(
            request, _("Die Drucksache gab es schon: %(ref)s.") % {"ref": paper.reference}
        )
    else:
        messages.success(
            request,
            _("Entwurf %(ref)s für den Hauptausschuss angelegt (noch nicht öffentlich).")
            % {"ref": paper.reference},
        )
    return redirect("participation:dialogue_year_staff", year)


@role_required(Role.MODERATOR)
def dialogue_year_pdf(request, year):
    from .services_council import plan_document

    year = _year(year)
    _context, pdf = plan_document(request.municipality, year)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="dialoge-jahresplan-{year}.pdf"'
    return response
