"""Django's password-reset forms with KERN styling and German texts."""

from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm

from rathaus.core.forms import KernFormMixin


class KernPasswordResetForm(KernFormMixin, PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "E-Mail-Adresse"


class KernSetPasswordForm(KernFormMixin, SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "Neues Passwort"
        self.fields["new_password2"].label = "Neues Passwort wiederholen"
