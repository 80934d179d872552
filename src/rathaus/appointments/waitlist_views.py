"""Citizens' page of the waiting list: join for a service, check your answers, confirmation."""

from django import forms
from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from rathaus.core.ratelimit import too_many

from . import antibot, waitlist
from .forms import ContactForm
from .views import active_offers


class WaitlistForm(ContactForm):
    locations = forms.MultipleChoiceField(
        label=_("Standorte"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Keine Auswahl = alle Standorte sind Ihnen recht."),
    )
    field_order = ["locations", "name", "email", "phone"]

    def __init__(self, offers, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locations"].choices = [
            (str(o.resource_id), f"{o.resource.location.name} ({o.resource.name})") for o in offers
        ]


@require_http_methods(["GET", "POST"])
def join(request, slug):
    offers = list(active_offers(request.municipality).filter(service__slug=slug))
    if not offers:
        raise Http404
    service = offers[0].service
    context = {
        "service": service,
        "offer_minutes": settings.RATHAUS_APPOINTMENTS_WAITLIST_OFFER_MINUTES,
    }
    form = WaitlistForm(offers, request.POST or None)
    action = request.POST.get("action")
    if request.method == "GET" or action == "change" or not form.is_valid():
        if action == "change":
            form = WaitlistForm(offers, initial=form.data)
        return render(request, "appointments/waitlist/join.html", {**context, "form": form})
    data = form.cleaned_data
    labels = dict(form.fields["locations"].choices)
    context.update(form=form, locations=[labels[v] for v in data["locations"]])
    if action != "submit":
        return render(
            request, "appointments/waitlist/check.html", {**context, **antibot.form_context()}
        )
    proof = antibot.check(request.POST)
    if not proof.ok:
        token = request.POST.get("langsam") if proof.wait else None
        return render(
            request,
            "appointments/waitlist/check.html",
            {**context, **antibot.form_context(token), "proof_error": proof.message},
            status=400,
        )
    verdict = antibot.limit(request, "lottery", data["email"], data.get("phone", ""))
    if verdict:
        return too_many(request, verdict)
    entry = waitlist.join(
        request.municipality,
        service,
        [int(v) for v in data["locations"]],
        name=data["name"],
        email=data["email"],
        phone=data.get("phone", ""),
    )
    request.session["appointments_waitlist"] = entry.pk
    return redirect("appointments:waitlist_done", slug=slug)


def done(request, slug):
    from .models import WaitlistEntry

    pk = request.session.get("appointments_waitlist")
    entry = (
        WaitlistEntry.objects.for_municipality(request.municipality)
        .filter(pk=pk, service__slug=slug)
        .select_related("service")
        .first()
    )
    if entry is None:
        raise Http404
    return render(
        request,
        "appointments/waitlist/done.html",
        {"entry": entry, "position": waitlist.position(entry), "service": entry.service},
    )
