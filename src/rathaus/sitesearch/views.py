"""The site search page: one query per kind of result, each scoped to the municipality and
limited to what the public may see; no index of its own (the catalog keeps its search index)."""

from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.catalog import search as catalog_search
from rathaus.catalog.models import Service
from rathaus.core.models import Location, Office
from rathaus.core.opening import day_schedule
from rathaus.core.parsing import ParseError, clean_text
from rathaus.council.models import Meeting
from rathaus.council.search import search_papers
from rathaus.participation.budget.models import Proposal
from rathaus.participation.dialogues.models import DialogueEvent

PER_KIND = 8
MAX_QUERY = 200


@dataclass
class Group:
    key: str
    title: str
    items: list = field(default_factory=list)


def significant_words(text: str) -> list[str]:
    """The words that carry meaning ("Wann hat das Bürgerbüro offen" -> Bürgerbüro, offen)."""
    return [w for w in catalog_search.words(text) if len(w) > 2 and not catalog_search.is_stop(w)][
        :8
    ]


def any_word(fields: list[str], words: list[str]) -> Q:
    return reduce(or_, (Q(**{f"{f}__icontains": w}) for w in words for f in fields), Q(pk=None))


def every_word(fields: list[str], words: list[str]) -> Q:
    return reduce(
        and_, (reduce(or_, (Q(**{f"{f}__icontains": w}) for f in fields)) for w in words), Q()
    )


def services(municipality, text: str) -> list:
    result = catalog_search.query(municipality, text, limit=PER_KIND)
    ids = [hit.service_id for hit in result.hits]
    by_id = Service.objects.for_municipality(municipality).filter(is_published=True).in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def places(municipality, words: list[str]) -> list:
    """Locations (with today's hours) whose name, office or street matches a word."""
    if not words:
        return []
    offices = Office.objects.for_municipality(municipality).filter(any_word(["name"], words))
    locations = (
        Location.objects.for_municipality(municipality)
        .filter(any_word(["name", "street"], words) | Q(office__in=offices))
        .select_related("office")
        .order_by("name")[:PER_KIND]
    )
    today = timezone.localdate()
    return [(location, day_schedule(location, today)) for location in locations]


def council_items(municipality, text: str, words: list[str]) -> list:
    papers = list(search_papers(municipality, text)[:PER_KIND]) if text else []
    meetings = []
    if words:
        meetings = list(
            Meeting.objects.for_municipality(municipality)
            .alive()
            .filter(every_word(["name", "organization__name"], words))
            .select_related("organization")
            .order_by("-start")[:PER_KIND]
        )
    return [("paper", p) for p in papers] + [("meeting", m) for m in meetings]


def participation_items(municipality, words: list[str]) -> list:
    if not words:
        return []
    proposals = (
        Proposal.objects.filter(round__municipality=municipality)
        .exclude(status=Proposal.Status.MERGED)
        .filter(every_word(["title"], words))
        .select_related("round")
        .order_by("-round__id", "number")[:PER_KIND]
    )
    events = (
        DialogueEvent.objects.for_municipality(municipality)
        .filter(every_word(["title"], words))
        .order_by("-starts_at")[:PER_KIND]
    )
    return [("proposal", p) for p in proposals] + [("dialogue", e) for e in events]


def site_search(request):
    try:
        text = clean_text(request.GET.get("q", "")[:MAX_QUERY], "q", max_length=MAX_QUERY)
    except ParseError:
        text = ""
    groups = []
    if text:
        municipality = request.municipality
        words = significant_words(text)
        council = council_items(municipality, text, words)
        groups = [
            Group("places", _("Ämter und Standorte"), places(municipality, words)),
            Group("services", _("Leistungen"), services(municipality, text)),
            Group("council", _("Rat: Vorlagen und Sitzungen"), council),
            Group("participation", _("Beteiligung"), participation_items(municipality, words)),
        ]
    found = [g for g in groups if g.items]
    return render(
        request,
        "sitesearch/results.html",
        {"q": text, "groups": found, "searched": bool(text), "today": timezone.localdate()},
    )
