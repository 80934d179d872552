"""Master data of the council (bodies, terms, places, organizations, people, memberships).

Papers, meetings, agendas, attendance and results are authored on the staff
pages (views_staff), which go through services.py.
"""

from django.contrib import admin

from rathaus.core.admin import TenantAdmin
from rathaus.core.models import Role

from . import services
from .models import Body, LegislativeTerm, Membership, Organization, Person, Place


class CouncilAdmin(TenantAdmin):
    edit_roles = (Role.COUNCIL_OFFICE,)
    readonly_fields = ("created", "modified")
    exclude = ("external_id",)


@admin.register(Body)
class BodyAdmin(CouncilAdmin):
    list_display = ("name", "short_name", "modified")


@admin.register(LegislativeTerm)
class LegislativeTermAdmin(CouncilAdmin):
    list_display = ("name", "start_date", "end_date", "deleted")


@admin.register(Place)
class PlaceAdmin(CouncilAdmin):
    list_display = ("description", "room", "street_address", "deleted")


@admin.register(Organization)
class OrganizationAdmin(CouncilAdmin):
    list_display = ("name", "kind", "start_date", "deleted")
    list_filter = ("kind", "deleted")
    search_fields = ("name", "short_name")

    def save_model(self, request, obj, form, change):
        """The access flag of 22/SVV/0792 goes through the service, which audits it;
        the other master data are saved as usual."""
        wanted = obj.councillors_may_read_non_public
        if change:
            obj.councillors_may_read_non_public = (
                Organization.objects.filter(pk=obj.pk)
                .values_list("councillors_may_read_non_public", flat=True)
                .get()
            )
        else:
            obj.councillors_may_read_non_public = False
        super().save_model(request, obj, form, change)
        services.set_board_access(obj, councillors_may_read=wanted, actor=request.user)


@admin.register(Person)
class PersonAdmin(CouncilAdmin):
    list_display = ("name", "status", "user", "deleted")
    search_fields = ("name", "family_name")
    raw_id_fields = ("user",)


@admin.register(Membership)
class MembershipAdmin(CouncilAdmin):
    list_display = ("person", "organization", "role", "voting_right", "start_date", "end_date")
    list_filter = ("organization",)
