"""Template helpers of the catalog: English texts when the page is English, euro amounts."""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from rathaus.catalog.english import english_page, localized, shows_german

register = template.Library()


@register.filter
def loc(obj, field: str):
    """``obj.<field>_en`` on English pages when filled, else the German ``obj.<field>``
    (model rows and form-schema dicts alike; ``catalog.english.localized``)."""
    return localized(obj, field)


@register.simple_tag
def de_only() -> str:
    """' lang="de"' on an English page, for text that exists in German only (screen readers
    then read it with a German voice instead of mispronouncing it)."""
    return mark_safe(' lang="de"') if english_page() else ""


@register.filter
def lang_of(obj, field: str) -> str:
    """' lang="de"' when an English page shows the German text of ``field`` (no ``field_en``)."""
    return mark_safe(' lang="de"') if shows_german(obj, field) else ""


@register.filter
def euro(amount) -> str:
    """1234.5 -> '1.234,50 €' (German) / '1,234.50 €' (English)."""
    if amount in (None, ""):
        return ""
    return f"{number_format(Decimal(amount), 2, use_l10n=True, force_grouping=True)} €"


PLAIN_MATURITY = {
    0: _("nur vor Ort"),
    1: _("Informationen online, Antrag vor Ort oder auf Papier"),
    2: _("Formular online ausfüllen, dann ausdrucken und einreichen"),
    3: _("online beantragen"),
    4: _("vollständig online, auch der Bescheid"),
}


@register.filter
def maturity_plain(level) -> str:
    """What a maturity level (OZG Reifegrad 0–4) means for a citizen, in plain words."""
    return PLAIN_MATURITY.get(level, "")


@register.filter
def cents_euro(cents) -> str:
    """84000 (cents, as payments store them) -> '840,00 €': citizens read euros, never cents."""
    if cents in (None, ""):
        return ""
    return euro(Decimal(int(cents)) / 100)


@register.filter
def percent(value) -> str:
    """37.5 -> '38 %' (commercial rounding, as a reader expects)."""
    rounded = Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{number_format(rounded, 0)} %"
