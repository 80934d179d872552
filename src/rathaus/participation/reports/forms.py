"""Forms of the Mängelmelder (citizen steps and staff actions)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.catalog import english
from rathaus.core.forms import KernForm

from .models import CategoryAttribute, Report, ReportCategory, ReportUpdate


class WhereWhatForm(KernForm):
    """Step 1: what kind of defect, and where (map pick fills the coordinates)."""

    category = forms.ModelChoiceField(
        queryset=ReportCategory.objects.none(),
        label=_("Was möchten Sie melden?"),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Bitte wählen Sie eine Kategorie.")},
    )
    address = forms.CharField(
        label=_("Adresse oder Ortsbeschreibung"),
        required=False,
        max_length=200,
        help_text=_(
            "Nötig, wenn Sie keinen Ort auf der Karte wählen. "
            "Zum Beispiel „Lindenstraße 12“ oder „Parkplatz vor der Schwimmhalle“."
        ),
    )
    latitude = forms.DecimalField(
        label=_("Breitengrad"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
    )
    longitude = forms.DecimalField(
        label=_("Längengrad"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        categories = ReportCategory.objects.for_municipality(municipality).filter(is_active=True)
        self.fields["category"].queryset = categories
        self.fields["category"].label_from_instance = lambda c: english.localized(c, "name")
        english.mark_german_choices(
            self.fields["category"], [c.pk for c in categories if english.shows_german(c, "name")]
        )
        self.fields["latitude"].widget.attrs.update(inputmode="decimal", step="any")
        self.fields["longitude"].widget.attrs.update(inputmode="decimal", step="any")

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if "latitude" in self.errors or "longitude" in self.errors:
            return data
        if (lat is None) != (lon is None):
            raise forms.ValidationError(_("Bitte geben Sie Breiten- und Längengrad zusammen an."))
        if lat is None and not data.get("address", "").strip():
            self.add_error(
                "address",
                _("Bitte geben Sie eine Adresse an oder wählen Sie einen Ort auf der Karte."),
            )
        return data


class DetailsForm(KernForm):
    """Step 2: description, up to three photos, optional contact and category questions."""

    description = forms.CharField(
        label=_("Beschreibung"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Bitte beschreiben Sie den Mangel.")},
    )
    photo_1 = forms.FileField(label=_("Foto 1"), required=False)
    photo_2 = forms.FileField(label=_("Foto 2"), required=False)
    photo_3 = forms.FileField(label=_("Foto 3"), required=False)
    contact_name = forms.CharField(label=_("Ihr Name"), required=False, max_length=120)
    contact_email = forms.EmailField(
        label=_("Ihre E-Mail-Adresse"),
        required=False,
        help_text=_("Nur dann erfahren Sie, wie es weitergeht. Sie wird nie veröffentlicht."),
        error_messages={"invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse an.")},
    )
    contact_phone = forms.CharField(label=_("Telefon"), required=False, max_length=40)

    PHOTO_FIELDS = ("photo_1", "photo_2", "photo_3")

    def __init__(self, *args, category, photo_slots=3, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.PHOTO_FIELDS[photo_slots:]:
            del self.fields[name]
        for name in self.PHOTO_FIELDS[:photo_slots]:
            self.fields[name].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
            self.fields[name].help_text = _("JPEG, PNG oder WebP, höchstens 8 MB.")
        for attribute in category.attributes.all():
            self.fields[f"attr_{attribute.code}"] = attribute_field(attribute)
        for name, field in self.fields.items():
            if name.startswith("attr_") and not isinstance(
                field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)
            ):
                css = (
                    "kern-form-input__select"
                    if isinstance(field.widget, forms.Select)
                    else "kern-form-input__input"
                )
                field.widget.attrs.setdefault("class", css)

    def attribute_values(self) -> dict:
        values = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("attr_") and value not in (None, "", []):
                values[name[5:]] = (
                    [str(v) for v in value] if isinstance(value, list) else str(value)
                )
        return values


def attribute_field(attribute: CategoryAttribute):
    """The question of a category; English where staff wrote it (``description_en``, a
    value's ``name_en``), else German marked lang="de" (``catalog.english``)."""
    field = _attribute_field(attribute)
    english.mark_german_label(field, attribute, "description", "datatype_description")
    english.mark_german_choices(
        field, [str(v.get("key")) for v in attribute.values if english.shows_german(v, "name")]
    )
    return field


def _attribute_field(attribute: CategoryAttribute):
    common = {"label": english.localized(attribute, "description"), "required": attribute.required}
    choices = [(str(v.get("key")), english.localized(v, "name")) for v in attribute.values]
    kind = CategoryAttribute.Datatype
    if attribute.datatype == kind.SINGLE:
        return forms.ChoiceField(choices=[("", _("Bitte wählen"))] + choices, **common)
    if attribute.datatype == kind.MULTI:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if attribute.datatype == kind.NUMBER:
        return forms.DecimalField(**common)
    if attribute.datatype == kind.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, **common)
    return forms.CharField(
        max_length=300,
        help_text=english.localized(attribute, "datatype_description"),
        **common,
    )


class ReopenForm(KernForm):
    reason = forms.CharField(
        label=_("Warum ist der Mangel nicht behoben?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Bitte beschreiben Sie kurz, was noch fehlt.")},
    )


