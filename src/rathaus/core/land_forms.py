"""Forms of the Land operator's pages and of a town's staff page (issue 21).

The forms check what a person typed (German messages next to the field); the
services in ``onboarding`` check it again and do the work.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import uploads
from .forms import KernForm
from .models import WEEKDAYS, OpeningHours, Role
from .onboarding import Window

LOGO_TYPES = {uploads.PNG, uploads.JPEG, uploads.WEBP}
LOGO_MAX_BYTES = 1024 * 1024


class TownForm(KernForm):
    name = forms.CharField(label=_("Name der Kommune"), max_length=200)
    ags = forms.CharField(
        label=_("Amtlicher Gemeindeschlüssel (AGS)"),
        max_length=8,
        help_text=_("8 Ziffern, z. B. 15003000; die ersten beiden nennen das Land."),
    )
    hosts = forms.CharField(
        label=_("Hostnamen"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ein Hostname je Zeile, z. B. service.musterstadt.de"),
    )
    base_url = forms.URLField(
        label=_("Adresse des Portals"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("Für Links in E-Mails, z. B. https://service.musterstadt.de"),
    )
    mail_sender = forms.EmailField(
        label=_("Absenderadresse der E-Mails"),
        required=False,
        help_text=_("z. B. rathaus@musterstadt.de"),
    )
    logo = forms.FileField(
        label=_("Logo"), required=False, help_text=_("PNG, JPEG oder WebP, höchstens 1 MB.")
    )
    admin_email = forms.EmailField(
        label=_("E-Mail-Adresse der ersten Administration"),
        help_text=_("Die Person erhält eine Einladung, ihr Passwort festzulegen."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ags"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["hosts"].widget.attrs.update({"autocapitalize": "none", "spellcheck": "false"})

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo:
            try:
                uploads.check(logo, LOGO_TYPES, LOGO_MAX_BYTES)
            except ValidationError as error:
                raise forms.ValidationError(error.messages) from None
        return logo


TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
KINDS = (("open", OpeningHours.Kind.OPEN), ("walk", OpeningHours.Kind.WALK_IN))


class LocationForm(KernForm):
    """A location and its weekly hours: per weekday one window with appointments and
    one without (walk-in); empty means closed. More windows or dated changes are
    edited later in the Stammdaten."""

    office_name = forms.CharField(
        label=_("Organisationseinheit (Amt)"),
        max_length=200,
        help_text=_("z. B. Bürgerbüro; gibt es sie schon, kommt der Standort dazu."),
    )
    name = forms.CharField(label=_("Name des Standorts"), max_length=200)
    street = forms.CharField(label=_("Straße und Hausnummer"), max_length=200)
    postcode = forms.CharField(label=_("PLZ"), max_length=5, min_length=5)
    city = forms.CharField(label=_("Ort"), max_length=100)
    latitude = forms.CharField(
        label=_("Breitengrad"),
        required=False,
        max_length=20,
        help_text=_(
            "Für die Karte, z. B. 52.131620. Leer lassen: die Position kommt aus der "
            "Adressliste der Kommune (Straße, Hausnummer, PLZ)."
        ),
    )
    longitude = forms.CharField(
        label=_("Längengrad"),
        required=False,
        max_length=20,
        help_text=_("z. B. 11.639280; leer lassen wie den Breitengrad."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["postcode"].widget.attrs.update({"inputmode": "numeric"})
        for field in ("latitude", "longitude"):
            self.fields[field].widget.attrs.update({"inputmode": "decimal"})
        for day, label in WEEKDAYS:
            for key, kind in KINDS:
                for end, end_label in (("from", _("von")), ("until", _("bis"))):
                    name = f"{key}_{end}_{day}"
                    self.fields[name] = forms.TimeField(
                        label=f"{label}: {kind.label} {end_label}",
                        required=False,
                        widget=TIME_WIDGET,
                        input_formats=["%H:%M", "%H:%M:%S", "%H.%M"],
                    )
                    self.fields[name].widget.attrs["class"] = "kern-form-input__input"

    def weekdays(self):
        """Rows for the template: (weekday label, [(kind label, from field, until field)])."""
        return [
            (
                label,
                [
                    (kind.label, self[f"{key}_from_{day}"], self[f"{key}_until_{day}"])
                    for key, kind in KINDS
                ],
            )
            for day, label in WEEKDAYS
        ]

    def clean(self):
        data = super().clean()
        windows = []
        for day, _label in WEEKDAYS:
            for key, kind in KINDS:
                opens, closes = data.get(f"{key}_from_{day}"), data.get(f"{key}_until_{day}")
                if opens is None and closes is None:
                    continue
                if opens is None or closes is None:
                    missing = f"{key}_from_{day}" if opens is None else f"{key}_until_{day}"
                    self.add_error(missing, _("Bitte „von“ und „bis“ angeben."))
                elif opens >= closes:
                    self.add_error(f"{key}_until_{day}", _("„bis“ muss nach „von“ liegen."))
                else:
                    windows.append(Window(kind=kind.value, weekday=day, opens=opens, closes=closes))
        data["windows"] = windows
        return data


class TownEditForm(KernForm):
    """A town's settings after onboarding (the AGS and the Land stay)."""

    name = forms.CharField(label=_("Name der Kommune"), max_length=200)
    hosts = forms.CharField(
        label=_("Hostnamen"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2600,
        help_text=_(
            "Ein Hostname je Zeile; der erste ist der Hauptname (Links in E-Mails, wenn "
            "keine Adresse des Portals angegeben ist). Entfernte Namen antworten sofort "
            "nicht mehr."
        ),
    )
    base_url = TownForm.base_fields["base_url"]
    mail_sender = TownForm.base_fields["mail_sender"]
    logo = forms.FileField(
        label=_("Neues Logo"), required=False, help_text=_("PNG, JPEG oder WebP, höchstens 1 MB.")
    )
    remove_logo = forms.BooleanField(label=_("Logo entfernen"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hosts"].widget.attrs.update({"autocapitalize": "none", "spellcheck": "false"})

    clean_logo = TownForm.clean_logo

    @staticmethod
    def initial_from(town) -> dict:
        return {
            "name": town.name,
            "hosts": "\n".join(town.hosts.order_by("pk").values_list("host", flat=True)),
            "base_url": town.base_url,
            "mail_sender": town.mail_sender,
        }


class LocationEditForm(LocationForm):
    """A location's address, position and weekly hours (its office stays)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["office_name"]

    @staticmethod
    def initial_from(location, hours: dict) -> dict:
        return {
            "name": location.name,
            "street": location.street,
            "postcode": location.postcode,
            "city": location.city,
            "latitude": location.latitude if location.latitude is not None else "",
            "longitude": location.longitude if location.longitude is not None else "",
            **hours,
        }


class OfficeForm(KernForm):
    """An office's name and contact."""

    name = forms.CharField(label=_("Name der Organisationseinheit"), max_length=200)
    short_name = forms.CharField(label=_("Kurzname"), max_length=60, required=False)
    phone = forms.CharField(label=_("Telefon"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-Mail"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})

    @staticmethod
    def initial_from(office) -> dict:
        return {
            "name": office.name,
            "short_name": office.short_name,
            "phone": office.phone,
            "email": office.email,
        }


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ClosureForm(KernForm):
    """A location closed for some days ("vorübergehend geschlossen")."""

    first = forms.DateField(label=_("Geschlossen ab"), widget=DATE_WIDGET)
    last = forms.DateField(label=_("bis einschließlich"), widget=DATE_WIDGET)
    reason = forms.CharField(
        label=_("Grund (wird Betroffenen mitgeteilt)"),
        max_length=200,
        initial=_("vorübergehend geschlossen"),
    )

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and first < self.today:
            self.add_error("first", _("Bitte ein Datum ab heute angeben."))
        elif first and (first - self.today).days > 730:
            self.add_error("first", _("Höchstens zwei Jahre im Voraus."))
        if first and last and last < first:
            self.add_error("last", _("„bis“ liegt vor „ab“."))
        return data


class StaffInviteForm(KernForm):
    email = forms.EmailField(label=_("E-Mail-Adresse"))
    first_name = forms.CharField(label=_("Vorname"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nachname"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices)
    office = forms.ModelChoiceField(
        label=_("Organisationseinheit"),
        queryset=None,
        required=False,
        help_text=_("Nur für Sachbearbeitung: deren Vorgänge die Person sieht."),
    )

    def __init__(self, *args, town, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Office

        self.fields["office"].queryset = Office.objects.for_municipality(town).order_by("name")
        self.fields["email"].widget.attrs["autocomplete"] = "off"
