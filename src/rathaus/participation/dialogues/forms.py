from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import KernForm


class RegistrationForm(KernForm):
    name = forms.CharField(
        label=_("Ihr Name"),
        max_length=120,
        error_messages={"required": _("Bitte geben Sie Ihren Namen an.")},
    )
    email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse"),
        help_text=_("Sie erhalten einen Link, mit dem Sie die Anmeldung bestätigen."),
        error_messages={
            "required": _("Bitte geben Sie Ihre E-Mail-Adresse an."),
            "invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse an."),
        },
    )


class HintForm(KernForm):
    topic = forms.ModelChoiceField(
        queryset=None,
        label=_("Thema"),
        empty_label=_("Bitte wählen"),
        error_messages={"required": _("Bitte wählen Sie ein Thema.")},
    )
    text = forms.CharField(
        label=_("Ihr Hinweis"),
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Bitte schreiben Sie Ihren Hinweis.")},
    )

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = event.topics.all()


class SlotBookingForm(KernForm):
    """Staff: offer a Bürgersprechstunde as bookable slots of the Terminvergabe."""

    location = forms.ModelChoiceField(
        queryset=None,
        label=_("Standort (Terminvergabe)"),
        empty_label=_("Bitte wählen"),
        error_messages={"required": _("Bitte wählen Sie einen Standort.")},
    )
    slot_minutes = forms.IntegerField(
        label=_("Länge eines Gesprächstermins (Minuten)"),
        min_value=5,
        max_value=240,
        initial=15,
        error_messages={
            "required": _("Bitte geben Sie die Länge eines Termins an."),
            "invalid": _("Bitte geben Sie eine ganze Zahl an."),
            "min_value": _("Ein Termin dauert mindestens 5 Minuten."),
            "max_value": _("Ein Termin dauert höchstens 240 Minuten."),
        },
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        from rathaus.core.models import Location

        self.fields["location"].queryset = Location.objects.for_municipality(municipality)
