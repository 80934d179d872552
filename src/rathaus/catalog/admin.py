"""Back office for catalog editors (scoped to the municipality by TenantAdmin)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from rathaus.core.admin import TenantAdmin, TenantInline
from rathaus.core.models import Role
from rathaus.core.parsing import ParseError, parse_choice

from . import land_template, services
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
    # Shows, for a service adopted from the Land's template, which texts follow the
    # Land and which are the town's own, with "der Landesfassung wieder folgen".
    change_form_template = "catalog/admin/service_change_form.html"
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
                    "deadlines_en",
                    "processing_time_en",
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

    def get_urls(self):
        follow = self.admin_site.admin_view(require_POST(self.follow_land_view))
        return [
            path("<path:object_id>/landesfassung/", follow, name="catalog_service_follow_land"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        service = self.get_object(request, object_id)
        if service is not None and service.land_service_id:
            extra_context["land_fields"] = land_template.field_states(service)
            extra_context["land_template"] = service.land_service
        return super().change_view(request, object_id, form_url, extra_context)

    def follow_land_view(self, request, object_id):
        """The town gives up its own text of one field: the Land's text again."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        service = self.get_object(request, object_id)
        if service is None or service.land_service_id is None:
            raise Http404
        change_url = reverse("admin:catalog_service_change", args=[service.pk])
        try:
            name = parse_choice(request.POST.get("field"), "field", land_template.TEMPLATE_FIELDS)
        except ParseError as error:
            messages.error(request, error.reason)
            return redirect(change_url)
        land_template.follow_land_again(service, [name], actor=request.user)
        label = Service._meta.get_field(name).verbose_name
        messages.success(
            request,
            gettext("„%(field)s“ folgt wieder der Landesfassung.") % {"field": label},
        )
        return redirect(change_url)

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
