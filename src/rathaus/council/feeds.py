"""RSS of new public papers and the iCalendar feed of meetings."""

from datetime import timedelta

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from icalendar import Calendar, Event

from rathaus.core.ical import stable_uid
from rathaus.core.parsing import parse_id

from .models import Meeting, Paper


class NewPapersFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request):
        self.request = request
        return request.municipality

    def title(self, municipality):
        return f"Neue Drucksachen – {municipality.name}"

    def link(self, municipality):
        return "/rat/vorlagen/"

    def description(self, municipality):
        return f"Neue öffentliche Drucksachen im Ratsinformationssystem von {municipality.name}"

    def items(self, municipality):
        return Paper.objects.for_municipality(municipality).visible().order_by("-created")[:50]

    def item_title(self, paper):
        return f"{paper.reference} {paper.name}".strip()

    def item_description(self, paper):
        return f"{paper.paper_type}. {paper.text[:500]}"

    def item_pubdate(self, paper):
        return paper.created

    def item_guid(self, paper):
        return f"paper-{paper.municipality_id}-{paper.pk}"

    item_guid_is_permalink = False


def meetings_ical(request):
    """All meetings from one year back: subscribe in any calendar app."""
    since = timezone.now() - timedelta(days=365)
    meetings = (
        Meeting.objects.for_municipality(request.municipality)
        .alive()
        .filter(start__gte=since)
        .select_related("organization", "place")
        .order_by("start")
    )
    organization = request.GET.get("gremium", "")
    if organization:
        meetings = meetings.filter(organization_id=parse_id(organization, "gremium"))
    calendar = Calendar()
    calendar.add("prodid", "-//Rathaus//Ratsinformation//DE")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Sitzungen – {request.municipality.name}")
    for meeting in meetings:
        event = Event()
        event.add("uid", stable_uid(request.municipality, "sitzung", meeting.pk))
        event.add("summary", meeting.name)
        event.add("dtstart", meeting.start)
        event.add("dtend", meeting.end or meeting.start + timedelta(hours=2))
        event.add("dtstamp", meeting.modified)
        event.add("last-modified", meeting.modified)
        if meeting.place:
            event.add(
                "location",
                ", ".join(
                    p
                    for p in [
                        meeting.place.room,
                        meeting.place.description,
                        meeting.place.street_address,
                    ]
                    if p
                ),
            )
        event.add("url", request.build_absolute_uri(meeting.get_absolute_url()))
        event.add("description", f"Gremium: {meeting.organization.name}")
        if meeting.cancelled:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sitzungen.ics"'
    return response
