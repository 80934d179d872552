"""Public pages of the catalog: start page, topics, life situations, services, search, dashboard."""

import csv
from itertools import groupby

from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone

from rathaus.core.models import Location, Office, OpeningException, OpeningHours
from rathaus.core.opening import day_schedule

from . import dashboard, search
from .models import LifeSituation, Service, Topic
from .services import count_view

POPULAR_COUNT = 8
SEARCH_LIMIT = 30


def published(request):
    return Service.objects.for_municipality(request.municipality).filter(is_published=True)


def walk_in_today(municipality):
    """[(location, walk-in windows, Day)] for every location with walk-in hours today."""
    today = timezone.localdate()
    locations = (
        Location.objects.for_municipality(municipality)
        .select_related("municipality", "office")
        .prefetch_related("opening_hours")
        .prefetch_related(
            Prefetch("exceptions", to_attr="today_exceptions", queryset=_exceptions_on(today))
        )
        .order_by("name")
    )
    rows = []
    for location in locations:
        day = day_schedule(
            location,
            today,
            weekly=list(location.opening_hours.all()),
            exceptions=location.today_exceptions,
        )
        windows = day.of_kind(OpeningHours.Kind.WALK_IN)
        if windows or day.closed_reason:
            rows.append((location, windows, day))
    return rows


def _exceptions_on(day):
    return OpeningException.objects.filter(date=day)


def topics_with_counts(request) -> list[Topic]:
    """The topics with the number of this town's published services in each.

    Counted from the town's own services (grouped by topic), not by joining
    every town's services to the topics: that read grew with the number of
    towns in the installation (23,018 rows at 154 towns, issue 21).
    """
    counts = dict(published(request).order_by().values_list("topic_id").annotate(n=Count("id")))
    topics = list(Topic.objects.all())
    for topic in topics:
        topic.service_count = counts.get(topic.pk, 0)
    return topics


def home(request):
    topics = topics_with_counts(request)
    return render(
        request,
        "catalog/home.html",
        {
            "popular": published(request).order_by("-popularity", "name")[:POPULAR_COUNT],
            "topics": topics,
            "life_situations": LifeSituation.objects.all(),
            "walk_in": walk_in_today(request.municipality),
            "today": timezone.localdate(),
        },
    )


def service_list(request):
    """Leistungen A–Z, optionally for one office (?amt=<slug>)."""
    services = published(request).select_related("topic").order_by("name")
    office = None
    if request.GET.get("amt"):
        office = get_object_or_404(
            Office.objects.for_municipality(request.municipality), slug=request.GET["amt"]
        )
        services = services.filter(office=office)
    # Sorted by initial in Python: the database puts "Ä…" after "Z", which split the letter A
    # into two sections with the same heading (and two landmarks of the same name).
    in_order = sorted(services, key=lambda s: (_initial(s.name), s.name.casefold()))
    letters = [
        (letter, list(group)) for letter, group in groupby(in_order, key=lambda s: _initial(s.name))
    ]
    return render(request, "catalog/service_list.html", {"letters": letters, "office": office})


def _initial(name: str) -> str:
    first = (name[:1] or "#").upper()
    return {"Ä": "A", "Ö": "O", "Ü": "U"}.get(first, first if first.isalpha() else "#")


def service_detail(request, slug):
    service = get_object_or_404(published(request).select_related("topic", "office"), slug=slug)
    count_view(service)
    today = timezone.localdate()
    locations = [
        (location, day_schedule(location, today))
        for location in service.locations.select_related("municipality").order_by("name")
    ]
    return render(
        request,
        "catalog/service_detail.html",
        {
            "service": service,
            "fees": service.fees.all(),
            "locations": locations,
            "life_situations": service.life_situations.all(),
            "related": _related(request, service),
            "today": today,
        },
    )


def _related(request, service):
    return (
        published(request)
        .filter(life_situations__in=service.life_situations.all())
        .exclude(pk=service.pk)
        .distinct()
        .order_by("-popularity", "name")[:6]
    )


def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    return render(
        request,
        "catalog/topic.html",
        {"topic": topic, "services": published(request).filter(topic=topic).order_by("name")},
    )


def life_situation_detail(request, slug):
    situation = get_object_or_404(LifeSituation, slug=slug)
    services = published(request).filter(life_situations=situation)
    return render(
        request,
        "catalog/life_situation.html",
        {"situation": situation, "services": services.order_by("-popularity", "name")},
    )


def search_results(request):
    text = (request.GET.get("q") or "").strip()[:200]
    result = search.query(request.municipality, text, limit=SEARCH_LIMIT) if text else None
    services = []
    if result and result.hits:
        by_id = (
            published(request).select_related("topic").in_bulk([h.service_id for h in result.hits])
        )
        services = [by_id[h.service_id] for h in result.hits if h.service_id in by_id]
    return render(
        request,
        "catalog/search.html",
        {"q": text, "result": result, "services": services},
    )


def dashboard_page(request):
    return render(request, "catalog/dashboard.html", dashboard.figures(request.municipality))


def dashboard_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ozg-dashboard.csv"'
    response.write("\ufeff")  # BOM so spreadsheet programs read UTF-8
    writer = csv.writer(response, delimiter=";")
    for row in dashboard.csv_rows(request.municipality):
        writer.writerow(row)
    return response


def dashboard_pdf(request):
    from weasyprint import HTML

    context = dashboard.figures(request.municipality)
    context.update(municipality=request.municipality, generated=timezone.localtime())
    html = render_to_string("catalog/dashboard_report.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="ozg-bericht.pdf"'
    return response
