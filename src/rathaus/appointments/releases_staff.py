"""Staff page: release schedules, what each release made visible, lotteries, waiting list."""

from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from . import cache as availability_cache
from . import releases
from .models import Lottery, ReleaseRun, ReleaseSchedule, WaitlistEntry
from .permissions import scope, visible_office_ids
from .staff import resources_for, staff_required


@staff_required
def overview(request):
    """Appointment managers see every schedule; clerks those of their office's counters."""
    now = timezone.now()
    schedules = list(
        scope(
            ReleaseSchedule.objects.all(),
            request.user,
            request.municipality,
            "resources__location__office",
        )
        .distinct()
        .prefetch_related("resources__location")
        .order_by("name")
    )
    rows = [(s, releases.next_moment(s, now) if s.is_active else None) for s in schedules]
    runs = ReleaseRun.objects.filter(schedule__in=schedules).select_related("schedule")[:30]
    lotteries = (
        Lottery.objects.filter(schedule__in=schedules)
        .select_related("schedule")
        .annotate(entry_count=Count("entries"))[:20]
    )
    waiting = dict(
        _waiting_in_scope(request).values_list("status").annotate(n=Count("pk")).order_by()
    )
    return render(
        request,
        "appointments/staff/releases.html",
        {
            "rows": rows,
            "runs": runs,
            "lotteries": lotteries,
            "waiting": [(WaitlistEntry.Status(k).label, v) for k, v in waiting.items()],
            "cache": availability_cache.stats(),
        },
    )


def _waiting_in_scope(request):
    """Waiting-list entries for counters the user may see (entries name their resources)."""
    entries = WaitlistEntry.objects.for_municipality(request.municipality)
    if visible_office_ids(request.user, request.municipality) is None:
        return entries
    visible = set(resources_for(request).values_list("pk", flat=True))
    allowed = [
        pk
        for pk, resource_ids in entries.values_list("pk", "resource_ids")
        if not resource_ids or set(resource_ids) & visible
    ]
    return entries.filter(pk__in=allowed)
