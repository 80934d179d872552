from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import KernForm


class WateringForm(KernForm):
    litres = forms.IntegerField(
        label=_("Liter"),
        min_value=1,
        max_value=1000,
        error_messages={"required": _("Bitte geben Sie die Wassermenge in Litern an.")},
    )
    date = forms.DateField(
        label=_("Datum"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Bitte geben Sie ein Datum an (TT.MM.JJJJ).")},
    )
    name = forms.CharField(
        label=_("Ihr Name oder Pseudonym"),
        max_length=40,
        required=False,
        help_text=_("Wird öffentlich angezeigt. Ohne Angabe erscheint „Anonym“."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate(), "litres": 50})
        super().__init__(*args, **kwargs)


class StreetGroupForm(KernForm):
    name = forms.CharField(
        label=_("Ihr Name in der Gruppe (Pseudonym)"),
        max_length=40,
        help_text=_("Wird öffentlich gezeigt. Bitte nicht Ihren vollen Namen."),
        error_messages={"required": _("Bitte geben Sie einen Namen (Pseudonym) an.")},
    )


class TreeGrantForm(KernForm):
    """Staff record a sponsorship with plaque or a water voucher for a citizen's account."""

    kind = forms.ChoiceField(
        label=_("Art"),
        choices=[
            ("sponsorship", _("Baumpatenschaft mit Schild")),
            ("water_voucher", _("Wassergutschein")),
        ],
    )
    tree = forms.CharField(label=_("Baumnummer"), max_length=60)
    email = forms.EmailField(
        label=_("E-Mail-Adresse des Kontos"),
        max_length=254,
        help_text=_("Die Person braucht ein Konto im Portal."),
    )
    plaque_text = forms.CharField(
        label=_("Text des Schildes (bei Patenschaft)"), max_length=80, required=False
    )
    litres = forms.IntegerField(
        label=_("Liter (bei Gutschein)"), min_value=1, max_value=100_000, required=False
    )
    valid_until = forms.DateField(
        label=_("Gültig bis"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Bitte geben Sie ein Datum an (TT.MM.JJJJ).")},
    )
