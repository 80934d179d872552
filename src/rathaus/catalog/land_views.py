"""The Land catalog template's operator pages (/land/vorlage/, ADR 0211, issue 21): the
Land's service texts, editing one (with how many towns follow each field), importing a
Land set from XZuFi JSON and adopting the template for a town.

Only on the operator's host (a town's host answers 404: the Land's texts are edited
where no town is shown) and only for installation operators (superusers).
"""

import json
from functools import wraps

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from rathaus.core.land_views import operator_required
from rathaus.core.models import LANDS, Municipality
from rathaus.core.parsing import ParseError, parse_choice

from . import land_template, xzufi
from .land_forms import AdoptForm, LandImportForm, LandServiceForm
from .models import LandService, Service

LAND_NAMES = dict(LANDS)


def operator_host_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not getattr(request, "operator_host", False):
            raise Http404(_("Die Vorlage des Landes gibt es nur unter der Adresse des Betriebs."))
        return view(request, *args, **kwargs)

    return wrapped


def _land_of(request) -> str:
    raw = request.GET.get("land")
    if raw in (None, ""):
        first = LandService.objects.order_by("land").values_list("land", flat=True).first()
        return first or "ST"
    try:
        return parse_choice(raw, "land", LAND_NAMES)
    except ParseError:
        raise Http404(_("Dieses Land gibt es nicht.")) from None


@operator_host_only
@operator_required
def index(request):
    land = _land_of(request)
    templates = (
        LandService.objects.filter(land=land)
        .select_related("topic")
        .annotate(towns=Count("adoptions"))
        .order_by("topic__name", "name")
    )
    towns = Municipality.objects.filter(land=land).order_by("name")
    context = {
        "land": land,
        "land_name": LAND_NAMES[land],
        "lands": LANDS,
        "templates": templates,
        "towns": towns,
        "import_form": LandImportForm(initial={"land": land}),
    }
    return render(request, "catalog/land/index.html", context)


@operator_host_only
@operator_required
def import_set(request):
    form = LandImportForm(request.POST or None, request.FILES or None)
    problems: list = []
    if request.method == "POST" and form.is_valid():
        land = form.cleaned_data["land"]
        try:
            payload = json.loads(form.cleaned_data["file"].read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            form.add_error("file", _("Die Datei ist kein gültiges JSON (UTF-8)."))
        else:
            try:
                saved, rows = xzufi.import_land(land, payload, actor=request.user)
            except xzufi.CatalogImportError as error:
                problems = error.problems
                form.add_error(
                    "file",
                    _("%(n)s Fehler in der Datei – nichts übernommen.") % {"n": len(problems)},
                )
            else:
                messages.success(
                    request,
                    _(
                        "%(saved)s Leistungstexte für %(land)s gespeichert; "
                        "%(rows)s Felder in Kommunen nachgeführt."
                    )
                    % {"saved": saved, "land": LAND_NAMES[land], "rows": rows},
                )
                return redirect(f"{reverse('land_catalog:index')}?land={land}")
    context = {"form": form, "problems": problems[:50], "more": max(0, len(problems) - 50)}
    return render(request, "catalog/land/import.html", context)


@operator_host_only
@operator_required
def edit(request, land, slug):
    if land not in LAND_NAMES:
        raise Http404(_("Dieses Land gibt es nicht."))
    template = get_object_or_404(LandService, land=land, slug=slug)
    form = LandServiceForm(request.POST or None, initial=LandServiceForm.initial_from(template))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _saved, rows = land_template.save_land_service(
            land,
            slug,
            topic=data["topic"],
            leika_key=data["leika_key"],
            actor=request.user,
            **form.texts(),
        )
        messages.success(
            request,
            _("Der Text des Landes ist gespeichert; %(rows)s Felder in Kommunen nachgeführt.")
            % {"rows": rows},
        )
        return redirect("land_catalog:edit", land=land, slug=slug)
    counts = land_template.followers(template)
    fields = [(form[name], counts["fields"][name]) for name in land_template.TEMPLATE_FIELDS]
    context = {
        "template": template,
        "land_name": LAND_NAMES[land],
        "form": form,
        "rows": fields,
        "towns": counts["towns"],
    }
    return render(request, "catalog/land/edit.html", context)


@operator_host_only
@operator_required
def adopt(request, town):
    town = get_object_or_404(Municipality, slug=town)
    form = AdoptForm(request.POST or None, town=town)
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen()
        done = land_template.adopt_many(
            town,
            chosen,
            office=form.cleaned_data["office"],
            locations=form.cleaned_data["locations"],
            actor=request.user,
        )
        messages.success(
            request,
            _(
                "%(town)s: %(created)s Leistungen neu übernommen, %(linked)s vorhandene "
                "mit der Vorlage verbunden, %(already)s schon übernommen."
            )
            % {
                "town": town.name,
                "created": done.created,
                "linked": done.linked,
                "already": done.already,
            },
        )
        return redirect("land_catalog:adopt", town=town.slug)
    adopted = set(
        Service.objects.for_municipality(town)
        .filter(land_service__isnull=False)
        .values_list("land_service_id", flat=True)
    )
    context = {
        "town": town,
        "land_name": LAND_NAMES.get(town.land, town.land),
        "form": form,
        "templates": form.templates.order_by("topic__name", "name"),
        "adopted": adopted,
    }
    return render(request, "catalog/land/adopt.html", context)
