"""Forms of the council module (KERN classes, German messages)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.core import uploads
from rathaus.core.forms import KernForm, KernModelForm

from .models import AgendaItem, Consultation, Meeting, Organization, Paper, Place


class AlertForm(KernForm):
    query = forms.CharField(
        label=_("Suchbegriff"),
        max_length=200,
        help_text=_("Zum Beispiel „Radverkehr“ oder „Bürgerhaushalt“."),
        error_messages={"required": _("Geben Sie einen Suchbegriff ein.")},
    )
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        error_messages={
            "required": _("Geben Sie Ihre E-Mail-Adresse ein."),
            "invalid": _("Geben Sie eine E-Mail-Adresse im Format name@beispiel.de ein."),
        },
    )


class PaperForm(KernModelForm):
    class Meta:
        model = Paper
        fields = [
            "paper_type",
            "name",
            "reference",
            "date",
            "originator",
            "lead_office",
            "public",
            "text",
            "reasoning",
            "financial_impact",
            "tracking_requested",
            "tracking_due_date",
            "answer_due_date",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "tracking_due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "answer_due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "text": forms.Textarea(attrs={"rows": 8}),
            "reasoning": forms.Textarea(attrs={"rows": 8}),
            "financial_impact": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "reference": _("Leer lassen: wird automatisch vergeben (z. B. 25/SVV/0001)."),
            "answer_due_date": _("Nur für Anfragen; leer lassen: vier Wochen nach dem Datum."),
        }
        error_messages = {
            "name": {"required": _("Geben Sie den Betreff ein.")},
            "paper_type": {"required": _("Wählen Sie die Art der Drucksache.")},
            "tracking_due_date": {"invalid": _("Geben Sie ein Datum ein.")},
            "answer_due_date": {"invalid": _("Geben Sie ein Datum ein.")},
        }

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].required = False
        self.fields["lead_office"].queryset = self.fields["lead_office"].queryset.filter(
            municipality=municipality
        )

    def clean(self):
        data = super().clean()
        if data.get("tracking_requested") and not data.get("lead_office"):
            self.add_error(
                "lead_office",
                _("Für die Beschlussverfolgung ist ein federführendes Amt nötig."),
            )
        due, day = data.get("answer_due_date"), data.get("date")
        if due and day and due < day:
            self.add_error(
                "answer_due_date",
                _("Die Antwortfrist darf nicht vor dem Datum der Anfrage liegen."),
            )
        return data


class InquiryAnswerForm(KernForm):
    text = forms.CharField(
        label=_("Text der Antwort"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=50000,
        error_messages={"required": _("Geben Sie den Text der Antwort ein.")},
    )
    answered_on = forms.DateField(
        label=_("Beantwortet am"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Geben Sie das Datum der Antwort ein."),
            "invalid": _("Geben Sie ein Datum ein."),
        },
    )


class ConsultationForm(KernForm):
    organization = forms.ModelChoiceField(
        label=_("Gremium"),
        queryset=Organization.objects.none(),
        error_messages={"required": _("Wählen Sie das Gremium.")},
    )
    role = forms.ChoiceField(label=_("Zuständigkeit"), choices=Consultation.Role.choices)
    meeting = forms.ModelChoiceField(
        label=_("Sitzung"),
        queryset=Meeting.objects.none(),
        required=False,
        help_text=_("Optional; ohne Sitzung wird das geplante Datum verwendet."),
    )
    planned_date = forms.DateField(
        label=_("Geplantes Datum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Geben Sie ein Datum ein.")},
    )

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            Organization.objects.for_municipality(municipality)
            .alive()
            .exclude(kind=Organization.Kind.GROUP)
        )
        self.fields["meeting"].queryset = (
            Meeting.objects.for_municipality(municipality)
            .alive()
            .select_related("organization")
            .order_by("-start")
        )

    def clean(self):
        data = super().clean()
        meeting, organization = data.get("meeting"), data.get("organization")
        if meeting and organization and meeting.organization_id != organization.pk:
            self.add_error("meeting", _("Die Sitzung gehört zu einem anderen Gremium."))
        if not meeting and not data.get("planned_date") and not self.errors:
            self.add_error("planned_date", _("Geben Sie eine Sitzung oder ein Datum an."))
        return data


class MeetingForm(KernModelForm):
    class Meta:
        model = Meeting
        fields = ["organization", "name", "start", "end", "place", "scribe"]
        widgets = {
            "start": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "end": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }
        error_messages = {
            "name": {"required": _("Geben Sie die Bezeichnung der Sitzung ein.")},
            "start": {
                "required": _("Geben Sie Datum und Uhrzeit des Beginns ein."),
                "invalid": _("Geben Sie Datum und Uhrzeit ein."),
            },
        }

    def __init__(self, *args, municipality=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            Organization.objects.for_municipality(municipality)
            .alive()
            .exclude(kind=Organization.Kind.GROUP)
        )
        self.fields["place"].queryset = Place.objects.for_municipality(municipality).alive()

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("Das Ende muss nach dem Beginn liegen."))
        return data


class AgendaItemForm(KernForm):
    name = forms.CharField(
        label=_("Thema"), max_length=500, error_messages={"required": _("Geben Sie das Thema ein.")}
    )
    number = forms.CharField(
        label=_("Nummer"), max_length=20, required=False, help_text=_("Leer: fortlaufend.")
    )
    public = forms.BooleanField(label=_("öffentlich"), required=False, initial=True)


class PaperOnAgendaForm(KernForm):
    consultation = forms.ModelChoiceField(
        label=_("Drucksache (offene Beratung dieses Gremiums)"),
        queryset=Consultation.objects.none(),
        error_messages={"required": _("Wählen Sie eine Drucksache.")},
    )
    number = forms.CharField(label=_("Nummer"), max_length=20, required=False)

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultation"].queryset = (
            Consultation.objects.for_municipality(meeting.municipality)
            .alive()
            .filter(organization=meeting.organization, agenda_item__isnull=True)
            .filter(paper__deleted=False)
            .select_related("paper")
        )
        self.fields["consultation"].label_from_instance = lambda c: (
            f"{c.paper.reference} {c.paper.name} ({c.role})"
        )


class ResultForm(KernForm):
    result = forms.ChoiceField(
        label=_("Ergebnis"), choices=AgendaItem.Result.choices, required=False
    )
    unanimous = forms.BooleanField(label=_("einstimmig"), required=False)
    votes_yes = forms.IntegerField(label=_("Ja-Stimmen"), min_value=0, required=False)
    votes_no = forms.IntegerField(label=_("Nein-Stimmen"), min_value=0, required=False)
    votes_abstain = forms.IntegerField(label=_("Enthaltungen"), min_value=0, required=False)
    discussion = forms.CharField(
        label=_("Beratung"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    resolution_text = forms.CharField(
        label=_("Beschlusstext"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )

    def clean(self):
        data = super().clean()
        counts = [data.get(k) for k in ("votes_yes", "votes_no", "votes_abstain")]
        if data.get("unanimous") and any(c is not None for c in counts):
            self.add_error(
                "unanimous", _("Entweder „einstimmig“ oder Stimmenzahlen angeben, nicht beides.")
            )
        if any(c is not None for c in counts) and data.get("votes_yes") is None:
            self.add_error("votes_yes", _("Geben Sie die Ja-Stimmen an."))
        return data


class TaskForm(KernForm):
    description = forms.CharField(
        label=_("Auftrag"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Beschreiben Sie den Auftrag.")},
    )
    office = forms.ModelChoiceField(
        label=_("Zuständiges Amt"),
        queryset=None,
        error_messages={"required": _("Wählen Sie das zuständige Amt.")},
    )
    due_date = forms.DateField(
        label=_("Frist"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Geben Sie die Frist an."),
            "invalid": _("Geben Sie ein Datum ein."),
        },
    )

    def __init__(self, *args, municipality=None, **kwargs):
        from rathaus.core.models import Office

        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = Office.objects.for_municipality(municipality)


class TaskStatusForm(KernForm):
    from .models import ResolutionTask as _Task

    status = forms.ChoiceField(label=_("Status"), choices=_Task.Status.choices)
    report = forms.CharField(
        label=_("Sachstand"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FileForm(KernForm):
    name = forms.CharField(
        label=_("Bezeichnung"),
        max_length=300,
        error_messages={"required": _("Geben Sie eine Bezeichnung ein.")},
    )
    upload = forms.FileField(
        label=_("Datei"), error_messages={"required": _("Wählen Sie eine Datei aus.")}
    )
    public = forms.BooleanField(label=_("öffentlich"), required=False, initial=True)
    text = forms.CharField(
        label=_("Textinhalt für die Volltextsuche"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional; bei Textdateien wird der Inhalt automatisch übernommen."),
    )

    def clean_upload(self):
        """Allow-list by content (PDF, office documents, images, plain text): an HTML page
        or a script would otherwise be served on the town's own origin."""
        upload = self.cleaned_data["upload"]
        upload.detected_type = uploads.check(upload, uploads.COUNCIL_TYPES, 20 * 1024 * 1024)
        return upload
