"""Reading the follow-up of resolutions and Anfragen: who may see which task, and the
state of each Anfrage. Writes are in services.py and services_inquiries.py.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import access
from .models import Paper, ResolutionTask, agenda_published


def public_task_filter() -> Q:
    """A task is public when its agenda item is and its paper (if any) is public."""
    return (
        Q(agenda_item__public=True, agenda_item__meeting__deleted=False)
        & agenda_published(prefix="agenda_item__meeting__")
        & (Q(paper__isnull=True) | Q(paper__public=True, paper__deleted=False))
    )


def visible_tasks(user, municipality):
    """Tasks this user may see: the public ones, plus non-public ones of organizations
    whose non-public content the user may read (members, or all councillors where the
    body's rules say so), everything for the council office."""
    tasks = (
        ResolutionTask.objects.for_municipality(municipality)
        .filter(agenda_item__deleted=False)
        .select_related("office", "paper", "agenda_item__meeting__organization")
    )
    if access.is_council_office(user, municipality):
        return tasks
    readable = access.readable_organization_ids(user, municipality)
    return tasks.filter(
        public_task_filter() | Q(agenda_item__meeting__organization_id__in=readable)
    )


def non_public_tasks(tasks) -> list[ResolutionTask]:
    return [t for t in tasks if not _is_public(t)]


def _is_public(task: ResolutionTask) -> bool:
    item = task.agenda_item
    paper_public = task.paper is None or (task.paper.public and not task.paper.deleted)
    return item.is_visible and paper_public


STATE_FILTERS = {
    "offen": ("open", _("offen")),
    "in-bearbeitung": ("in_progress", _("in Bearbeitung")),
    "erledigt": ("done", _("erledigt")),
    "ueberfaellig": ("overdue", _("überfällig")),
}


def filter_by_state(tasks, state: str, today: date | None = None):
    today = today or timezone.localdate()
    if state == "overdue":
        return tasks.exclude(status=ResolutionTask.Status.DONE).filter(due_date__lt=today)
    if state in (ResolutionTask.Status.OPEN, ResolutionTask.Status.IN_PROGRESS):
        return tasks.filter(status=state, due_date__gte=today)
    if state == ResolutionTask.Status.DONE:
        return tasks.filter(status=state)
    return tasks


# --- Anfragen ----------------------------------------------------------------------


@dataclass
class InquiryRow:
    paper: Paper
    answer: Paper | None
    today: date

    @property
    def answered_on(self) -> date | None:
        return self.answer.date if self.answer else None

    @property
    def late(self) -> bool:
        due = self.paper.answer_due_date
        if due is None:
            return False
        return (self.answered_on or self.today) > due

    @property
    def state(self) -> str:
        if self.answer:
            return "answered_late" if self.late else "answered"
        return "overdue" if self.late else "open"

    @property
    def state_label(self) -> str:
        return str(INQUIRY_STATES[self.state])


INQUIRY_STATES = {
    "open": _("offen"),
    "overdue": _("überfällig"),
    "answered": _("beantwortet"),
    "answered_late": _("verspätet beantwortet"),
}


def _answers(alive_only=True):
    answers = Paper.objects.filter(superordinated=OuterRef("pk"), paper_type=Paper.Type.ANSWER)
    return answers.filter(deleted=False) if alive_only else answers


def inquiries(municipality, *, visible_only=True):
    papers = Paper.objects.for_municipality(municipality)
    papers = papers.visible() if visible_only else papers.alive()
    return papers.filter(paper_type=Paper.Type.INQUIRY).annotate(answered=Exists(_answers()))


def inquiry_rows(papers, *, visible_only=True, today: date | None = None) -> list[InquiryRow]:
    """Each Anfrage with its first answer (public answers only for the public)."""
    today = today or timezone.localdate()
    papers = list(papers)
    answers = Paper.objects.filter(
        superordinated__in=papers, paper_type=Paper.Type.ANSWER, deleted=False
    ).order_by("date", "id")
    if visible_only:
        answers = answers.filter(public=True)
    first: dict[int, Paper] = {}
    for answer in answers:
        first.setdefault(answer.superordinated_id, answer)
    return [InquiryRow(p, first.get(p.pk), today) for p in papers]


def overdue_inquiries(municipality, today: date | None = None):
    """Unanswered Anfragen past their deadline (the overdue list)."""
    today = today or timezone.localdate()
    return inquiries(municipality).filter(answered=False, answer_due_date__lt=today)


# --- A paper's way, for other modules (e.g. a budget proposal's page) ------------------


@dataclass
class PaperWay:
    """What the public may know about a paper's way: decision and tracked tasks."""

    paper: Paper
    decided_on: date | None
    result: str
    decided_by: str
    planned_on: date | None
    tasks: list

    @property
    def tracking_url(self) -> str:
        from django.urls import reverse

        return f"{reverse('council:tasks')}?drucksache={self.paper.pk}"


def public_way(paper: Paper | None, user, municipality) -> PaperWay | None:
    """The decision and tasks of a public paper, or None if the paper is not public."""
    if paper is None or paper.deleted or not paper.public:
        return None
    decisions = (
        paper.consultations.alive()
        .filter(role="Entscheidung")
        .select_related("agenda_item__meeting__organization", "organization", "meeting")
        .order_by("order")
    )
    decided_on, result, decided_by, planned_on = None, "", "", None
    for consultation in decisions:
        item = consultation.agenda_item
        if item is not None and item.is_visible and item.result:
            decided_on = timezone.localtime(item.meeting.start).date()
            result = item.get_result_display()
            decided_by = item.meeting.organization.name
        elif planned_on is None:
            planned_on = consultation.date
    tasks = list(visible_tasks(user, municipality).filter(paper=paper))
    return PaperWay(paper, decided_on, result, decided_by, planned_on, tasks)
