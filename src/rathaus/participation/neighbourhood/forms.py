from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import KernForm

from ..reports.forms import _coordinate
from . import services
from .models import NeighbourhoodSubscription

Way = NeighbourhoodSubscription.Way


class SubscriptionForm(KernForm):
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        max_length=254,
        error_messages={
            "required": _("Geben Sie Ihre E-Mail-Adresse ein."),
            "invalid": _("Geben Sie eine E-Mail-Adresse im Format name@beispiel.de ein."),
        },
    )
    way = forms.ChoiceField(
        label=_("Wofür möchten Sie die Zusammenfassung?"),
        choices=Way.choices,
        initial=Way.STREET,
        widget=forms.RadioSelect,
        error_messages={"required": _("Wählen Sie Straße, Umkreis oder Gebiet.")},
    )
    street = forms.CharField(
        label=_("Straße"),
        required=False,
        max_length=120,
        help_text=_("Wie im Adressverzeichnis der Stadt, z. B. Lindenallee."),
        widget=forms.TextInput(attrs={"list": "neighbourhood-streets", "autocomplete": "off"}),
    )
    house_number = forms.CharField(
        label=_("Hausnummer (für den Umkreis)"), required=False, max_length=12
    )
    radius_m = forms.TypedChoiceField(
        label=_("Umkreis"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[(r, _("%(m)s Meter") % {"m": r}) for r in services.RADII],
        initial=250,
    )
    south = _coordinate(_("Süden (Breite)"), -90, 90)
    west = _coordinate(_("Westen (Länge)"), -180, 180)
    north = _coordinate(_("Norden (Breite)"), -90, 90)
    east = _coordinate(_("Osten (Länge)"), -180, 180)

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        way = data.get("way")
        if way in (Way.STREET, Way.RADIUS) and not (data.get("street") or "").strip():
            self.add_error("street", _("Geben Sie eine Straße ein."))
            return data
        try:
            data["area"] = services.area_for(
                self.municipality,
                way=way,
                street=data.get("street") or "",
                house_number=data.get("house_number") or "",
                radius_m=data.get("radius_m"),
                box=(data.get("south"), data.get("west"), data.get("north"), data.get("east")),
            )
        except ValidationError as error:
            field = {Way.STREET: "street", Way.RADIUS: "house_number"}.get(way)
            message = " ".join(error.messages)
            if way == Way.RADIUS and "Umkreis" in message:
                field = "radius_m"
            elif way == Way.RADIUS and "Straße" in message:
                field = "street"
            self.add_error(field, message)
        return data
