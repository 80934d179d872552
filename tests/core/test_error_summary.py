"""The shared error summary links every error to an input that exists on the page."""

import re

from django import forms
from django.template.loader import render_to_string


class _Form(forms.Form):
    purpose = forms.ChoiceField(
        label="Wofür", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )
    topics = forms.MultipleChoiceField(
        label="Themen", choices=[("x", "X")], widget=forms.CheckboxSelectMultiple
    )
    name = forms.CharField(label="Name")


def test_every_summary_link_points_to_an_input_of_the_form():
    form = _Form(data={})
    assert not form.is_valid()
    summary = render_to_string("includes/form_errors.html", {"form": form})
    targets = re.findall(r'href="#([^"]*)"', summary)
    assert targets == ["id_purpose_0", "id_topics_0", "id_name"]
    page = str(form)
    assert all(f'id="{t}"' in page for t in targets)
