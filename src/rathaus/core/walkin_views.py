"""The walk-in hours of every office for the coming week: page, PDF, text, iCal, RSS.

Rostock's motion (seed 000) asks for one overview of all Sprechzeiten ohne Termin,
also for the printed gazette; every edition renders ``walkin.week``.
"""

from datetime import datetime, timedelta

from django.contrib.syndication.views import Feed
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from icalendar import Calendar, Event

from . import walkin
from .parsing import ParseError, parse_date

DAYS = 7


def _start(request):
    """The first day shown: today, or ``?ab=JJJJ-MM-TT`` (e.g. next week's gazette)."""
    today = timezone.localdate()
    raw = request.GET.get("ab")
    if not raw:
        return today
    return parse_date(raw, "ab", minimum=today, maximum=today + timedelta(days=366))


def _context(request):
    start = _start(request)
    return {
        "start": start,
        "end": start + timedelta(days=DAYS - 1),
        "weeks": walkin.week(request.municipality, start, DAYS),
        "municipality": request.municipality,
    }


def _bad(error: ParseError) -> HttpResponse:
    return HttpResponseBadRequest(
        f"Ungültige Angabe im Parameter „{error.field}“: {error.reason}",
        content_type="text/plain; charset=utf-8",
    )


def page(request):
    # A bad ``?ab=`` rises to badinput: the site's German error page, not the files' text.
    return render(request, "core/walk_in_hours.html", _context(request))


def pdf(request):
    from weasyprint import HTML

    try:
        context = _context(request)
    except ParseError as error:
        return _bad(error)
    html = render_to_string("core/walk_in_hours_print.html", context, request=request)
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sprechzeiten-{context["start"]}.pdf"'
    return response


def text(request):
    try:
        context = _context(request)
    except ParseError as error:
        return _bad(error)
    return HttpResponse(gazette_text(**context), content_type="text/plain; charset=utf-8")


def gazette_text(*, start, end, weeks, municipality) -> str:
    """Plain text for the printed gazette (Stadtanzeiger / Amtsblatt): no markup, one line a day."""
    lines = [
        f"Sprechzeiten ohne Termin – {municipality.name}",
        f"{start:%d.%m.%Y} bis {end:%d.%m.%Y}",
        "",
    ]
    without = []
    for entry in weeks:
        if not entry.has_walk_in:
            without.append(entry.location.name)
            continue
        lines.append(f"{entry.location.name} ({entry.location.office.name})")
        lines.append(f"  {entry.location.address_line}")
        for day, windows in entry.walk_in_days:
            label = f"{walkin.WEEKDAY_SHORT[day.date.weekday()]} {day.date:%d.%m.}"
            if day.closed_reason:
                lines.append(f"  {label}  geschlossen ({day.closed_reason})")
            for window in windows:
                note = f"  {window.note}" if window.note else ""
                lines.append(f"  {label}  {window.opens:%H:%M}–{window.closes:%H:%M} Uhr{note}")
        lines.append("")
    if without:
        lines.append("Nur mit Termin: " + ", ".join(without) + ".")
    return "\n".join(lines) + "\n"


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def ical(request):
    try:
        context = _context(request)
    except ParseError as error:
        return _bad(error)
    calendar = Calendar()
    calendar.add("prodid", "-//Rathaus//Sprechzeiten ohne Termin//DE")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Sprechzeiten ohne Termin – {request.municipality.name}")
    # Host-independent, as ical.stable_uid: the same window under two host names (or after
    # a domain change) is one event, not two, in a subscribed calendar.
    ags = request.municipality.ags
    stamp = timezone.now()
    for entry in context["weeks"]:
        location = entry.location
        for day, windows in entry.walk_in_days:
            for window in windows:
                event = Event()
                uid = f"sprechzeit-{location.slug}-{day.date}-{window.opens:%H%M}-{ags}@rathaus"
                event.add("uid", uid)
                event.add("dtstamp", stamp)
                event.add("dtstart", timezone.make_aware(datetime.combine(day.date, window.opens)))
                event.add("dtend", timezone.make_aware(datetime.combine(day.date, window.closes)))
                event.add("summary", f"Ohne Termin: {location.name}")
                event.add("location", f"{location.name}, {location.address_line}")
                event.add("description", window.note or location.office.name)
                event.add("url", _absolute(request, reverse("core:location", args=[location.slug])))
                calendar.add_component(event)
    # The times are local (TZID=Europe/Berlin): RFC 5545 §3.2.19 wants the VTIMEZONE.
    calendar.add_missing_timezones()
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sprechzeiten.ics"'
    return response


class WalkInFeed(Feed):
    """RSS: one item per location and week, so readers see when the hours change."""

    feed_type = Rss201rev2Feed

    def get_object(self, request):
        self.request = request
        self.context = _context(request)
        return request.municipality

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except ParseError as error:
            return _bad(error)

    def title(self, municipality):
        return f"Sprechzeiten ohne Termin – {municipality.name}"

    def link(self, municipality):
        return reverse("core:walk_in_hours")

    def description(self, municipality):
        return "Wann Sie ohne Termin in die Ämter kommen können, für die kommende Woche."

    def items(self, municipality):
        return [entry for entry in self.context["weeks"] if entry.has_walk_in]

    def item_title(self, entry):
        return f"{entry.location.name}: ohne Termin ab {self.context['start']:%d.%m.%Y}"

    def item_description(self, entry):
        lines = []
        for day, windows in entry.walk_in_days:
            label = f"{walkin.WEEKDAY_SHORT[day.date.weekday()]} {day.date:%d.%m.}"
            if day.closed_reason:
                lines.append(f"{label} geschlossen ({day.closed_reason})")
            lines.extend(
                f"{label} {w.opens:%H:%M}–{w.closes:%H:%M} Uhr" + (f" ({w.note})" if w.note else "")
                for w in windows
            )
        return "; ".join(lines)

    def item_link(self, entry):
        return reverse("core:location", args=[entry.location.slug])

    def item_guid(self, entry):
        location = entry.location
        return f"sprechzeiten-{location.municipality_id}-{location.slug}-{self.context['start']}"

    item_guid_is_permalink = False

    def item_pubdate(self, entry):
        return timezone.make_aware(datetime.combine(self.context["start"], datetime.min.time()))
