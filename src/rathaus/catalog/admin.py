"""Back office for catalog editors (scoped to the municipality by TenantAdmin)."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.core.admin import TenantAdmin, TenantInline
from rathaus.core.models import Role

from . import services
from .models import Fee, LifeSituation, MaturityChange, Service, Topic

EDITORS = (Role.CATALOG_EDITOR,)


class FeeInline(TenantInline):
    model = Fee
    edit_roles = EDITORS
    fields = ("label", "label_en", "amount", "amount_max", "note", "note_en", "order")


class MaturityChangeInline(TenantInline):
    """The history is written by the services layer; editors see it read-only."""

    model = MaturityChange
    edit_roles = EDITORS
    fields = ("changed_on", "level", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Service)
class ServiceAdmin(TenantAdmin):
    edit_roles = EDITORS
    list_display = ("name", "topic", "office", "maturity_level", "planned_date", "is_published")
    list_filter = ("topic", "maturity_level", "office", "is_published")
    search_fields = ("name", "slug", "leika_key", "synonyms")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("life_situations", "locations")
    inlines = [FeeInline, MaturityChangeInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("name", "slug", "leika_key", "is_published", "popularity")}),
        (
            _("Texte"),
            {
                "fields": (
                    "summary",
                    "description",
                    "requirements",
                    "documents",
                    "procedure",
                    "legal_basis",
                    "deadlines",
                    "processing_time",
                    "hints",
                )
            },
        ),
        (_("Suche"), {"fields": ("synonyms", "keywords_en")}),
        (
            _("Englisch"),
            {
                "fields": (
                    "name_en",
                    "summary_en",
                    "description_en",
                    "requirements_en",
                    "documents_en",
                    "procedure_en",
                )
            },
        ),
        (_("Einordnung"), {"fields": ("topic", "life_situations", "office", "locations")}),
        (
            _("Online-Dienst und Reifegrad"),
            {
                "fields": (
                    "online_url",
                    "trust_level",
                    "maturity_level",
                    "planned_level",
                    "planned_date",
                    "appointment_required",
                )
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        obj.municipality = request.municipality
        new_level = obj.maturity_level
        if change:
            obj.maturity_level = form.initial.get("maturity_level", new_level)
        services.save_service(
            obj, actor=request.user, created=not change, changed_fields=form.changed_data
        )
        services.record_maturity(obj, new_level, actor=request.user)


class ReadOnlyTaxonomyAdmin(admin.ModelAdmin):
    """National reference data: visible to editors, changed only by code (taxonomy.py)."""

    list_display = ("name", "name_en", "slug")

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.register(Topic, ReadOnlyTaxonomyAdmin)
admin.site.register(LifeSituation, ReadOnlyTaxonomyAdmin)
