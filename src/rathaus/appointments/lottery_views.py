"""Citizens' pages of the lottery release: wishes, check your answers, confirmation.

Also the ALTCHA challenge endpoint used by the widget on the hold and lottery forms.
"""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from rathaus.core.ratelimit import client_ip, hit, too_many

from . import antibot, lottery, releases
from .forms import ContactForm
from .models import Lottery, Offer, TimeOfDay


@never_cache
def altcha_challenge(request):
    """A fresh proof-of-work challenge for the ALTCHA widget (limited per IP)."""
    verdict = hit("appointments-altcha", client_ip(request), 120, 600)
    if not verdict.allowed:
        return too_many(request, verdict)
    return JsonResponse(antibot.challenge())


class LotteryForm(ContactForm):
    service = forms.ChoiceField(
        label=_("Leistung"),
        error_messages={"required": _("Bitte wählen Sie eine Leistung.")},
    )
    locations = forms.MultipleChoiceField(
        label=_("Standorte"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Keine Auswahl = alle Standorte sind Ihnen recht."),
    )
    days = forms.MultipleChoiceField(
        label=_("Tage"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Keine Auswahl = jeder Tag ist Ihnen recht."),
    )
    time_of_day = forms.ChoiceField(
        label=_("Tageszeit"), choices=TimeOfDay.choices, initial="any", widget=forms.RadioSelect
    )

    field_order = ["service", "locations", "days", "time_of_day", "name", "email", "phone"]

    def __init__(self, draw: Lottery, offers, *args, **kwargs):
        super().__init__(*args, **kwargs)
        services = {o.service.slug: o.service.name for o in offers}
        self.fields["service"].choices = [
            ("", "– bitte wählen –"),
            *sorted(services.items(), key=lambda p: p[1]),
        ]
        locations = {
            str(o.resource_id): f"{o.resource.location.name} ({o.resource.name})" for o in offers
        }
        self.fields["locations"].choices = sorted(locations.items(), key=lambda p: p[1])
        days = [
            draw.first_day + timedelta(days=i)
            for i in range((draw.last_day - draw.first_day).days + 1)
        ]
        self.fields["days"].choices = [
            (d.isoformat(), formats.date_format(d, "l, j. F")) for d in days
        ]

    def chosen_days(self) -> list[date]:
        return [date.fromisoformat(d) for d in self.cleaned_data.get("days", [])]


def _lottery(request, pk) -> tuple[Lottery, list[Offer]]:
    draw = get_object_or_404(
        Lottery.objects.for_municipality(request.municipality).select_related("schedule"), pk=pk
    )
    offers = list(
        Offer.objects.filter(
            resource__in=draw.schedule.resources.all(),
            is_active=True,
            service__is_published=True,
        ).select_related("service", "resource__location")
    )
    return draw, offers


def index(request):
    now = timezone.now()
    lotteries = list(releases.upcoming_lotteries(request.municipality, now))
    return render(
        request,
        "appointments/lottery/index.html",
        {
            "open": [d for d in lotteries if d.opens_at <= now],
            "later": [d for d in lotteries if d.opens_at > now],
        },
    )


def _summary(form: LotteryForm) -> dict:
    data = form.cleaned_data
    labels = dict(form.fields["locations"].choices)
    day_labels = dict(form.fields["days"].choices)
    return {
        "service": dict(form.fields["service"].choices)[data["service"]],
        "locations": [labels[v] for v in data["locations"]] or [str(_("alle Standorte"))],
        "days": [day_labels[v] for v in data["days"]] or [str(_("jeder Tag"))],
        "time_of_day": dict(TimeOfDay.choices)[data["time_of_day"]],
    }


@require_http_methods(["GET", "POST"])
def enter(request, pk):
    """Form with wishes → check your answers (with the proof of work) → confirmation."""
    draw, offers = _lottery(request, pk)
    now = timezone.now()
    if not (draw.status == Lottery.Status.OPEN and draw.opens_at <= now < draw.closes_at):
        return render(
            request,
            "appointments/lottery/closed.html",
            {"draw": draw},
            status=410 if draw.status == Lottery.Status.DRAWN else 200,
        )
    if request.method == "GET":
        form = LotteryForm(draw, offers)
        return render(request, "appointments/lottery/enter.html", {"draw": draw, "form": form})
    form = LotteryForm(draw, offers, request.POST)
    action = request.POST.get("action")
    if action == "change" or not form.is_valid():
        if action == "change":
            form = LotteryForm(draw, offers, initial=form.data)
        return render(request, "appointments/lottery/enter.html", {"draw": draw, "form": form})
    context = {"draw": draw, "form": form, "summary": _summary(form)}
    if action != "submit":
        return render(
            request,
            "appointments/lottery/check.html",
            {**context, **antibot.form_context()},
        )
    return _submit(request, draw, offers, form, context)


def _submit(request, draw, offers, form, context):
    data = form.cleaned_data
    proof = antibot.check(request.POST)
    if not proof.ok:
        token = request.POST.get("langsam") if proof.wait else antibot.slow_token()
        return render(
            request,
            "appointments/lottery/check.html",
            {**context, **antibot.form_context(token), "proof_error": proof.message},
            status=400,
        )
    verdict = antibot.limit(request, "lottery", data["email"], data.get("phone", ""))
    if verdict:
        return too_many(request, verdict)
    service = next(o.service for o in offers if o.service.slug == data["service"])
    try:
        entry = lottery.enter(
            draw,
            service=service,
            resource_ids=data["locations"],
            days=form.chosen_days(),
            time_of_day=data["time_of_day"],
            name=data["name"],
            email=data["email"],
            phone=data.get("phone", ""),
        )
    except lottery.LotteryError as error:
        form.add_error(None, error.message)
        return render(
            request, "appointments/lottery/enter.html", {"draw": draw, "form": form}, status=409
        )
    request.session["appointments_lottery_entry"] = entry.pk
    return redirect("appointments:lottery_done", pk=draw.pk)


def done(request, pk):
    draw, _offers = _lottery(request, pk)
    entry_pk = request.session.get("appointments_lottery_entry")
    entry = draw.entries.filter(pk=entry_pk).first() if entry_pk else None
    if entry is None:
        raise Http404
    return render(request, "appointments/lottery/done.html", {"draw": draw, "entry": entry})
