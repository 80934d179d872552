"""Uploading a town's address list (ADR 0223, issue 21): one page, two ways in.

The Land operator at /land/adressen/<town>/ (operator's host only, installation
operators only; linked from the town's operator page by URL name) and the town's own
administrators at /beteiligung/verwaltung/adressen/ (linked from their locations
page). The list places defect reports given by address on the map and gives locations
their position (``rathaus.core.geocoding``). The file is checked whole before anything
is written (``geocoding.import_addresses``): a bad line changes nothing.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from rathaus.core.land_views import operator_host_only, operator_required
from rathaus.core.models import Municipality, Role
from rathaus.core.permissions import role_required

from . import geocoding
from .forms import AddressListForm
from .models import StreetAddress


def address_list_page(request, town, *, base: str, back_url: str, here_url: str):
    form = AddressListForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            text = form.cleaned_data["file"].read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("Die Datei ist nicht in UTF-8 gespeichert – nichts geladen."))
        else:
            try:
                count = geocoding.import_addresses(
                    town,
                    text,
                    replace=not form.cleaned_data["add"],
                    actor=request.user,
                    actor_label="Adressliste hochgeladen",
                )
            except ValidationError as error:
                problem = " ".join(error.messages)
                form.add_error("file", _("Nichts geladen. %(problem)s") % {"problem": problem})
            else:
                messages.success(
                    request, _("%(n)s Adressen sind in der Adressliste.") % {"n": count}
                )
                return redirect(here_url)
    rows = StreetAddress.objects.for_municipality(town)
    figures = rows.aggregate(addresses=Count("pk"), streets=Count("street_key", distinct=True))
    context = {
        "base": base,
        "town": town,
        "form": form,
        "figures": figures,
        "back_url": back_url,
    }
    return render(request, "participation/reports/address_list.html", context)


@operator_host_only
@operator_required
def operator_page(request, town):
    municipality = get_object_or_404(Municipality, slug=town)
    return address_list_page(
        request,
        municipality,
        base="core/land/base.html",
        back_url=reverse("land:town", args=[municipality.slug]),
        here_url=request.path,
    )


@role_required(Role.ADMINISTRATOR)
def town_page(request):
    return address_list_page(
        request,
        request.municipality,
        base="staff_base.html",
        back_url=reverse("core:staff_locations"),
        here_url=request.path,
    )
