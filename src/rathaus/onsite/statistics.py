"""Staff statistics pages, CSV export and the "Bericht zur Terminvergabe" (HTML and PDF)."""

import csv
from datetime import date, timedelta
from pathlib import Path

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rathaus.catalog.models import Service
from rathaus.core.forms import KernForm
from rathaus.core.models import Role
from rathaus.core.permissions import has_role

from . import charts, figures
from .models import LeadTimeSnapshot
from .permissions import locations_for
from .staff import onsite_staff

MAX_DAYS = 366
PDF_CSS = Path(__file__).parent / "static" / "onsite" / "report-pdf.css"


class PeriodForm(KernForm):
    location = forms.ModelChoiceField(
        label=gettext_lazy("Standort"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("alle Standorte"),
    )
    service = forms.ModelChoiceField(
        label=gettext_lazy("Leistung"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("alle Leistungen"),
    )
    first = forms.DateField(
        label=gettext_lazy("von"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last = forms.DateField(
        label=gettext_lazy("bis"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data, *, request):
        super().__init__(data)
        self.fields["location"].queryset = locations_for(
            request.user, request.municipality
        ).order_by("name")
        self.fields["service"].queryset = (
            Service.objects.for_municipality(request.municipality)
            .filter(bookings__isnull=False)
            .distinct()
            .order_by("name")
        )

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if last < first:
                self.add_error("last", _("„bis“ liegt vor „von“."))
            elif (last - first).days > MAX_DAYS:
                self.add_error("last", _("Bitte höchstens ein Jahr auswählen."))
        return data


def _period(request):
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("first", (today - timedelta(days=27)).isoformat())
    data.setdefault("last", today.isoformat())
    form = PeriodForm(data, request=request)
    return form, (form.cleaned_data if form.is_valid() else None)


def _location_for(request, location):
    """Managers may look at the whole municipality; a clerk always at one of their locations."""
    if location is None and not has_role(
        request.user, request.municipality, Role.APPOINTMENT_MANAGER
    ):
        location = locations_for(request.user, request.municipality).order_by("name").first()
        if location is None:  # a clerk of an office without locations sees nothing
            raise PermissionDenied(_("Für diese Seite fehlt Ihnen die Berechtigung."))
    return location


def _figures_for(request, data):
    location = _location_for(request, data.get("location"))
    result = figures.compute(
        request.municipality, data["first"], data["last"], location, data.get("service")
    )
    return location, result


@onsite_staff
def statistics(request):
    form, data = _period(request)
    context = {"form": form}
    if data:
        location, result = _figures_for(request, data)
        rows = figures.per_service(request.municipality, data["first"], data["last"], location)
        waits = figures.daily_waits(request.municipality, data["first"], data["last"], location)
        series = figures.lead_time_series(
            request.municipality, data["first"], data["last"], location
        )
        context.update(
            {
                "location": location,
                "figures": result,
                "rows": rows,
                "booking_bars": charts.bars([(r["service"], r["bookings"]) for r in rows[:12]]),
                "waits": waits,
                "wait_bars": charts.bars([(d.strftime("%d.%m."), m) for d, m, _n in waits]),
                "series": series,
                "lead_chart": charts.line(series),
                "query": request.GET.urlencode(),
            }
        )
    return render(request, "onsite/statistics.html", context)


def _csv_safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@onsite_staff
def statistics_csv(request):
    form, data = _period(request)
    if not data:
        return HttpResponse(_("Ungültiger Zeitraum."), status=400, content_type="text/plain")
    location, _result = _figures_for(request, data)
    rows = figures.per_service(request.municipality, data["first"], data["last"], location)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"kennzahlen-{data['first']}-{data['last']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            "Leistung",
            "Termine",
            "storniert",
            "nicht erschienen",
            "erledigt",
            "vor Ort erledigt (Wartenummern)",
            "Vorlauf Ø Tage",
        ]
    )
    for row in rows:
        writer.writerow(
            [
                _csv_safe(row["service"]),
                row["bookings"],
                row["cancelled"],
                row["no_show"],
                row["done"],
                row["handled_on_site"],
                "" if row["lead_avg"] is None else str(row["lead_avg"]).replace(".", ","),
            ]
        )
    return response


# --- Bericht zur Terminvergabe ---------------------------------------------------------


class ReportForm(KernForm):
    location = forms.ModelChoiceField(
        label=gettext_lazy("Standort"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("alle Standorte"),
    )
    a_first = forms.DateField(
        label=gettext_lazy("Zeitraum A von"), widget=forms.DateInput(attrs={"type": "date"})
    )
    a_last = forms.DateField(
        label=gettext_lazy("Zeitraum A bis"), widget=forms.DateInput(attrs={"type": "date"})
    )
    b_first = forms.DateField(
        label=gettext_lazy("Zeitraum B von"), widget=forms.DateInput(attrs={"type": "date"})
    )
    b_last = forms.DateField(
        label=gettext_lazy("Zeitraum B bis"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data, *, request):
        super().__init__(data)
        self.fields["location"].queryset = locations_for(
            request.user, request.municipality
        ).order_by("name")

    def clean(self):
        data = super().clean()
        for prefix in ("a", "b"):
            first, last = data.get(f"{prefix}_first"), data.get(f"{prefix}_last")
            if first and last and last < first:
                self.add_error(f"{prefix}_last", _("„bis“ liegt vor „von“."))
            elif first and last and (last - first).days > MAX_DAYS:
                self.add_error(f"{prefix}_last", _("Bitte höchstens ein Jahr auswählen."))
        return data


def horizon_change(municipality, location=None) -> date | None:
    """The latest day on which a recorded booking horizon changed (e.g. 42 → 14 days).

    Compared per location and service, so services with different horizons on the
    same day do not count as a change.
    """
    snapshots = LeadTimeSnapshot.objects.for_municipality(municipality)
    if location is not None:
        snapshots = snapshots.filter(location=location)
    last_horizon: dict[tuple[int, int], int] = {}
    changed = None
    rows = snapshots.values_list("location_id", "service_id", "day", "horizon_days")
    for location_id, service_id, day, horizon in rows.order_by("day"):
        key = (location_id, service_id)
        if key in last_horizon and last_horizon[key] != horizon:
            changed = max(changed, day) if changed else day
        last_horizon[key] = horizon
    return changed


def _default_periods(request) -> dict:
    today = timezone.localdate()
    change = horizon_change(request.municipality)
    if change:
        span = min(42, (today - change).days) or 1
        return {
            "a_first": change - timedelta(days=span),
            "a_last": change - timedelta(days=1),
            "b_first": change,
            "b_last": change + timedelta(days=span - 1),
        }
    return {
        "a_first": today - timedelta(days=55),
        "a_last": today - timedelta(days=28),
        "b_first": today - timedelta(days=27),
        "b_last": today,
    }


def _report_context(request):
    data = request.GET.copy()
    for key, value in _default_periods(request).items():
        data.setdefault(key, value.isoformat())
    form = ReportForm(data, request=request)
    context = {"form": form, "query": data.urlencode()}
    if not form.is_valid():
        return context
    d = form.cleaned_data
    location, m = (
        _figures_for(request, {**d, "first": d["a_first"], "last": d["a_first"]})[0],
        request.municipality,
    )
    a = figures.compute(m, d["a_first"], d["a_last"], location)
    b = figures.compute(m, d["b_first"], d["b_last"], location)
    series = figures.lead_time_series(m, d["a_first"], d["b_last"], location)
    context.update(
        {
            "location": location,
            "a": a,
            "b": b,
            "comparison": _comparison(a, b),
            "lead_chart": charts.line(series),
            "change": horizon_change(m, location),
            "generated": timezone.localtime(),
        }
    )
    return context


def _comparison(a, b) -> list[tuple]:
    """Rows (label, A, B, change, unit) for the side-by-side table."""

    def delta(x, y):
        if x is None or y is None:
            return None
        return round(y - x, 1)

    items = [
        (_("Gebuchte Termine"), a.bookings, b.bookings, ""),
        (_("davon storniert"), a.cancelled, b.cancelled, ""),
        (_("Stornoquote"), a.cancel_rate, b.cancel_rate, "%"),
        (_("nicht erschienen"), a.no_show, b.no_show, ""),
        (_("Quote nicht erschienen"), a.no_show_rate, b.no_show_rate, "%"),
        (_("Buchungshorizont Ø"), a.horizon, b.horizon, _("Tage")),
        (_("Vorlauf bis zum nächsten freien Termin Ø"), a.lead_avg, b.lead_avg, _("Tage")),
        (_("Wartenummern ohne Termin"), a.walk_ins, b.walk_ins, ""),
        (_("Wartezeit ohne Termin, Median"), _r(a.wait_median), _r(b.wait_median), _("Min.")),
        (_("Wartezeit ohne Termin, 90 %"), _r(a.wait_p90), _r(b.wait_p90), _("Min.")),
        (
            _("Bearbeitungszeit, Median"),
            _r(a.processing_median),
            _r(b.processing_median),
            _("Min."),
        ),
        (_("Auslastung der Schalter"), a.utilisation, b.utilisation, "%"),
    ]
    return [(label, x, y, delta(x, y), unit) for label, x, y, unit in items]


def _r(value):
    return None if value is None else round(value, 1)


@onsite_staff
def report(request):
    return render(request, "onsite/report.html", _report_context(request))


@onsite_staff
def report_pdf(request):
    from weasyprint import HTML

    context = _report_context(request)
    if "a" not in context:
        return HttpResponse(_("Ungültige Zeiträume."), status=400, content_type="text/plain")
    context["pdf_css"] = PDF_CSS.read_text(encoding="utf-8")
    html = render_to_string("onsite/report_print.html", context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="bericht-terminvergabe.pdf"'
    return response
