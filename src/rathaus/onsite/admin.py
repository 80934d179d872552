"""Back office for Vor-Ort: service groups and contingents, counters, call rules."""

from django.contrib import admin

from rathaus.core.admin import TenantAdmin
from rathaus.core.models import Role

from .models import Counter, QueueRules, ServiceGroup

MANAGERS = (Role.APPOINTMENT_MANAGER,)


@admin.register(ServiceGroup)
class ServiceGroupAdmin(TenantAdmin):
    edit_roles = MANAGERS
    list_display = ["name", "prefix", "location", "daily_contingent", "default_minutes"]
    list_filter = ["location"]
    filter_horizontal = ["services"]


@admin.register(Counter)
class CounterAdmin(TenantAdmin):
    edit_roles = MANAGERS
    list_display = ["name", "number", "location", "opened_at"]
    list_filter = ["location"]
    exclude = ["opened_at", "opened_by"]
    filter_horizontal = ["groups"]


@admin.register(QueueRules)
class QueueRulesAdmin(TenantAdmin):
    edit_roles = MANAGERS
    list_display = [
        "location",
        "appointments_per_walk_in",
        "max_walk_in_wait_minutes",
        "on_time_minutes",
        "max_calls",
    ]
