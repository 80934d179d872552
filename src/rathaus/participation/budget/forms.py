from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import KernForm

from .models import Proposal


class ProposalForm(KernForm):
    title = forms.CharField(label=_("Titel Ihres Vorschlags"), max_length=200)
    description = forms.CharField(
        label=_("Beschreibung"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    category = forms.ChoiceField(label=_("Kategorie"))
    district = forms.ChoiceField(label=_("Stadtteil"))

    def __init__(self, *args, budget_round, **kwargs):
        super().__init__(*args, **kwargs)
        choose = [("", _("Bitte wählen"))]
        self.fields["category"].choices = choose + [(c, c) for c in budget_round.categories]
        self.fields["district"].choices = choose + [(d, d) for d in budget_round.districts]


class BallotForm(KernForm):
    """One number field per proposal on the ballot; totals are checked in the service."""

    def __init__(self, *args, proposals, max_points, initial_points=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_points = initial_points or {}
        for proposal in proposals:
            self.fields[f"p{proposal.pk}"] = forms.IntegerField(
                label=f"{proposal.number}. {proposal.title}",
                min_value=0,
                max_value=max_points,
                required=False,
                initial=initial_points.get(proposal.pk, 0),
                error_messages={
                    "max_value": _("Höchstens %(limit_value)s Punkte je Vorschlag."),
                    "min_value": _("Punkte können nicht negativ sein."),
                    "invalid": _("Bitte geben Sie eine ganze Zahl ein."),
                },
            )
            self.fields[f"p{proposal.pk}"].widget.attrs.update(
                {"class": "kern-form-input__input participation-points", "data-points": "1"}
            )

    def points(self) -> dict[int, int]:
        return {int(name[1:]): value or 0 for name, value in self.cleaned_data.items()}


class ReviewForm(KernForm):
    feasible = forms.ChoiceField(
        label=_("Einschätzung"),
        choices=[("yes", _("umsetzbar")), ("no", _("nicht umsetzbar"))],
    )
    note = forms.CharField(label=_("Begründung"), widget=forms.Textarea(attrs={"rows": 3}))
    cost = forms.DecimalField(
        label=_("Kostenschätzung (Euro)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )


class MergeForm(KernForm):
    into = forms.IntegerField(label=_("Zusammenführen mit Vorschlag Nr."), min_value=1)


class ProgressForm(KernForm):
    status = forms.ChoiceField(
        label=_("Stand"),
        choices=[
            (s.value, s.label)
            for s in (*Proposal.IMPLEMENTATION_STATUSES, Proposal.Status.REJECTED)
        ],
    )
    percent = forms.IntegerField(label=_("Umsetzung in %"), min_value=0, max_value=100)
    note = forms.CharField(
        label=_("Öffentliche Erläuterung"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MilestoneForm(KernForm):
    title = forms.CharField(label=_("Meilenstein"), max_length=200)
    due = forms.DateField(
        label=_("Termin"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    done = forms.BooleanField(label=_("erreicht"), required=False)


class VoteCodeForm(KernForm):
    code = forms.CharField(
        label=_("Ihr Abstimmungscode"),
        max_length=40,
        help_text=_("Steht in Ihrem Brief oder in der E-Mail, z. B. ABCD-EFGH-JKMN."),
        error_messages={"required": _("Geben Sie Ihren Abstimmungscode ein.")},
    )


class CodeRequestForm(KernForm):
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        error_messages={
            "required": _("Geben Sie Ihre E-Mail-Adresse ein."),
            "invalid": _("Geben Sie eine E-Mail-Adresse im Format name@beispiel.de ein."),
        },
    )


class CodeBatchForm(KernForm):
    count = forms.IntegerField(
        label=_("Anzahl der Codes"),
        min_value=1,
        max_value=50000,
        error_messages={
            "required": _("Geben Sie die Anzahl ein."),
            "invalid": _("Bitte geben Sie eine ganze Zahl ein."),
            "min_value": _("Mindestens 1 Code."),
            "max_value": _("Höchstens 50.000 Codes je Auftrag."),
        },
    )
