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
    """Staff links to the counters and figures: only for someone with a location to work at
    (a clerk of an office without counters would get 403 behind every link)."""
    from ..permissions import locations_for
    from ..permissions import may_use_onsite as allowed

    municipality = getattr(request, "municipality", None)
    if not allowed(request.user, municipality):
        return False
    return locations_for(request.user, municipality).exists()
