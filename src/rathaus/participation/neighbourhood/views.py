"""Public pages of the neighbourhood subscription: subscribe (double opt-in), confirm,
manage and cancel – all by the token from the e-mail, looked up in this town only."""

import zlib
from datetime import timedelta

from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rathaus.core.parsing import ParseError, clean_text
from rathaus.core.ratelimit import ratelimit

from . import services
from .forms import SubscriptionForm
from .models import NeighbourhoodSubscription


@require_http_methods(["GET", "POST"])
@ratelimit("participation-neighbourhood", limit=10, window_seconds=3600)
def subscribe(request):
    form = SubscriptionForm(request.POST or None, municipality=request.municipality)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        street, number, radius, box = data["area"]
        subscription = services.subscribe(
            request.municipality,
            email=data["email"],
            way=data["way"],
            street=street,
            house_number=number,
            radius_m=radius,
            box=box,
        )
        return render(
            request, "participation/neighbourhood/sent.html", {"subscription": subscription}
        )
    return render(
        request,
        "participation/neighbourhood/form.html",
        {"form": form, "streets": services.street_names(request.municipality)},
    )


def _subscription(request, token) -> NeighbourhoodSubscription:
    return get_object_or_404(
        NeighbourhoodSubscription.objects.for_municipality(request.municipality), token=token
    )


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    subscription = _subscription(request, token)
    if request.method == "POST":
        subscription = services.confirm(subscription)
        return render(
            request,
            "participation/neighbourhood/manage.html",
            {"subscription": subscription, "just_confirmed": True},
        )
    return render(
        request, "participation/neighbourhood/confirm.html", {"subscription": subscription}
    )


def manage(request, token):
    subscription = _subscription(request, token)
    return render(
        request, "participation/neighbourhood/manage.html", {"subscription": subscription}
    )


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    subscription = _subscription(request, token)
    if request.method == "POST":
        services.unsubscribe(subscription)
        return render(request, "participation/neighbourhood/cancelled.html")
    return render(
        request, "participation/neighbourhood/unsubscribe.html", {"subscription": subscription}
    )


class StreetFeed(Feed):
    """Atom, no subscription and no personal data: ?strasse=Lindenallee – what the
    digest would say for the street over the last 30 days (public content only)."""

    feed_type = Atom1Feed
    DAYS = 30

    def get_object(self, request):
        try:
            street = clean_text(request.GET.get("strasse", ""), "strasse", max_length=120)
            name, _number, _radius, box = services.area_for(
                request.municipality, way=services.Way.STREET, street=street
            )
        except (ParseError, ValidationError) as error:
            raise Http404(_("Unbekannte Straße.")) from error
        south, west, north, east = box
        return NeighbourhoodSubscription(
            municipality=request.municipality,
            way=services.Way.STREET,
            street=name,
            south=south,
            west=west,
            north=north,
            east=east,
        )

    def title(self, obj):
        return _("Nachbarschaft – %(s)s") % {"s": obj.street}

    def link(self, obj):
        return reverse("participation:neighbourhood")

    def subtitle(self, obj):
        return _("Mängelmeldungen, Ratsdokumente, Bäume und Dialoge in der Straße.")

    def items(self, obj):
        now = timezone.now()
        found = services.collect(obj, since=now - timedelta(days=self.DAYS), until=now)
        entries = []
        for r in found["reports"]:
            entries.append(
                (
                    f"Meldung Nr. {r.pk} {r.category.name}: {r.get_status_display()}",
                    reverse("participation:report_detail", args=[r.pk]),
                    r.updated_at,
                )
            )
        for p in found["papers"]:
            entries.append((f"Drucksache {p.reference} {p.name}", p.get_absolute_url(), p.modified))
        for i in found["resolutions"]:
            entries.append(
                (
                    f"Beschluss: {i.name} ({i.get_result_display()})",
                    reverse("council:meeting", args=[i.meeting_id]),
                    i.modified,
                )
            )
        for t in found["trees"]:
            entries.append(
                (
                    f"{t} braucht diese Woche etwa {t.week.missing} Liter Wasser",
                    reverse("participation:tree_detail", args=[t.pk]),
                    now,
                )
            )
        for e in found["dialogues"]:
            entries.append(
                (
                    f"{e.get_kind_display()}: {e.title}, {e.venue}",
                    reverse("participation:event_detail", args=[e.slug]),
                    now,
                )
            )
        return entries

    def item_title(self, item):
        return item[0]

    def item_description(self, item):
        return item[0]

    def item_link(self, item):
        return item[1]

    def item_guid(self, item):
        return f"{item[1]}#{zlib.crc32(item[0].encode())}-{item[2]:%Y%m%d%H%M%S}"

    def item_pubdate(self, item):
        return item[2]

    def item_updateddate(self, item):
        return item[2]
