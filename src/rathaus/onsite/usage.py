"""Walk-ins per service and month for the OZG dashboard (catalog.usage).

A walk-in ticket belongs to a service group; it counts for a service when the group
handles exactly that one service (a group of several services cannot say which).
"""

from collections import defaultdict
from datetime import date

from rathaus.catalog.usage import month_key

from .models import ServiceGroup, Ticket


def figures(municipality, since: date) -> dict:
    single = {}
    groups = ServiceGroup.objects.filter(municipality=municipality).prefetch_related("services")
    for group in groups:
        services = list(group.services.all())
        if len(services) == 1:
            single[group.pk] = services[0].pk
    result: dict = defaultdict(dict)
    tickets = Ticket.objects.filter(
        municipality=municipality, kind=Ticket.Kind.WALK_IN, day__gte=since
    )
    for group_id, day in tickets.values_list("group_id", "day"):
        if group_id in single:
            cell = result[(single[group_id], month_key(day))]
            cell["walk_ins"] = cell.get("walk_ins", 0) + 1
    return result
