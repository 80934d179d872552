"""Forms of the Terminvergabe: the citizen's minimal data, staff booking and blocking."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import KernForm


class ContactForm(KernForm):
    """The minimum we need for a booking (data minimisation)."""

    name = forms.CharField(
        label=_("Vor- und Nachname"),
        max_length=200,
        error_messages={"required": _("Bitte geben Sie Ihren Namen an.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        help_text=_("Dorthin senden wir den Link zur Bestätigung und die Terminbestätigung."),
        error_messages={
            "required": _("Bitte geben Sie Ihre E-Mail-Adresse an."),
            "invalid": _("Bitte geben Sie eine E-Mail-Adresse wie name@beispiel.de an."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = forms.CharField(
        label=_("Telefonnummer"),
        max_length=40,
        required=False,
        help_text=_("Nur für Rückfragen, falls der Termin ausfallen muss."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and not all(ch.isdigit() or ch in " +-/()" for ch in phone):
            raise forms.ValidationError(_("Bitte nur Ziffern, Leerzeichen und + - / ( ) angeben."))
        return phone


class CallerForm(ContactForm):
    """Staff booking for a caller: e-mail optional (no e-mail, no confirmation mail)."""

    start = forms.DateTimeField(label=_("Beginn"), widget=forms.HiddenInput)
    persons = forms.IntegerField(label=_("Personen/Vorgänge"), min_value=1, max_value=10, initial=1)
    note = forms.CharField(label=_("Interne Notiz"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = False
        self.fields["email"].help_text = _("Optional: dann erhält die Person eine Bestätigung.")


class BlockForm(KernForm):
    date = forms.DateField(
        label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(label=_("von"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("bis"), widget=forms.TimeInput(attrs={"type": "time"}))
    counters = forms.IntegerField(
        label=_("Wie viele Plätze fallen aus?"),
        min_value=0,
        max_value=50,
        initial=1,
        help_text=_("0 = der Standort ist in dieser Zeit ganz geschlossen."),
    )
    reason = forms.CharField(
        label=_("Grund (wird den Betroffenen mitgeteilt)"),
        max_length=200,
        initial="Personalausfall",
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("start_time")
            and data.get("end_time")
            and data["start_time"] >= data["end_time"]
        ):
            self.add_error("end_time", _("„bis“ muss nach „von“ liegen."))
        return data


class ExtraSlotsForm(KernForm):
    """Additional day slots released by staff (e.g. when more staff is in)."""

    date = forms.DateField(
        label=_("Datum"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(label=_("von"), widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label=_("bis"), widget=forms.TimeInput(attrs={"type": "time"}))
    counters = forms.IntegerField(
        label=_("Zusätzliche parallele Plätze"), min_value=1, max_value=50, initial=1
    )
    unit_minutes = forms.IntegerField(
        label=_("Länge einer Zeiteinheit (Minuten)"), min_value=5, max_value=240, initial=10
    )
    reason = forms.CharField(label=_("Anlass (intern)"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and start >= end:
            self.add_error("end_time", _("„bis“ muss nach „von“ liegen."))
        return data


DURATION_CHOICES = [(m, _("%(m)s Minuten") % {"m": m}) for m in (10, 15, 20, 30, 45, 60, 90, 120)]


class BookableForm(KernForm):
    """Make a service bookable at the town's locations (staff page, issue 21)."""

    locations = forms.ModelMultipleChoiceField(
        label=_("Standorte"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Bitte mindestens einen Standort wählen.")},
    )
    duration_minutes = forms.TypedChoiceField(
        label=_("Dauer eines Termins"), choices=DURATION_CHOICES, coerce=int, initial=20
    )
    counters = forms.IntegerField(
        label=_("Parallele Plätze (Schalter)"),
        min_value=1,
        max_value=50,
        initial=1,
        help_text=_("Gilt für neue Zeitfenster aus den Öffnungszeiten."),
    )
    lead_time_hours = forms.IntegerField(
        label=_("Frühestens buchbar ab (Stunden vor dem Termin)"),
        min_value=0,
        max_value=720,
        initial=2,
    )
    horizon_days = forms.IntegerField(
        label=_("Wie viele Tage im Voraus buchbar"), min_value=1, max_value=365, initial=28
    )
    refresh_windows = forms.BooleanField(
        label=_("Zeitfenster neu aus den Öffnungszeiten übernehmen (ab heute)"),
        required=False,
        help_text=_(
            "Nur nötig, wenn sich die Öffnungszeiten eines Standorts geändert haben; "
            "neue Standorte erhalten ihre Zeitfenster immer aus den Öffnungszeiten."
        ),
    )

    def __init__(self, *args, town, **kwargs):
        super().__init__(*args, **kwargs)
        from rathaus.core.models import Location

        self.fields["locations"].queryset = Location.objects.for_municipality(town).order_by("name")
        for name in ("counters", "lead_time_hours", "horizon_days"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
