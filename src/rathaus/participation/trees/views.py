"""Pages of Baumgießen: map and list, tree detail with its water need, totals, pumps."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.core.models import Role
from rathaus.core.parsing import clean_text
from rathaus.core.permissions import role_required
from rathaus.core.ratelimit import ratelimit

from ..maps import map_context
from . import services, water
from .forms import WateringForm
from .models import Tree, WaterPump


def _trees(request):
    return Tree.objects.for_municipality(request.municipality)


def tree_list(request):
    trees = _trees(request)
    street = clean_text(request.GET.get("strasse"), "strasse", max_length=120)
    district = clean_text(request.GET.get("stadtteil"), "stadtteil", max_length=120)
    if street:
        trees = trees.filter(street=street)
    if district:
        trees = trees.filter(district=district)
    needs = services.with_needs(trees, request.municipality)
    if request.GET.get("bedarf") == "1":
        needs = [t for t in needs if t.need.should_water]
    needs.sort(key=lambda t: (not t.need.should_water, -t.need.missing, t.street, t.external_id))
    page = Paginator(needs, 30).get_page(request.GET.get("seite"))
    base = _trees(request)
    context = map_context(
        request.municipality,
        page=page,
        street=street,
        district=district,
        streets=base.exclude(street="")
        .values_list("street", flat=True)
        .distinct()
        .order_by("street"),
        districts=base.exclude(district="")
        .values_list("district", flat=True)
        .distinct()
        .order_by("district"),
        rain=services.rain_sum(request.municipality, timezone.localdate()),
        geojson_url=reverse("participation:tree_geojson"),
        pumps=WaterPump.objects.for_municipality(request.municipality),
    )
    return render(request, "participation/trees/list.html", context)


def tree_geojson(request):
    features = []
    for tree in services.with_needs(_trees(request), request.municipality):
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(tree.longitude), float(tree.latitude)],
                },
                "properties": {
                    "title": f"{tree.species or _('Baum')} ({tree.street})",
                    "status": _("fehlen %(l)s Liter") % {"l": tree.need.missing}
                    if tree.need.should_water
                    else tree.need.label,
                    "open": tree.need.should_water,
                    "url": reverse("participation:tree_detail", args=[tree.pk]),
                },
            }
        )
    for pump in WaterPump.objects.for_municipality(request.municipality):
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(pump.longitude), float(pump.latitude)],
                },
                "properties": {
                    "title": pump.name,
                    "status": f"{_('Wasserpumpe')}: {pump.get_condition_display()}",
                    "kind": "pump",
                    "url": reverse("participation:tree_list") + "#pumpen",
                },
            }
        )
    return JsonResponse({"type": "FeatureCollection", "features": features})


def tree_detail(request, pk):
    tree = get_object_or_404(_trees(request), pk=pk)
    (tree,) = services.with_needs(_trees(request).filter(pk=pk), request.municipality)
    adopted = request.user.is_authenticated and tree.adoptions.filter(user=request.user).exists()
    context = map_context(
        request.municipality,
        tree=tree,
        waterings=tree.waterings.all()[:20],
        adopters=tree.adoptions.count(),
        adopted=adopted,
        form=WateringForm(),
        point=f"{tree.latitude},{tree.longitude}",
        week=services.this_week(tree),
    )
    return render(request, "participation/trees/detail.html", context)


def tree_sign(request, pk):
    """A printable sign for the tree: its QR code opens the tree's page (22/SVV/1134)."""
    import base64

    import segno

    from rathaus.core import tenancy

    tree = get_object_or_404(_trees(request), pk=pk)
    url = tenancy.public_url(
        request.municipality, reverse("participation:tree_detail", args=[tree.pk])
    )
    svg = segno.make(url, error="m").svg_inline(scale=6, dark="#000", light="#fff")
    qr = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    context = {"tree": tree, "url": url, "qr": qr, "week": services.this_week(tree)}
    return render(request, "participation/trees/sign.html", context)


