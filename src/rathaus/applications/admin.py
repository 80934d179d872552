from django import forms
from django.contrib import admin, messages

from rathaus.core.admin import TenantAdmin

from . import formengine, services
from .api import create_api_client
from .models import ApiClient, FormDefinition, OidcProvider, WebhookEndpoint


class FormDefinitionForm(forms.ModelForm):
    class Meta:
        model = FormDefinition
        fields = [
            "service",
            "version",
            "title",
            "intro",
            "title_en",
            "intro_en",
            "schema",
            "guest_allowed",
            "case_statuses",
            "processing_days",
            "retention_days",
            "notice_title",
            "maturity_level",
        ]

    def clean_schema(self):
        schema = self.cleaned_data["schema"]
        try:
            formengine.validate_schema(schema)
        except formengine.SchemaError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return schema


@admin.register(FormDefinition)
class FormDefinitionAdmin(TenantAdmin):
    form = FormDefinitionForm
    list_display = ["title", "service", "version", "state", "published_at"]
    list_filter = ["state"]
    readonly_fields = ["state", "published_at"]
    actions = ["publish"]

    @admin.action(description="Veröffentlichen (Vorversion wird abgelöst)")
    def publish(self, request, queryset):
        for form in queryset:
            services.publish_form(form, actor=request.user)


@admin.register(ApiClient)
class ApiClientAdmin(TenantAdmin):
    list_display = ["name", "office", "key_prefix", "is_active"]
    readonly_fields = ["key_prefix", "key_hash"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # A new client gets its key here; only the hash is stored, so show it once.
        created, key = create_api_client(
            request.municipality, obj.name, obj.office, actor=request.user
        )
        obj.pk, obj.key_prefix, obj.key_hash = created.pk, created.key_prefix, created.key_hash
        obj._state.adding = False
        messages.warning(
            request, f"API-Schlüssel (wird nur jetzt angezeigt, bitte sicher speichern): {key}"
        )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(TenantAdmin):
    list_display = ["url", "is_active"]


@admin.register(OidcProvider)
class OidcProviderAdmin(TenantAdmin):
    list_display = ["name", "slug", "issuer", "is_active"]
