"""Back office for the participation module (scoped to the municipality, role moderator)."""

from django.contrib import admin, messages

from rathaus.core.admin import TenantAdmin, TenantInline
from rathaus.core.models import Role

from .models import (
    BudgetRound,
    CategoryAttribute,
    DialogueEvent,
    EventTopic,
    Open311Client,
    ReportCategory,
    RoutingRule,
    Tree,
    WaterPump,
)
from .reports.open311 import hash_key


class AttributeInline(TenantInline):
    model = CategoryAttribute
    edit_roles = (Role.MODERATOR,)


@admin.register(ReportCategory)
class ReportCategoryAdmin(TenantAdmin):
    edit_roles = (Role.MODERATOR,)
    list_display = ("name", "code", "office", "service_days", "is_active")
    inlines = [AttributeInline]


@admin.register(RoutingRule)
class RoutingRuleAdmin(TenantAdmin):
    """Routing by category and street or area; the first matching rule wins. Addresses
    for geocoding come in by ``rathaus import_addresses`` (a file, not typed by hand)."""

    edit_roles = (Role.MODERATOR,)
    list_display = ("position", "category", "street", "office")
    list_display_links = ("category", "street")


@admin.register(Open311Client)
class Open311ClientAdmin(TenantAdmin):
    """Keys are shown exactly once, right after saving; only their hash is stored."""

    list_display = ("name", "key_prefix", "is_active", "created_at")
    fields = ("name", "contact", "is_active")

    def save_model(self, request, obj, form, change):
        if not change:
            import secrets

            key = secrets.token_urlsafe(32)
            obj.key_hash, obj.key_prefix = hash_key(key), key[:6]
            messages.warning(
                request, f"API-Schlüssel (nur jetzt sichtbar, bitte sicher weitergeben): {key}"
            )
        super().save_model(request, obj, form, change)


@admin.register(BudgetRound)
class BudgetRoundAdmin(TenantAdmin):
    edit_roles = (Role.MODERATOR,)
    list_display = ("title", "phase", "points_per_voter", "max_points_per_proposal", "top_n")


class TopicInline(TenantInline):
    model = EventTopic
    edit_roles = (Role.MODERATOR,)


@admin.register(DialogueEvent)
class DialogueEventAdmin(TenantAdmin):
    edit_roles = (Role.MODERATOR,)
    list_display = ("title", "kind", "starts_at", "capacity", "hints_published")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [TopicInline]


@admin.register(Tree)
class TreeAdmin(TenantAdmin):
    edit_roles = (Role.MODERATOR,)
    list_display = ("external_id", "species", "planting_year", "street", "district")
    search_fields = ("external_id", "street", "species")


@admin.register(WaterPump)
class WaterPumpAdmin(TenantAdmin):
    edit_roles = (Role.MODERATOR,)
    list_display = ("name", "condition")
