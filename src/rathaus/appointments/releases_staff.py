"""Staff page: release schedules, what each release made visible, lotteries, waiting list."""

from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from . import cache as availability_cache
from . import releases
from .models import Lottery, ReleaseRun, ReleaseSchedule, WaitlistEntry
from .staff import staff_required


@staff_required
def overview(request):
    now = timezone.now()
    schedules = list(
        ReleaseSchedule.objects.for_municipality(request.municipality)
        .prefetch_related("resources__location")
        .order_by("name")
    )
    rows = [(s, releases.next_moment(s, now) if s.is_active else None) for s in schedules]
    runs = ReleaseRun.objects.filter(schedule__in=schedules).select_related("schedule")[:30]
    lotteries = (
        Lottery.objects.for_municipality(request.municipality)
        .select_related("schedule")
        .annotate(entry_count=Count("entries"))[:20]
    )
    waiting = dict(
        WaitlistEntry.objects.for_municipality(request.municipality)
        .values_list("status")
        .annotate(n=Count("pk"))
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
