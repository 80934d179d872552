"""Forms of the Land catalog template's operator pages (ADR 0211, issue 21)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import KernForm
from rathaus.core.models import LANDS, Location, Office

from .land_template import TEMPLATE_FIELDS
from .models import LandService, Topic

LIST_FIELDS = {"documents", "documents_en"}
LAND_FILE_MAX_BYTES = 5 * 1024 * 1024


class LandServiceForm(KernForm):
    """The Land's text of one service; Unterlagen one per line."""

    topic = forms.ModelChoiceField(label=_("Themenfeld"), queryset=Topic.objects.none())
    leika_key = forms.RegexField(
        label=_("Leistungsschlüssel (LeiKa)"),
        regex=r"^\d{14}$",
        required=False,
        error_messages={"invalid": _("Der Leistungsschlüssel hat 14 Ziffern.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.order_by("name")
        for name in TEMPLATE_FIELDS:
            model_field = LandService._meta.get_field(name)
            label = model_field.verbose_name
            if name == "documents_en":
                label = _("Erforderliche Unterlagen (englisch)")
            if name in LIST_FIELDS:
                field = forms.CharField(
                    label=label,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    help_text=_("Eine Unterlage je Zeile."),
                )
            elif model_field.get_internal_type() == "TextField":
                field = forms.CharField(
                    label=label, required=False, widget=forms.Textarea(attrs={"rows": 4})
                )
            else:
                field = forms.CharField(
                    label=label, required=False, max_length=model_field.max_length
                )
            field.required = name in {"name", "summary"}
            field.widget.attrs.setdefault("class", "kern-form-input__input")
            self.fields[name] = field

    @staticmethod
    def initial_from(template: LandService) -> dict:
        initial = {"topic": template.topic_id, "leika_key": template.leika_key}
        for name in TEMPLATE_FIELDS:
            value = getattr(template, name)
            initial[name] = "\n".join(value) if name in LIST_FIELDS else value
        return initial

    def texts(self) -> dict:
        texts = {}
        for name in TEMPLATE_FIELDS:
            value = self.cleaned_data[name]
            if name in LIST_FIELDS:
                value = [line.strip() for line in value.splitlines() if line.strip()]
            else:
                value = value.strip()
            texts[name] = value
        return texts


class LandImportForm(KernForm):
    land = forms.ChoiceField(label=_("Land"), choices=LANDS)
    file = forms.FileField(
        label=_("Datei (XZuFi-JSON)"),
        help_text=_("Im Format von „rathaus catalog export“; Felder der Kommune bleiben leer."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > LAND_FILE_MAX_BYTES:
            raise forms.ValidationError(_("Die Datei ist größer als 5 MB."))
        return upload


SCOPES = (
    ("all", _("alle Leistungen des Landes")),
    ("topic", _("alle Leistungen eines Themenfelds")),
    ("some", _("einzelne Leistungen")),
)


class AdoptForm(KernForm):
    """Which of the Land's services a town adopts, with which office and locations."""

    office = forms.ModelChoiceField(
        label=_("Zuständige Organisationseinheit"), queryset=Office.objects.none()
    )
    locations = forms.ModelMultipleChoiceField(
        label=_("Standorte"),
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scope = forms.ChoiceField(
        label=_("Welche Leistungen?"), choices=SCOPES, widget=forms.RadioSelect, initial="all"
    )
    topic = forms.ModelChoiceField(
        label=_("Themenfeld"), queryset=Topic.objects.none(), required=False
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Leistungen"),
        queryset=LandService.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, town, **kwargs):
        super().__init__(*args, **kwargs)
        self.town = town
        self.templates = LandService.objects.filter(land=town.land).select_related("topic")
        self.fields["office"].queryset = Office.objects.for_municipality(town).order_by("name")
        self.fields["locations"].queryset = Location.objects.for_municipality(town).order_by("name")
        topic_ids = self.templates.values_list("topic", flat=True)
        self.fields["topic"].queryset = Topic.objects.filter(pk__in=topic_ids).order_by("name")
        self.fields["services"].queryset = self.templates.order_by("name")

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == "topic" and not data.get("topic"):
            self.add_error("topic", _("Bitte ein Themenfeld wählen."))
        if scope == "some" and not data.get("services"):
            self.add_error("services", _("Bitte mindestens eine Leistung wählen."))
        return data

    def chosen(self):
        data = self.cleaned_data
        if data["scope"] == "topic":
            return list(self.templates.filter(topic=data["topic"]).order_by("name"))
        if data["scope"] == "some":
            return list(data["services"])
        return list(self.templates.order_by("name"))
