"""Pages of the area alerts: subscribe (double opt-in), confirm, cancel, and the RSS
feed of an area or street that anyone may read without subscribing."""

from decimal import Decimal

from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rathaus.core.parsing import ParseError, clean_text, parse_latitude, parse_longitude
from rathaus.core.ratelimit import ratelimit

from . import alerts
from .forms import AreaAlertForm
from .models import AreaAlert, Report


@require_http_methods(["GET", "POST"])
@ratelimit("participation-area-alert", limit=10, window_seconds=3600)
def subscribe(request):
    form = AreaAlertForm(request.POST or None, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        alert = alerts.subscribe(request.municipality, **data)
        return render(request, "participation/reports/alert_sent.html", {"alert": alert})
    return render(request, "participation/reports/alert_form.html", {"form": form})


def _alert(request, token) -> AreaAlert:
    return get_object_or_404(AreaAlert.objects.for_municipality(request.municipality), token=token)


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    alert = _alert(request, token)
    if request.method == "POST":
        alerts.confirm(alert)
        return render(request, "participation/reports/alert_done.html", {"confirmed": True})
    return render(request, "participation/reports/alert_confirm.html", {"alert": alert})


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    alert = _alert(request, token)
    if request.method == "POST":
        alerts.unsubscribe(alert)
        return render(request, "participation/reports/alert_done.html", {"confirmed": False})
    return render(request, "participation/reports/alert_unsubscribe.html", {"alert": alert})


def _feed_area(params):
    street = clean_text(params.get("strasse", ""), "strasse", max_length=120)
    if street:
        return street, (None, None, None, None)
    values = (
        parse_latitude(params.get("sued"), "sued"),
        parse_longitude(params.get("west"), "west"),
        parse_latitude(params.get("nord"), "nord"),
        parse_longitude(params.get("ost"), "ost"),
    )
    return "", tuple(Decimal(str(v)).quantize(Decimal("0.000001")) for v in values)


class AreaFeed(Feed):
    """RSS: ?strasse=Lindenallee or ?sued=..&west=..&nord=..&ost=.. (newest 50)."""

    def get_object(self, request):
        try:
            street, box = _feed_area(request.GET)
            alerts.check_area(*box, street)
        except (ParseError, ValidationError) as error:
            raise Http404(_("Ungültiges Gebiet.")) from error
        return {"street": street, "box": box, "municipality": request.municipality}

    def title(self, obj):
        where = obj["street"] or _("ausgewähltes Gebiet")
        return _("Mängelmelder – %(where)s") % {"where": where}

    def link(self, obj):
        return reverse("participation:report_list")

    def description(self, obj):
        return _("Neue und geänderte Meldungen im Mängelmelder.")

    def items(self, obj):
        reports = Report.objects.for_municipality(obj["municipality"]).filter(
            moderation=Report.Moderation.PUBLISHED
        )
        return (
            reports.filter(alerts.feed_filter(*obj["box"], obj["street"]))
            .select_related("category")
            .order_by("-updated_at")[:50]
        )

    def item_title(self, item):
        return f"Nr. {item.pk} {item.category.name} – {item.get_status_display()}"

    def item_description(self, item):
        return item.address or ""

    def item_link(self, item):
        return reverse("participation:report_detail", args=[item.pk])

    def item_pubdate(self, item):
        return item.updated_at
