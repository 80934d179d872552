"""The citizen account (Nutzerkonto): registration, e-mail confirmation, second factor, OIDC.

Login itself is core's login view; when a user has a confirmed authenticator,
core calls ``second_factor_redirect`` (settings.RATHAUS_LOGIN_SECOND_FACTOR) and the
login is finished only after a valid TOTP or recovery code.
"""

import base64

import pyotp
import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import login, password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import (
    url_has_allowed_host_and_scheme,
    urlsafe_base64_decode,
)
from django.views.decorators.http import require_POST

from rathaus.core import audit, ratelimit, tenancy
from rathaus.core.forms import KernForm
from rathaus.core.models import User

from . import oidc, second_factor, services_accounts
from .account_tokens import ActivationTokenGenerator, activation_tokens  # noqa: F401
from .models import TotpDevice
from .services_accounts import use_recovery_code, verify_totp
from .tasks import send_account_mail

PENDING_2FA = "applications_2fa_pending"
BACKEND = "django.contrib.auth.backends.ModelBackend"


class RegistrationForm(KernForm):
    first_name = forms.CharField(label="Vorname", max_length=150)
    last_name = forms.CharField(label="Nachname", max_length=150)
    email = forms.EmailField(label="E-Mail-Adresse")
    password1 = forms.CharField(
        label="Passwort",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Mindestens 8 Zeichen, nicht nur Ziffern.",
    )
    password2 = forms.CharField(
        label="Passwort wiederholen",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    privacy = forms.BooleanField(
        label="Ich habe die Datenschutzhinweise gelesen.",
        error_messages={"required": "Bitte bestätigen Sie die Datenschutzhinweise."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "Die Passwörter stimmen nicht überein.")
        elif data.get("password1"):
            candidate = User(email=data.get("email", ""), first_name=data.get("first_name", ""))
            try:
                password_validation.validate_password(data["password1"], candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


def register(request):
    if request.user.is_authenticated:
        return redirect("applications:account")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        verdict = ratelimit.hit("register", ratelimit.client_ip(request), 10, 3600)
        if not verdict.allowed:
            return ratelimit.too_many(request, verdict)
        if form.is_valid():
            data = form.cleaned_data
            existing = User.objects.filter(email=data["email"]).first()
            if existing is None:
                with transaction.atomic():
                    user = User.objects.create_user(
                        data["email"],
                        data["password1"],
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        is_active=False,
                    )
                    audit.record("applications.account_registered", user, actor_label=user.email)
                    _send_activation(request, user)
            else:
                # Same answer and the same work either way (a password hash, one mail after
                # commit): neither the page nor its timing may reveal who has an account.
                make_password(data["password1"])
                with transaction.atomic():
                    _send_existing_notice(request, existing)
            return render(request, "applications/konto/registered.html", {"email": data["email"]})
    return render(request, "applications/konto/register.html", {"form": form})


def _send_activation(request, user):
    transaction.on_commit(
        lambda: send_account_mail.enqueue(user.pk, "activate", request.municipality.pk)
    )


def _send_existing_notice(request, user):
    town = request.municipality.pk
    transaction.on_commit(lambda: send_account_mail.enqueue(user.pk, "already_registered", town))


def activate(request, uidb64, token):
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)))
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        user = None
    if user is None or not activation_tokens.check_token(user, token):
        return render(request, "applications/konto/activation_invalid.html", status=400)
    services_accounts.activate_account(user)
    messages.success(request, "Ihre E-Mail-Adresse ist bestätigt. Sie können sich jetzt anmelden.")
    return redirect("core:login")


class TownPasswordResetView(auth_views.PasswordResetView):
    """Django's reset view, but the link in the mail points to the town's configured
    address (core.tenancy.public_base_url), never to the Host header of the request:
    otherwise a reset requested with ``Host: evil.example`` mails a working token there."""

    @property
    def from_email(self):  # the town's sender (core.mail)
        return tenancy.mail_sender(self.request.municipality)

    @property
    def extra_email_context(self):
        base_url = tenancy.public_base_url(self.request.municipality)
        scheme, _, domain = base_url.partition("://")
        return {"base_url": base_url, "protocol": scheme, "domain": domain, "site_name": domain}


# --- second factor --------------------------------------------------------------------


def second_factor_redirect(request, user) -> str | None:
    """Called by core's login view after the password check."""
    if not TotpDevice.objects.filter(user=user, confirmed=True).exists():
        return None
    request.session[PENDING_2FA] = {
        "user": user.pk,
        "next": request.POST.get("next") or request.GET.get("next") or "",
        "at": timezone.now().timestamp(),
    }
    return reverse("applications:two_factor")


