"""Editing a town's locations and offices after onboarding (issue 21): address,
position, weekly hours as a weekday form, closed days; an office's name and contact.
One page each, two ways in: the Land operator (/land/kommunen/<town>/standorte/<id>/,
…/aemter/<id>/) and the town's own administrators (/verwaltung/standorte/<id>/,
/verwaltung/aemter/<id>/); the caller names the town, the row is looked up inside it
only (another town's id answers 404)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import onboarding
from .forms import add_parse_error
from .land_forms import ClosureForm, LocationEditForm, OfficeForm
from .models import Location, Office
from .parsing import ParseError, try_id


def town_location(town, raw_pk) -> Location:
    location_id = try_id(raw_pk)
    location = (
        Location.objects.for_municipality(town).select_related("office").filter(pk=location_id)
    ).first()
    if location_id is None or location is None:
        raise Http404(_("Diesen Standort gibt es in dieser Kommune nicht."))
    return location


def location_page(request, town, raw_pk, *, base: str, back_url: str, here_url: str):
    """GET: the forms; POST ``action=save|close|reopen``: one service call each."""
    location = town_location(town, raw_pk)
    today = timezone.localdate()
    hours, extra = onboarding.weekly_windows(location)
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    form = LocationEditForm(
        request.POST if action == "save" else None,
        initial=LocationEditForm.initial_from(location, hours),
    )
    closure = ClosureForm(request.POST if action == "close" else None, today=today)
    if action == "save" and form.is_valid():
        data = form.cleaned_data
        try:
            onboarding.update_location(
                location,
                name=data["name"],
                street=data["street"],
                postcode=data["postcode"],
                city=data["city"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                windows=data["windows"],
                actor=request.user,
            )
        except ParseError as error:
            add_parse_error(form, error)
        else:
            messages.success(request, _("Der Standort ist gespeichert."))
            return redirect(here_url)
    elif action == "close" and closure.is_valid():
        data = closure.cleaned_data
        try:
            days = onboarding.close_location(
                location,
                first=data["first"],
                last=data["last"],
                reason=data["reason"],
                actor=request.user,
            )
        except ParseError as error:
            add_parse_error(closure, error)
        else:
            messages.success(
                request,
                _(
                    "Der Standort ist an %(n)s weiteren Tagen geschlossen; "
                    "Termine dort sind abgesagt."
                )
                % {"n": days},
            )
            return redirect(here_url)
    elif action == "reopen":
        days = onboarding.reopen_location(location, actor=request.user, today=today)
        messages.success(request, _("%(n)s Schließtage entfernt.") % {"n": days})
        return redirect(here_url)
    elif action not in ("", "save", "close"):
        messages.error(request, _("Unbekannte Aktion."))
        return redirect(here_url)
    closed_days = list(
        location.exceptions.filter(date__gte=today, closed=True).order_by("date")[:120]
    )
    context = {
        "base": base,
        "town": town,
        "location": location,
        "form": form,
        "closure": closure,
        "extra": extra,
        "dated": location.opening_hours.exclude(valid_from__isnull=True, valid_until__isnull=True),
        "closed_days": closed_days,
        "back_url": back_url,
    }
    return render(request, "core/location_edit.html", context)


def office_page(request, town, raw_pk, *, base: str, back_url: str, here_url: str):
    """An office of ``town`` (another town's id answers 404): name and contact."""
    office_id = try_id(raw_pk)
    office = Office.objects.for_municipality(town).filter(pk=office_id).first()
    if office_id is None or office is None:
        raise Http404(_("Diese Organisationseinheit gibt es in dieser Kommune nicht."))
    form = OfficeForm(request.POST or None, initial=OfficeForm.initial_from(office))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            onboarding.update_office(
                office,
                name=data["name"],
                short_name=data["short_name"],
                phone=data["phone"],
                email=data["email"],
                actor=request.user,
            )
        except ParseError as error:
            add_parse_error(form, error)
        else:
            messages.success(request, _("Die Organisationseinheit ist gespeichert."))
            return redirect(here_url)
    context = {"base": base, "town": town, "office": office, "form": form, "back_url": back_url}
    return render(request, "core/office_edit.html", context)