@require_POST
@ratelimit("participation-tree-watering", limit=20, window_seconds=600)
def tree_water(request, pk):
    tree = get_object_or_404(_trees(request), pk=pk)
    form = WateringForm(request.POST)
    if form.is_valid():
        try:
            services.add_watering(
                tree,
                litres=form.cleaned_data["litres"],
                day=form.cleaned_data["date"],
                name=form.cleaned_data["name"],
                user=request.user if request.user.is_authenticated else None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Danke fürs Gießen! Die Menge ist eingetragen."))
            return redirect("participation:tree_detail", tree.pk)
    (tree,) = services.with_needs(_trees(request).filter(pk=pk), request.municipality)
    context = map_context(
        request.municipality,
        tree=tree,
        waterings=tree.waterings.all()[:20],
        adopters=tree.adoptions.count(),
        adopted=False,
        form=form,
        point=f"{tree.latitude},{tree.longitude}",
    )
    return render(request, "participation/trees/detail.html", context, status=400)


@require_POST
@login_required
def tree_adopt(request, pk):
    tree = get_object_or_404(_trees(request), pk=pk)
    if request.POST.get("release"):
        services.release(tree, request.user)
        messages.success(request, _("Sie haben die Patenschaft beendet."))
    else:
        services.adopt(tree, request.user)
        messages.success(request, _("Sie sind jetzt Gießpate dieses Baums."))
    return redirect("participation:tree_detail", tree.pk)


def totals(request):
    needs = services.with_needs(_trees(request), request.municipality)
    return render(
        request,
        "participation/trees/totals.html",
        {
            "streets": services.totals(needs, "street"),
            "districts": services.totals(needs, "district"),
            "rain": services.rain_sum(request.municipality, timezone.localdate()),
        },
    )


def explanation(request):
    today = timezone.localdate()
    examples = []
    for offset, rain, watered in water.WORKED_EXAMPLES:
        year = today.year - offset if offset is not None else None
        examples.append((year, water.water_need(year, rain, watered, today)))
    return render(
        request,
        "participation/trees/explanation.html",
        {"examples": examples, "references": water.REFERENCE_LITRES, "labels": water.LABELS},
    )


def street_group(request, street):
    """A street's watering group: who is in it (pseudonyms), which trees need water."""
    from .forms import StreetGroupForm
    from .models import StreetGroupMember

    street = clean_text(street, "strasse", max_length=120, required=True)
    if not services.street_exists(request.municipality, street):
        raise Http404
    member = None
    if request.user.is_authenticated:
        member = (
            StreetGroupMember.objects.for_municipality(request.municipality)
            .filter(street=street, user=request.user)
            .first()
        )
    form = StreetGroupForm(request.POST or None, initial={"name": member.name if member else ""})
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('core:login')}?next={request.path}")
        if request.POST.get("leave"):
            services.leave_street_group(request.municipality, street, request.user)
            messages.success(request, _("Sie haben die Gießgruppe verlassen."))
            return redirect(request.path)
        if form.is_valid():
            try:
                services.join_street_group(
                    request.municipality, street, request.user, form.cleaned_data["name"]
                )
            except ValidationError as exc:
                form.add_error("name", " ".join(exc.messages))
            else:
                messages.success(request, _("Sie sind jetzt in der Gießgruppe dieser Straße."))
                return redirect(request.path)
    context = {
        "street": street,
        "week": services.street_week(request.municipality, street),
        "member": member,
        "form": form,
    }
    status = 400 if form.errors else 200
    return render(request, "participation/trees/street.html", context, status=status)


@role_required(Role.MODERATOR)
def staff_grants(request):
    """Record and list sponsorships with plaque and water vouchers (who, which tree, when)."""
    from rathaus.core.models import User

    from .forms import TreeGrantForm
    from .models import TreeGrant

    form = TreeGrantForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            tree = _trees(request).filter(external_id=data["tree"].strip()).first()
            user = User.objects.filter(email__iexact=data["email"]).first()
            if tree is None:
                form.add_error("tree", _("Diese Baumnummer gibt es nicht."))
            if user is None:
                form.add_error("email", _("Zu dieser E-Mail-Adresse gibt es kein Konto."))
            if tree is not None and user is not None:
                try:
                    _grant, created = services.issue_grant(
                        tree,
                        user=user,
                        kind=data["kind"],
                        valid_until=data["valid_until"],
                        actor=request.user,
                        plaque_text=data["plaque_text"],
                        litres=data["litres"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    if created:
                        messages.success(request, _("Eingetragen."))
                    else:
                        messages.info(request, _("Das war heute schon eingetragen."))
                    return redirect("participation:tree_grants")
        status = 400
    grants = (
        TreeGrant.objects.for_municipality(request.municipality)
        .select_related("tree", "user", "issued_by")
        .order_by("-issued_on", "-id")
    )
    page = Paginator(grants, 50).get_page(request.GET.get("seite"))
    return render(
        request,
        "participation/trees/staff_grants.html",
        {"form": form, "page": page},
        status=status,
    )