class CodeForm(KernForm):
    code = forms.CharField(
        label="Sicherheitscode",
        max_length=20,
        help_text="6 Ziffern aus Ihrer Authenticator-App oder einer Ihrer Wiederherstellungscodes.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "text"}
        )


def two_factor(request):
    pending = request.session.get(PENDING_2FA)
    if not pending or timezone.now().timestamp() - pending["at"] > 300:
        request.session.pop(PENDING_2FA, None)
        messages.error(request, "Bitte melden Sie sich erneut an.")
        return redirect("core:login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    device = TotpDevice.objects.filter(user=user, confirmed=True).first()
    if user is None or device is None:
        return redirect("core:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        verdict = ratelimit.hit("2fa", str(user.pk), 5, 300)
        if not verdict.allowed:
            return ratelimit.too_many(request, verdict)
        if form.is_valid():
            code = form.cleaned_data["code"]
            if verify_totp(device, code) or use_recovery_code(user, code):
                request.session.pop(PENDING_2FA, None)
                login(request, user, backend=BACKEND)
                second_factor.mark_verified(request)
                audit.record("applications.login_2fa", user, actor=user)
                target = pending.get("next") or reverse("applications:account")
                if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                    target = reverse("applications:account")
                return redirect(target)
            form.add_error("code", "Der Code ist falsch oder abgelaufen.")
    return render(request, "applications/konto/two_factor.html", {"form": form})


def _qr_data_uri(uri: str) -> str:
    svg = segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@login_required
def two_factor_setup(request):
    device = services_accounts.totp_device_for_setup(request.user)
    if device.confirmed:
        return redirect("applications:account")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if verify_totp(device, form.cleaned_data["code"]):
            codes = services_accounts.confirm_totp(request.user, device)
            second_factor.mark_verified(request)
            return render(request, "applications/konto/recovery_codes.html", {"codes": codes})
        form.add_error("code", "Der Code ist falsch. Bitte prüfen Sie die Uhrzeit Ihres Geräts.")
    issuer = request.municipality.name if request.municipality else "Rathaus"
    uri = pyotp.TOTP(device.secret).provisioning_uri(name=request.user.email, issuer_name=issuer)
    return render(
        request,
        "applications/konto/two_factor_setup.html",
        {"form": form, "qr": _qr_data_uri(uri), "secret": device.secret},
    )


@login_required
@require_POST
def two_factor_disable(request):
    form = CodeForm(request.POST)
    device = TotpDevice.objects.filter(user=request.user, confirmed=True).first()
    if (
        device
        and form.is_valid()
        and (
            verify_totp(device, form.cleaned_data["code"])
            or use_recovery_code(request.user, form.cleaned_data["code"])
        )
    ):
        services_accounts.disable_second_factor(request.user, device)
        request.session.pop(second_factor.VERIFIED, None)
        messages.success(request, "Die Zwei-Faktor-Anmeldung ist ausgeschaltet.")
    else:
        messages.error(request, "Der Code ist falsch. Die Zwei-Faktor-Anmeldung bleibt aktiv.")
    return redirect("applications:account")


# --- OpenID Connect ---------------------------------------------------------------------


def oidc_login(request, slug):
    provider = oidc.get_provider(request.municipality, slug)
    if provider is None:
        raise Http404
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = ""
    redirect_uri = request.build_absolute_uri(reverse("applications:oidc_callback"))
    try:
        return redirect(oidc.authorization_url(request, provider, redirect_uri, next_url))
    except oidc.OidcError as exc:
        messages.error(request, str(exc))
        return redirect("core:login")


def oidc_callback(request):
    try:
        user, next_url = oidc.complete(request, request.municipality, request.GET)
    except oidc.OidcError as exc:
        messages.error(request, str(exc))
        return redirect("core:login")
    if not user.is_active:
        messages.error(request, "Dieses Konto ist deaktiviert.")
        return redirect("core:login")
    # OpenID Connect is one more login path: a confirmed authenticator is asked for here too.
    target = second_factor_redirect(request, user)
    if target:
        request.session[PENDING_2FA]["next"] = next_url
        request.session.modified = True
        return redirect(target)
    login(request, user, backend=BACKEND)
    audit.record("applications.login_oidc", user, actor=user)
    return redirect(next_url or reverse("applications:account"))
