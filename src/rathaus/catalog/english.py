"""English for data-defined texts: one ``<field>_en`` next to each German ``<field>``.

The catalog started it (``Service.name_en``, ``FeeRule.label_en``); forms as data, defect
categories and appointment notes use the same pattern (ADR 0080). On an English page a
filled ``_en`` text is shown; otherwise the German text, marked ``lang="de"`` so screen
readers read it with a German voice. Works on model rows and on the dicts of a form
schema (``{"label": ..., "label_en": ...}``). The template filters ``loc`` and
``lang_of`` (``catalog_tags``) are these functions.
"""

from django.utils.translation import get_language


def english_page() -> bool:
    return (get_language() or "de").startswith("en")


def _get(obj, name: str):
    if isinstance(obj, dict):
        return obj.get(name, "")
    return getattr(obj, name, "")


def localized(obj, field: str):
    """``obj.<field>_en`` on English pages when filled, else the German ``obj.<field>``."""
    if english_page():
        english = _get(obj, f"{field}_en")
        if english:
            return english
    return _get(obj, field)


def shows_german(obj, field: str) -> bool:
    """True when an English page shows the German text of ``field`` (no ``field_en``)."""
    return english_page() and bool(_get(obj, field)) and not _get(obj, f"{field}_en")


class _GermanOptions:
    """Choice widget mixin: options whose label exists in German only get lang="de"."""

    german_values: frozenset = frozenset()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)  # type: ignore[misc]
        if str(value) in self.german_values:
            option["attrs"] = {**option["attrs"], "lang": "de"}
        return option


_mixed: dict[type, type] = {}


def mark_german_choices(field, values) -> None:
    """On an English page, the options of ``field`` with these values (German-only labels)
    carry lang="de" (``<option lang="de">``; radio templates read ``choice.data.attrs.lang``)."""
    values = frozenset(str(v) for v in values)
    if not values or not english_page():
        return
    widget_class = type(field.widget)
    if widget_class not in _mixed:
        _mixed[widget_class] = type(widget_class.__name__, (_GermanOptions, widget_class), {})
    field.widget.__class__ = _mixed[widget_class]
    field.widget.german_values = values


def mark_german_label(field, spec, label: str = "label", hint: str = "hint") -> None:
    """Set ``field.lang_label`` / ``field.lang_hint`` to "de" when an English page shows the
    German label or hint of ``spec``; the field templates put them on <label>/<legend> and
    the hint."""
    field.lang_label = "de" if shows_german(spec, label) else ""
    field.lang_hint = "de" if hint and shows_german(spec, hint) else ""
