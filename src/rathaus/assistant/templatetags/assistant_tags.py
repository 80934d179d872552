"""Drawing an answer's text: German catalog texts inside an English answer get lang="de"."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def answer_html(text: str, german=None) -> str:
    """The answer's text with line breaks; each German text (``Answer.german``) inside it
    wrapped in ``<span lang="de">`` so a screen reader switches voice (ADR 0120)."""
    html = str(escape(text or ""))
    marked = sorted({escape(t) for t in german or [] if t}, key=len, reverse=True)
    if marked:
        pattern = re.compile("|".join(re.escape(str(t)) for t in marked))
        html = pattern.sub(lambda m: f'<span lang="de">{m.group(0)}</span>', html)
    return mark_safe(html.replace("\n", "<br>"))
