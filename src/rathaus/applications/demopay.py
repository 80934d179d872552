"""The demo payment provider's hosted payment page.

It stands in for an external provider (like GOV.UK Pay's hosted page): the
citizen is redirected here, enters a test card, and is sent back to the return
URL; the provider then notifies the service by a signed webhook.
Test cards: 4444 3333 2222 1111 is accepted, 4000 0000 0000 0002 is declined.
"""

import re

from django import forms
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from rathaus.core.forms import KernForm

from .models import DemoPaymentSession
from .payments import TEST_CARDS, demo_transition, luhn_ok

S = DemoPaymentSession.Status


class CardForm(KernForm):
    number = forms.CharField(label="Kartennummer", max_length=23)
    expiry = forms.CharField(label="Gültig bis (MM/JJ)", max_length=5)
    holder = forms.CharField(label="Name auf der Karte", max_length=100)
    cvc = forms.CharField(label="Prüfnummer (CVC)", max_length=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        autocomplete = {
            "number": "cc-number",
            "expiry": "cc-exp",
            "holder": "cc-name",
            "cvc": "cc-csc",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["number"].widget.attrs["inputmode"] = "numeric"

    def clean_number(self):
        number = re.sub(r"[\s-]", "", self.cleaned_data["number"])
        if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_ok(number):
            raise forms.ValidationError("Bitte prüfen Sie die Kartennummer.")
        return number

    def clean_expiry(self):
        if not re.fullmatch(r"(0[1-9]|1[0-2])/\d{2}", self.cleaned_data["expiry"]):
            raise forms.ValidationError("Bitte im Format MM/JJ angeben, z. B. 12/29.")
        return self.cleaned_data["expiry"]

    def clean_cvc(self):
        if not re.fullmatch(r"\d{3,4}", self.cleaned_data["cvc"]):
            raise forms.ValidationError("Die Prüfnummer hat 3 oder 4 Ziffern.")
        return self.cleaned_data["cvc"]


@require_http_methods(["GET", "POST"])
def hosted_page(request, token):
    session = get_object_or_404(DemoPaymentSession, token=token)
    if session.status in {S.SUCCESS, S.FAILED, S.CANCELLED}:
        return redirect(session.return_url)
    if session.status == S.CREATED:
        demo_transition(session, S.STARTED)
    form = CardForm(request.POST or None)
    if request.method == "POST":
        if "cancel" in request.POST:
            demo_transition(session, S.CANCELLED)
            return redirect(session.return_url)
        if form.is_valid():
            number = form.cleaned_data["number"]
            outcome = TEST_CARDS.get(number, S.SUCCESS)
            demo_transition(session, outcome, card_last4=number[-4:])
            return redirect(session.return_url)
    return render(request, "applications/demo_pay/page.html", {"session": session, "form": form})
