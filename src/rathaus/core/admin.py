"""Back office (Django admin), scoped to the request's municipality and the user's roles.

Other apps subclass ``TenantAdmin`` and name the roles that may edit.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    AuditEntry,
    Location,
    Municipality,
    MunicipalityHost,
    Office,
    OpeningException,
    OpeningHours,
    Role,
    StaffRole,
    User,
)
from .permissions import has_role


class TenantAdmin(admin.ModelAdmin):
    """Shows and edits only rows of the municipality the admin is served for."""

    #: Roles (besides administrator) that may use this admin.
    edit_roles: tuple[str, ...] = ()
    #: Path to the municipality from this model, for inlines of children.
    municipality_path = "municipality"

    def _allowed(self, request) -> bool:
        if request.user.is_superuser:
            return True
        return has_role(request.user, request.municipality, *self.edit_roles)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(**{self.municipality_path: request.municipality})
        )

    def get_exclude(self, request, obj=None):
        return (*(super().get_exclude(request, obj) or ()), "municipality")

    def save_model(self, request, obj, form, change):
        if self.municipality_path == "municipality":
            obj.municipality = request.municipality
        super().save_model(request, obj, form, change)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is User:  # accounts are installation-wide: list only this town's staff
            kwargs["queryset"] = town_accounts(request.municipality)
        elif any(f.name == "municipality" for f in related._meta.fields):
            kwargs["queryset"] = related._default_manager.filter(municipality=request.municipality)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        related = db_field.related_model
        if related is User:
            kwargs["queryset"] = town_accounts(request.municipality)
        elif any(f.name == "municipality" for f in related._meta.fields):
            kwargs["queryset"] = related._default_manager.filter(municipality=request.municipality)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TenantInline(admin.TabularInline):
    extra = 0
    edit_roles: tuple[str, ...] = ()

    def _allowed(self, request) -> bool:
        return request.user.is_superuser or has_role(
            request.user, request.municipality, *self.edit_roles
        )

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    has_change_permission = has_view_permission

    def has_add_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class OpeningHoursInline(TenantInline):
    model = OpeningHours
    edit_roles = (Role.CATALOG_EDITOR,)


class OpeningExceptionInline(TenantInline):
    model = OpeningException
    edit_roles = (Role.CATALOG_EDITOR,)


@admin.register(Office)
class OfficeAdmin(TenantAdmin):
    edit_roles = (Role.CATALOG_EDITOR,)
    list_display = ("name", "short_name", "phone", "email")
    search_fields = ("name", "short_name")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Location)
class LocationAdmin(TenantAdmin):
    edit_roles = (Role.CATALOG_EDITOR,)
    list_display = ("name", "office", "street", "step_free", "hearing_loop")
    list_filter = ("office",)
    search_fields = ("name", "street")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [OpeningHoursInline, OpeningExceptionInline]


def town_accounts(municipality):
    """Accounts an admin of ``municipality`` may see in choice lists: its own staff."""
    return User.objects.filter(roles__municipality=municipality).distinct().order_by("email")


class StaffRoleAddForm(forms.ModelForm):
    """Grant a role by the exact e-mail address of an account: the form lists nobody, so
    an admin never sees other towns' citizens or staff (issue 14)."""

    email = forms.EmailField(
        label=_("E-Mail-Adresse des Kontos"),
        help_text=_("Die Person registriert sich zuerst selbst und nennt Ihnen ihre Adresse."),
    )

    class Meta:
        model = StaffRole
        fields = ("role", "office")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None or not may_grant_to(self.request, user):
            raise forms.ValidationError(
                _("Kein Konto mit dieser E-Mail-Adresse, dem Sie hier eine Rolle geben können.")
            )
        self.instance.user = user
        return email


def may_grant_to(request, user) -> bool:
    """Town admins grant roles to their own staff or to accounts without any town's role;
    staff of another town and installation superusers are not theirs to change."""
    if request.user.is_superuser:
        return True
    if user.is_superuser:
        return False
    other_towns = StaffRole.objects.filter(user=user).exclude(municipality=request.municipality)
    return not other_towns.exists()


@admin.register(StaffRole)
class StaffRoleAdmin(TenantAdmin):
    list_display = ("user", "role", "office")
    list_filter = ("role",)
    actions = ["unlock_login"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            form = super().get_form(request, obj, form=StaffRoleAddForm, **kwargs)
            form.request = request
            return form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ("email", "role", "office") if obj is None else ("user", "role", "office")

    def get_readonly_fields(self, request, obj=None):
        return ("user",) if obj is not None else ()

    @admin.action(description=_("Anmeldesperre aufheben (nach zu vielen Fehlversuchen)"))
    def unlock_login(self, request, queryset):
        from . import audit
        from .login_throttle import unlock

        for role in queryset.select_related("user"):
            unlock(role.user.email)
            audit.record(
                "core.login_unlocked",
                role.user,
                actor=request.user,
                municipality=request.municipality,
            )
        self.message_user(request, _("Die Anmeldesperre ist aufgehoben."))


@admin.register(AuditEntry)
class AuditEntryAdmin(TenantAdmin):
    list_display = ("created_at", "action", "object_type", "object_id", "actor_label")
    # No filter by action: listing the distinct actions reads the whole log; search
    # finds an action by its name (the index on (object_type, object_id) serves objects).
    search_fields = ("action", "object_id")
    list_filter = ("object_type",)
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MunicipalityHostInline(admin.TabularInline):
    model = MunicipalityHost
    extra = 0


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    """Only installation superusers create municipalities."""

    list_display = ("name", "ags", "land")
    inlines = [MunicipalityHostInline]

    def has_module_permission(self, request):
        return request.user.is_superuser


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "display_name")}),
        ("Rechte", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def has_module_permission(self, request):
        return request.user.is_superuser
