from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.core.forms import KernForm

from .services import MAX_QUESTION


class QuestionForm(KernForm):
    question = forms.CharField(
        label=_("Ihre Frage"),
        max_length=MAX_QUESTION,
        error_messages={
            "required": _("Bitte geben Sie eine Frage ein."),
            "max_length": _("Bitte fassen Sie Ihre Frage kürzer (höchstens 500 Zeichen)."),
        },
        help_text=_("Zum Beispiel: Was kostet ein Reisepass? Bitte keine persönlichen Daten."),
    )
    conversation = forms.UUIDField(required=False, widget=forms.HiddenInput)
    turn = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    choice = forms.SlugField(required=False, max_length=120, widget=forms.HiddenInput)
