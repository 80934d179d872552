"""Back office for capacity: resources, offers, rules and exceptions (appointment managers).

Saving a rule or an exception goes through ``services`` so the unit rows follow and
overlapping rules are refused with a German message.
"""

from django.contrib import admin, messages

from rathaus.core.admin import TenantAdmin, TenantInline
from rathaus.core.models import Role

from . import services
from .models import (
    AvailabilityRule,
    Booking,
    BookingPart,
    CapacityException,
    HorizonChange,
    Lottery,
    Offer,
    ReleaseSchedule,
    Resource,
    WaitlistEntry,
)

MANAGERS = (Role.APPOINTMENT_MANAGER,)


class RuleInline(TenantInline):
    model = AvailabilityRule
    edit_roles = MANAGERS
    municipality_path = "resource__municipality"
    fields = [
        "kind",
        "weekdays",
        "start_time",
        "end_time",
        "counters",
        "unit_minutes",
        "valid_from",
        "valid_until",
    ]


class OfferInline(TenantInline):
    model = Offer
    edit_roles = MANAGERS
    fields = [
        "service",
        "duration_units",
        "units_per_extra_person",
        "max_persons",
        "lead_time_hours",
        "horizon_days",
        "extended_horizon_days",
        "extended_fee",
        "walk_in_share",
        "one_per_person",
        "is_active",
        "bring_note",
        "bring_note_en",
    ]
    autocomplete_fields = []


@admin.register(Resource)
class ResourceAdmin(TenantAdmin):
    edit_roles = MANAGERS
    list_display = ["name", "location", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    inlines = [RuleInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        from . import capacity

        capacity.materialise(form.instance)


@admin.register(Offer)
class OfferAdmin(TenantAdmin):
    edit_roles = MANAGERS
    list_display = [
        "service",
        "resource",
        "duration_units",
        "horizon_days",
        "walk_in_share",
        "is_active",
    ]
    list_filter = ["is_active"]
    search_fields = ["service__name"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from . import capacity

        capacity.materialise(obj.resource)


@admin.register(HorizonChange)
class HorizonChangeAdmin(TenantAdmin):
    """Schedule a new booking horizon ahead; it is announced and applied on its day."""

    edit_roles = MANAGERS
    list_display = ["offer", "valid_from", "horizon_days", "applied_at"]
    fields = ["offer", "valid_from", "horizon_days"]

    def save_model(self, request, obj, form, change):
        from django.core.exceptions import ValidationError

        from .services import policy

        try:
            policy.schedule_horizon_change(
                obj.offer, obj.valid_from, obj.horizon_days, actor=request.user
            )
        except ValidationError as error:
            self.message_user(request, "; ".join(error.messages), messages.ERROR)


@admin.register(AvailabilityRule)
class AvailabilityRuleAdmin(TenantAdmin):
    edit_roles = MANAGERS
    municipality_path = "resource__municipality"
    list_display = ["__str__", "resource", "kind", "valid_from", "valid_until"]

    def save_model(self, request, obj, form, change):
        services.save_rule(obj, actor=request.user)


@admin.register(CapacityException)
class CapacityExceptionAdmin(TenantAdmin):
    edit_roles = MANAGERS
    municipality_path = "resource__municipality"
    list_display = ["date", "resource", "kind", "start_time", "end_time", "counters", "reason"]
    exclude = ["created_by"]

    def save_model(self, request, obj, form, change):
        displaced = services.save_exception(obj, actor=request.user)
        if displaced:
            messages.warning(
                request,
                f"{len(displaced)} Termin(e) mussten abgesagt werden; die Betroffenen "
                "wurden per E-Mail benachrichtigt.",
            )


class BookingPartInline(admin.TabularInline):
    """The further services of a combined appointment (ADR 0026), read only."""

    model = BookingPart
    fields = ["service", "offer", "units"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(TenantAdmin):
    edit_roles = MANAGERS
    list_display = ["code", "starts_at", "service", "resource", "name", "status"]
    list_filter = ["status"]
    search_fields = ["code", "name", "email"]
    readonly_fields = [f.name for f in Booking._meta.fields if f.name != "note"]
    inlines = [BookingPartInline]

    def has_add_permission(self, request):
        return False  # bookings are made through the booking pages, never by hand here


# --- Fair release (ADR 0021) -----------------------------------------------------------


@admin.register(ReleaseSchedule)
class ReleaseScheduleAdmin(TenantAdmin):
    edit_roles = MANAGERS
    list_display = ["name", "weekday", "at_time", "mode", "valid_from", "valid_until", "is_active"]
    filter_horizontal = ["resources"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        from . import releases

        # Units whose release is still ahead disappear from the calendar at once.
        releases.stamp_all()


@admin.register(Lottery)
class LotteryAdmin(TenantAdmin):
    edit_roles = MANAGERS
    list_display = ["schedule", "opens_at", "closes_at", "status", "seed"]
    readonly_fields = [f.name for f in Lottery._meta.fields]

    def has_add_permission(self, request):
        return False  # lotteries are opened by the release job


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(TenantAdmin):
    edit_roles = MANAGERS
    list_display = ["created_at", "service", "name", "status", "offers_made"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in WaitlistEntry._meta.fields if f.name != "status"]

    def has_add_permission(self, request):
        return False