class ModerationForm(KernForm):
    decision = forms.ChoiceField(
        label=_("Entscheidung"),
        choices=[("publish", _("Veröffentlichen")), ("reject", _("Nicht veröffentlichen"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Begründung (an die meldende Person)"), required=False, max_length=1000
    )


class AssignForm(KernForm):
    assignee = forms.ModelChoiceField(
        queryset=None, label=_("Zuständige Person"), required=False, empty_label=_("niemand")
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class RerouteForm(KernForm):
    office = forms.ModelChoiceField(queryset=None, label=_("Weiterleiten an"))

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices


class StatusForm(KernForm):
    status = forms.ChoiceField(label=_("Neuer Status"), choices=Report.Status.choices)
    close_reason = forms.ChoiceField(
        label=_("Grund (nur bei „Geschlossen“)"),
        choices=[("", "—")] + list(Report.CloseReason.choices),
        required=False,
    )
    duplicate_of = forms.IntegerField(
        label=_("Nummer der ursprünglichen Meldung (bei Duplikat)"), required=False, min_value=1
    )
    note = forms.CharField(
        label=_("Öffentliche Rückmeldung"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(KernForm):
    text = forms.CharField(
        label=_("Notiz"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Nur für die Verwaltung sichtbar, außer Sie markieren sie als öffentlich."),
    )
    public = forms.BooleanField(
        label=_("Öffentlich auf der Seite der Meldung zeigen"), required=False
    )


def _coordinate(label, low, high):
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        max_digits=9,
        decimal_places=6,
        error_messages={
            "invalid": _("Geben Sie eine Zahl ein, z. B. 52.40."),
            "min_value": _("Der Wert liegt außerhalb der Karte."),
            "max_value": _("Der Wert liegt außerhalb der Karte."),
            "max_decimal_places": _("Höchstens sechs Nachkommastellen."),
        },
    )


class AreaAlertForm(KernForm):
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        error_messages={
            "required": _("Geben Sie Ihre E-Mail-Adresse ein."),
            "invalid": _("Geben Sie eine E-Mail-Adresse im Format name@beispiel.de ein."),
        },
    )
    street = forms.CharField(
        label=_("Straße"),
        required=False,
        max_length=120,
        help_text=_("Entweder eine Straße – oder unten ein Gebiet."),
    )
    south = _coordinate(_("Süden (Breite)"), -90, 90)
    west = _coordinate(_("Westen (Länge)"), -180, 180)
    north = _coordinate(_("Norden (Breite)"), -90, 90)
    east = _coordinate(_("Osten (Länge)"), -180, 180)

    def clean(self):
        from django.core.exceptions import ValidationError

        from .alerts import check_area

        data = super().clean()
        if self.errors:
            return data
        try:
            check_area(
                data.get("south"),
                data.get("west"),
                data.get("north"),
                data.get("east"),
                (data.get("street") or "").strip(),
            )
        except ValidationError as error:
            self.add_error(None, error)
        return data


class CitizenUpdateForm(KernForm):
    """A citizen's update to an open report: a confirmation, a hint, up to two photos."""

    confirmation = forms.ChoiceField(
        label=_("Wie ist es vor Ort?"),
        choices=[("", _("keine Angabe"))] + list(ReportUpdate.Confirmation.choices),
        required=False,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Ihr Hinweis"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bitte keine Namen oder andere persönliche Angaben."),
    )
    photo_1 = forms.FileField(label=_("Foto 1"), required=False)
    photo_2 = forms.FileField(label=_("Foto 2"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("photo_1", "photo_2"):
            self.fields[name].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"
            self.fields[name].help_text = _("JPEG, PNG oder WebP, höchstens 8 MB.")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not (
            data.get("confirmation")
            or (data.get("text") or "").strip()
            or data.get("photo_1")
            or data.get("photo_2")
        ):
            self.add_error(
                "confirmation",
                _(
                    "Bitte wählen Sie eine Angabe, schreiben Sie einen Hinweis "
                    "oder fügen Sie ein Foto an."
                ),
            )
        return data


class UpdateModerationForm(KernForm):
    update = forms.IntegerField(min_value=1)
    decision = forms.ChoiceField(
        choices=[("publish", _("Veröffentlichen")), ("reject", _("Nicht veröffentlichen"))]
    )


ADDRESS_LIST_MAX_BYTES = 20 * 1024 * 1024


class AddressListForm(KernForm):
    """The town's address list as a CSV file (ADR 0223): the geocoding of defect reports
    and of locations reads it."""

    file = forms.FileField(
        label=_("Adressliste (CSV)"),
        help_text=_(
            "UTF-8, Komma-getrennt, mit Kopfzeile: street, house_number, postcode, "
            "latitude, longitude (z. B. aus ALKIS oder OpenStreetMap); höchstens 20 MB."
        ),
    )
    add = forms.BooleanField(
        label=_("Ergänzen statt die Liste zu ersetzen"),
        required=False,
        help_text=_("Sonst ersetzt die Datei die ganze bisherige Liste."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > ADDRESS_LIST_MAX_BYTES:
            raise forms.ValidationError(_("Die Datei ist größer als 20 MB."))
        return upload
