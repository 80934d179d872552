"""Form helpers: KERN classes, aria wiring and German messages for every form."""

from django import forms


class KernFormMixin:
    """Give widgets KERN classes and link hints and errors to inputs for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
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
