"""Entry pages of the participation module (public start page, Open311 docs, staff overview)."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from rathaus.core.models import Role
from rathaus.core.permissions import has_role, role_required

from .budget.models import BudgetRound
from .dialogues.models import DialogueEvent
from .reports.models import Report, ReportCategory


def index(request):
    return render(request, "participation/index.html")


def open311_docs(request):
    base = request.build_absolute_uri(reverse("participation:open311_root")).rstrip("/")
    categories = ReportCategory.objects.for_municipality(request.municipality).filter(
        is_active=True
    )
    return render(request, "participation/open311.html", {"base": base, "categories": categories})


@role_required(Role.MODERATOR, Role.CLERK)
def staff_overview(request):
    municipality = request.municipality
    reports = Report.objects.for_municipality(municipality)
    return render(
        request,
        "participation/staff.html",
        {
            "pending": reports.filter(moderation=Report.Moderation.PENDING).count(),
            "open": reports.filter(status__in=Report.OPEN_STATUSES)
            .exclude(moderation=Report.Moderation.REJECTED)
            .count(),
            # budget rounds and dialogues are the moderators' work (their views say so too):
            # a clerk who only handles defect reports is not shown links that end in 403
            "moderates": has_role(request.user, municipality, Role.MODERATOR),
            "rounds": BudgetRound.objects.for_municipality(municipality),
            "events": DialogueEvent.objects.for_municipality(municipality).filter(
                ends_at__gte=timezone.now() - timezone.timedelta(days=60)
            ),
        },
    )
