"""A town's administrators manage their own people (issue 21): invite staff by e-mail,
grant and revoke roles in their own town; accounts of other towns stay invisible.
They also edit their own town's locations (address, weekly hours, closed days)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import location_pages, onboarding
from .forms import add_parse_error
from .land_forms import StaffInviteForm
from .models import Location, Role
from .parsing import ParseError, try_id
from .permissions import role_required


@role_required(Role.ADMINISTRATOR)
def staff(request):
    town = request.municipality
    form = StaffInviteForm(request.POST or None, town=town)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, invited = onboarding.invite_staff(
                town,
                email=data["email"],
                role=data["role"],
                office=data["office"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                actor=request.user,
            )
        except onboarding.NotYours:
            form.add_error(
                "email",
                _(
                    "Diesem Konto können Sie hier keine Rolle geben (es gehört zu einer anderen "
                    "Kommune). Bitte wenden Sie sich an den Betrieb der Installation."
                ),
            )
        except ParseError as error:
            add_parse_error(form, error)
        else:
            if invited:
                messages.success(
                    request, _("Die Einladung an %(email)s ist unterwegs.") % {"email": user.email}
                )
            else:
                messages.success(
                    request, _("%(email)s hat die Rolle erhalten.") % {"email": user.email}
                )
            return redirect("core:staff")
    people: dict = {}
    for staff_role in onboarding.town_staff(town):
        people.setdefault(staff_role.user, []).append(staff_role)
    return render(request, "core/staff.html", {"form": form, "people": people})


@require_POST
@role_required(Role.ADMINISTRATOR)
def revoke(request, pk):
    role_id = try_id(pk)
    try:
        removed = role_id is not None and onboarding.revoke_role(
            request.municipality, role_id, actor=request.user
        )
    except ParseError as error:
        messages.error(request, error.reason)
    else:
        if removed:
            messages.success(request, _("Die Rolle ist entzogen."))
        else:
            messages.error(request, _("Diese Rolle gibt es hier nicht."))
    return redirect("core:staff")


@role_required(Role.ADMINISTRATOR)
def locations(request):
    """The town's own locations with their weekly hours (edit links)."""
    rows = (
        Location.objects.for_municipality(request.municipality)
        .select_related("office")
        .prefetch_related("opening_hours")
        .order_by("office__name", "name")
    )
    return render(request, "core/locations.html", {"locations": rows})


@role_required(Role.ADMINISTRATOR)
def location_edit(request, pk):
    return location_pages.location_page(
        request,
        request.municipality,
        pk,
        base="staff_base.html",
        back_url=reverse("core:staff_locations"),
        here_url=request.path,
    )


@role_required(Role.ADMINISTRATOR)
def office_edit(request, pk):
    return location_pages.office_page(
        request,
        request.municipality,
        pk,
        base="staff_base.html",
        back_url=reverse("core:staff_locations"),
        here_url=request.path,
    )
