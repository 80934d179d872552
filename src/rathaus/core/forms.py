"""Form helpers: KERN classes, aria wiring and German messages for every form."""

from django import forms

from .parsing import try_id


class IdChoiceField(forms.ModelChoiceField):
    """A choice by database id: anything that cannot be an id (10^40, "²", "1e5") is an
    invalid choice, not a query (SQLite raises OverflowError on a huge integer: a 500)."""

    def to_python(self, value):
        if value not in self.empty_values and not self.to_field_name and try_id(value) is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several choices by database id, checked like ``IdChoiceField`` before any query."""

    def _check_values(self, value):
        if not self.to_field_name and isinstance(value, list | tuple):
            for item in value:
                if try_id(item) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": str(item)[:20]},
                    )
        return super()._check_values(value)


def add_parse_error(form, error) -> None:
    """A service's ``ParseError`` on the form: at its field when the form has one, else
    for the whole form (the error summary lists both)."""
    form.add_error(error.field if error.field in form.fields else None, error.reason)


# The plain Django fields and their checked versions (KernFormMixin swaps them).
_CHECKED_FIELDS = {
    forms.ModelChoiceField: IdChoiceField,
    forms.ModelMultipleChoiceField: IdMultipleChoiceField,
}


class KernFormMixin:
    """Give widgets KERN classes and link hints and errors to inputs for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            # Same state, checked parsing: every id choice of every form, without a
            # form author having to remember it.
            field.__class__ = _CHECKED_FIELDS.get(type(field), type(field))
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "kern-form-check__checkbox")
            elif isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                continue
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "kern-form-input__select")
            else:
                widget.attrs.setdefault("class", "kern-form-input__input")
            described = []
            if field.help_text:
                described.append(f"id_{self.add_prefix(name)}-hint")
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                css = widget.attrs.get("class", "")
                if "--error" not in css and css:
                    widget.attrs["class"] = f"{css} {css.split()[0]}--error"
                error_id = f"id_{self.add_prefix(name)}-error"
                existing = widget.attrs.get("aria-describedby", "")
                widget.attrs["aria-describedby"] = f"{existing} {error_id}".strip()


class KernForm(KernFormMixin, forms.Form):
    pass


class KernModelForm(KernFormMixin, forms.ModelForm):
    pass
