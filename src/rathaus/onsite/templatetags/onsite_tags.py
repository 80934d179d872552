from django import template

register = template.Library()


@register.simple_tag
def current_wait(location):
    """Rounded current walk-in wait at ``location`` in minutes, or None."""
    from ..services import estimated_wait, rounded

    return rounded(estimated_wait(location))


@register.filter
def minutes(value):
    """1.0 decimal German style for figures; "–" when missing."""
    if value is None:
        return "–"
    return f"{value:.1f}".replace(".", ",") if isinstance(value, float) else str(value)


@register.filter
def may_use_onsite(request) -> bool:
    from ..permissions import may_use_onsite as allowed

    return allowed(request.user, getattr(request, "municipality", None))
