"""The one write path of the council module: every state change is a function here.

Each function runs in a transaction, records an audit entry and enqueues e-mails
only after the commit.
"""

import functools
import hashlib
import secrets
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from rathaus.core import audit

from . import tasks
from .models import (
    AgendaItem,
    Attendance,
    Body,
    Consultation,
    File,
    Meeting,
    Organization,
    Paper,
    ResolutionTask,
    SavedSearch,
)

PAPER_FIELDS = {
    "name",
    "reference",
    "date",
    "paper_type",
    "public",
    "originator",
    "lead_office",
    "text",
    "reasoning",
    "financial_impact",
    "superordinated",
    "tracking_requested",
    "tracking_due_date",
    "answer_due_date",
}

# Without a "Termin" on the paper, a tracked resolution is due this long after the
# decision; an Anfrage without a deadline is due this long after its date (ADR 0043).
DEFAULT_TRACKING_DAYS = 90
DEFAULT_ANSWER_DAYS = 28
ADOPTING_RESULTS = {AgendaItem.Result.ADOPTED, AgendaItem.Result.ADOPTED_CHANGED}


def _check_parent(municipality, fields: dict, paper=None) -> None:
    parent = fields.get("superordinated")
    if parent is None:
        return
    if parent.municipality_id != municipality.pk:
        raise ValidationError("Die übergeordnete Drucksache gehört zu einer anderen Kommune.")
    if paper is not None and parent.pk == paper.pk:
        raise ValidationError("Eine Drucksache kann nicht sich selbst untergeordnet sein.")


def body_of(municipality) -> Body:
    """The council body of a municipality, created on first use."""
    body, _ = Body.objects.get_or_create(
        municipality=municipality,
        defaults={
            "name": f"Stadtverordnetenversammlung {municipality.name}",
            "short_name": municipality.name,
            "website": municipality.website,
            "contact_email": municipality.email,
        },
    )
    return body


def next_reference(municipality, year: int | None = None) -> str:
    """Drucksachen-Nr. like 25/SVV/0001, counting per year."""
    year = year or timezone.localdate().year
    prefix = f"{year % 100:02d}/SVV/"
    existing = Paper.objects.for_municipality(municipality).filter(reference__startswith=prefix)
    numbers = [int(r.rsplit("/", 1)[1]) for r in existing.values_list("reference", flat=True)]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def _check_follow_up(paper: Paper) -> None:
    """A tracked resolution needs an office to answer for it; an Anfrage a deadline."""
    if paper.tracking_requested and paper.lead_office_id is None:
        raise ValidationError(
            {"lead_office": "Für die Beschlussverfolgung ist ein federführendes Amt nötig."}
        )
    if paper.paper_type == Paper.Type.INQUIRY and paper.answer_due_date is None:
        # A paper without a date (imported, or cleared in the admin) counts from today.
        paper.answer_due_date = (paper.date or timezone.localdate()) + timedelta(
            days=DEFAULT_ANSWER_DAYS
        )
    if paper.answer_due_date and paper.date and paper.answer_due_date < paper.date:
        raise ValidationError(
            {"answer_due_date": "Die Antwortfrist darf nicht vor dem Datum der Anfrage liegen."}
        )


@transaction.atomic
def create_paper(municipality, *, actor=None, **fields) -> Paper:
    unknown = set(fields) - PAPER_FIELDS
    if unknown:
        raise ValueError(f"unknown paper fields: {unknown}")
    _check_parent(municipality, fields)
    if not fields.get("reference"):
        fields["reference"] = next_reference(municipality)
    paper = Paper(municipality=municipality, body=body_of(municipality), **fields)
    _check_follow_up(paper)
    paper.save()
    audit.record("council.paper_created", paper, actor=actor, data={"ref": paper.reference})
    return paper


@transaction.atomic
def update_paper(paper: Paper, *, actor=None, **fields) -> Paper:
    _check_parent(paper.municipality, fields, paper)
    for name, value in fields.items():
        if name not in PAPER_FIELDS:
            raise ValueError(f"unknown paper field: {name}")
        setattr(paper, name, value)
    _check_follow_up(paper)
    paper.save()
    audit.record("council.paper_updated", paper, actor=actor, data={"fields": sorted(fields)})
    return paper


@transaction.atomic
def add_consultation(
    paper: Paper,
    organization: Organization,
    role: str,
    *,
    planned_date: date | None = None,
    meeting: Meeting | None = None,
    actor=None,
) -> Consultation:
    if organization.municipality_id != paper.municipality_id:
        raise ValidationError("Das Gremium gehört zu einer anderen Kommune.")
    if meeting and meeting.organization_id != organization.pk:
        raise ValidationError("Die Sitzung gehört zu einem anderen Gremium.")
    order = (paper.consultations.aggregate(m=Max("order"))["m"] or 0) + 1
    if planned_date is None and meeting is not None:
        planned_date = timezone.localtime(meeting.start).date()
    consultation = Consultation.objects.create(
        municipality=paper.municipality,
        paper=paper,
        organization=organization,
        role=role,
        planned_date=planned_date,
        meeting=meeting,
        order=order,
    )
    audit.record("council.consultation_added", consultation, actor=actor)
    return consultation


@transaction.atomic
def create_meeting(organization: Organization, *, actor=None, **fields) -> Meeting:
    meeting = Meeting.objects.create(
        municipality=organization.municipality, organization=organization, **fields
    )
    audit.record("council.meeting_created", meeting, actor=actor)
    return meeting


def _next_number(meeting: Meeting) -> tuple[str, int]:
    items = meeting.agenda_items.alive()
    order = (items.aggregate(m=Max("order"))["m"] or 0) + 1
    top_level = [i.number for i in items if i.number.isdigit()]
    number = str(max((int(n) for n in top_level), default=0) + 1)
    return number, order


@transaction.atomic
def add_agenda_item(
    meeting: Meeting,
    name: str,
    *,
    public: bool = True,
    number: str = "",
    late: bool | None = None,
    consultation: Consultation | None = None,
    actor=None,
) -> AgendaItem:
    """Add a TOP; once the agenda is published, a new item is a late item (Dringlichkeit)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    auto_number, order = _next_number(meeting)
    if late is None:
        late = meeting.is_published
    item = AgendaItem.objects.create(
        municipality=meeting.municipality,
        meeting=meeting,
        name=name,
        public=public,
        number=number or auto_number,
        order=order,
        late=late,
    )
    if consultation is not None:
        if consultation.agenda_item_id:
            raise ValidationError("Diese Beratung steht bereits auf einer Tagesordnung.")
        consultation.agenda_item = item
        consultation.meeting = meeting
        consultation.save(update_fields=["agenda_item", "meeting"])
    audit.record("council.agenda_item_added", item, actor=actor, data={"late": late})
    return item


@transaction.atomic
def put_paper_on_agenda(
    consultation: Consultation, meeting: Meeting, *, public=None, number="", actor=None
) -> AgendaItem:
    if meeting.organization_id != consultation.organization_id:
        raise ValidationError(
            "Die Sitzung gehört nicht zu dem Gremium dieser Beratung "
            f"({consultation.organization})."
        )
    paper = consultation.paper
    return add_agenda_item(
        meeting,
        paper.name,
        public=paper.public if public is None else public,
        number=number,
        consultation=consultation,
        actor=actor,
    )


@transaction.atomic
def move_agenda_item(item: AgendaItem, direction: int, *, actor=None) -> None:
    items = list(item.meeting.agenda_items.alive().order_by("order"))
    index = next(i for i, it in enumerate(items) if it.pk == item.pk)
    other = index + direction
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, it in enumerate(items, start=1):
        if it.order != position:
            it.order = position
            it.save(update_fields=["order"])
    audit.record("council.agenda_item_moved", item, actor=actor, data={"direction": direction})


@transaction.atomic
def publish_agenda(meeting: Meeting, *, actor=None) -> Meeting:
    """Publish the agenda and invite the members (idempotent: a second call does nothing)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.is_published:
        return meeting
    if not meeting.agenda_items.alive().exists():
        raise ValidationError("Die Tagesordnung ist leer.")
    meeting.agenda_published_at = timezone.now()
    meeting.state = Meeting.State.INVITED
    meeting.save(update_fields=["agenda_published_at", "state"])
    _attach_invitation(meeting, actor)
    audit.record("council.agenda_published", meeting, actor=actor)
    transaction.on_commit(lambda: tasks.send_invitation.enqueue(meeting.pk))
    return meeting


def _attach_invitation(meeting: Meeting, actor) -> File:
    from .minutes import render_invitation_pdf

    pdf, text = render_invitation_pdf(meeting)
    stamp = timezone.localtime(meeting.start).strftime("%Y-%m-%d")
    return attach_file(
        municipality=meeting.municipality,
        name="Einladung und Tagesordnung",
        file_name=f"einladung-{stamp}.pdf",
        data=pdf,
        text=text,
        role=File.Role.INVITATION,
        meeting=meeting,
        actor=actor,
    )


@transaction.atomic
def record_attendance(meeting: Meeting, rows: list[dict], *, actor=None) -> None:
    """rows: person, status, function, affiliation, voting, arrived, left (replace all)."""
    for row in rows:
        if row["person"].municipality_id != meeting.municipality_id:
            raise ValidationError("Person gehört zu einer anderen Kommune.")
        arrived, left = row.get("arrived"), row.get("left")
        if arrived and left and arrived >= left:
            raise ValidationError(f"{row['person']}: „ab“ muss vor „bis“ liegen.")
    meeting.attendances.all().delete()
    Attendance.objects.bulk_create(
        [Attendance(meeting=meeting, order=i, **row) for i, row in enumerate(rows)]
    )
    meeting.save(update_fields=["modified"])
    audit.record("council.attendance_recorded", meeting, actor=actor, data={"rows": len(rows)})


@transaction.atomic
def record_result(
    item: AgendaItem,
    *,
    result: str,
    discussion: str = "",
    resolution_text: str = "",
    unanimous: bool = False,
    votes_yes=None,
    votes_no=None,
    votes_abstain=None,
    actor=None,
) -> AgendaItem:
    if unanimous:
        votes_yes = votes_no = votes_abstain = None
    counts = [v for v in (votes_yes, votes_no, votes_abstain) if v is not None]
    if any(v < 0 for v in counts):
        raise ValidationError("Stimmenzahlen dürfen nicht negativ sein.")
    # Lock the item: two clerks recording the same result create one automatic task.
    AgendaItem.objects.select_for_update().filter(pk=item.pk).values_list("pk").get()
    item.result = result
    item.discussion = discussion
    item.resolution_text = resolution_text
    item.unanimous = unanimous
    item.votes_yes, item.votes_no, item.votes_abstain = votes_yes, votes_no, votes_abstain
    item.save()
    audit.record(
        "council.result_recorded",
        item,
        actor=actor,
        data={"result": result, "yes": votes_yes, "no": votes_no, "abstain": votes_abstain},
    )
    track_resolution(item, actor=actor)
    return item


def _decided_paper(item: AgendaItem) -> Paper | None:
    consultation = Consultation.objects.filter(agenda_item=item).select_related("paper").first()
    return consultation.paper if consultation else None


def track_resolution(item: AgendaItem, *, actor=None) -> ResolutionTask | None:
    """Beschlussverfolgung by itself: an adopting decision on a paper that asks for it
    creates one task for the paper's lead office, due on the paper's "Termin".

    Only the deciding body's resolution counts (a committee's recommendation is no
    resolution yet). Idempotent: the item is locked by the caller and a partial unique
    constraint allows one automatic task per item.
    """
    consultation = Consultation.objects.filter(agenda_item=item).select_related("paper").first()
    if consultation is None or consultation.role != Consultation.Role.DECISION:
        return None
    paper = consultation.paper
    if not paper.tracking_requested or item.result not in ADOPTING_RESULTS:
        return None
    if item.tasks.filter(automatic=True).exists():
        return None
    if paper.lead_office is None:  # the office was removed after the paper was saved
        audit.record("council.task_without_office", item, actor=actor, data={"paper": paper.pk})
        return None
    decided_on = timezone.localtime(item.meeting.start).date()
    task = ResolutionTask.objects.create(
        municipality=item.municipality,
        agenda_item=item,
        paper=paper,
        automatic=True,
        description=item.resolution_text.strip() or paper.text.strip() or paper.name,
        office=paper.lead_office,
        due_date=paper.tracking_due_date or decided_on + timedelta(days=DEFAULT_TRACKING_DAYS),
    )
    audit.record(
        "council.task_created",
        task,
        actor=actor,
        data={"due": str(task.due_date), "automatic": True, "paper": paper.pk},
    )
    return task


@transaction.atomic
def add_task(item: AgendaItem, *, description: str, office, due_date, actor=None):
    if office.municipality_id != item.municipality_id:
        raise ValidationError("Das Amt gehört zu einer anderen Kommune.")
    task = ResolutionTask.objects.create(
        municipality=item.municipality,
        agenda_item=item,
        paper=_decided_paper(item),
        description=description,
        office=office,
        due_date=due_date,
    )
    audit.record("council.task_created", task, actor=actor, data={"due": str(due_date)})
    return task


@transaction.atomic
@transaction.atomic
def set_board_access(organization: Organization, *, councillors_may_read: bool, actor=None):
    """22/SVV/0792: whether every elected councillor may read the board's non-public
    information. Who changed it, when and from what to what is audited; unchanged is a
    no-op (no entry)."""
    current = (
        Organization.objects.select_for_update()
        .filter(pk=organization.pk)
        .values_list("councillors_may_read_non_public", flat=True)
        .first()
    )
    if current is None or current == councillors_may_read:
        organization.councillors_may_read_non_public = councillors_may_read
        return organization
    Organization.objects.filter(pk=organization.pk).update(
        councillors_may_read_non_public=councillors_may_read
    )
    organization.councillors_may_read_non_public = councillors_may_read
    audit.record(
        "council.board_access_changed",
        organization,
        actor=actor,
        data={"from": current, "to": councillors_may_read},
    )
    return organization


def update_task(task: ResolutionTask, *, status: str, report: str = "", actor=None):
    if report != task.report:
        task.reported_at = timezone.now()
    task.status = status
    task.report = report
    task.completed_at = timezone.now() if status == ResolutionTask.Status.DONE else None
    task.save()
    audit.record("council.task_updated", task, actor=actor, data={"status": status})
    return task


def _checksum(data: bytes) -> str:
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()


@transaction.atomic
def attach_file(
    *,
    municipality,
    name: str,
    file_name: str,
    data: bytes,
    mime_type: str = "application/pdf",
    public: bool = True,
    role: str = File.Role.AUXILIARY,
    text: str = "",
    paper=None,
    meeting=None,
    agenda_item=None,
    organization=None,
    actor=None,
) -> File:
    if not text and mime_type.startswith("text/"):
        text = data.decode("utf-8", errors="replace")
    file = File(
        municipality=municipality,
        name=name,
        file_name=file_name,
        mime_type=mime_type,
        size=len(data),
        sha1_checksum=_checksum(data),
        text=text,
        public=public,
        role=role,
        paper=paper,
        meeting=meeting,
        agenda_item=agenda_item,
        organization=organization,
    )
    file.content.save(file_name, ContentFile(data), save=False)
    file.save()
    audit.record("council.file_attached", file, actor=actor, data={"public": public})
    return file


@transaction.atomic
def generate_minutes(meeting: Meeting, *, actor=None) -> tuple[File, File]:
    """Render the Niederschrift; the public PDF leaves out the non-public part.

    Returns (public file, complete non-public file). Regenerating replaces both.
    """
    from .minutes import render_minutes_pdf

    old = meeting.files.alive().filter(role=File.Role.RESULTS_PROTOCOL)
    for f in old:
        soft_delete(f, actor=actor)
    stamp = timezone.localtime(meeting.start).strftime("%Y-%m-%d")
    files = []
    for public in (True, False):
        pdf, text = render_minutes_pdf(meeting, include_non_public=not public)
        suffix = "" if public else "-vollstaendig"
        files.append(
            attach_file(
                municipality=meeting.municipality,
                name="Niederschrift" + ("" if public else " (mit nichtöffentlichem Teil)"),
                file_name=f"niederschrift-{stamp}{suffix}.pdf",
                data=pdf,
                text=text,
                public=public,
                role=File.Role.RESULTS_PROTOCOL,
                meeting=meeting,
                actor=actor,
            )
        )
    meeting.state = Meeting.State.HELD
    meeting.save(update_fields=["state"])
    audit.record("council.minutes_generated", meeting, actor=actor)
    return files[0], files[1]


@transaction.atomic
def approve_minutes(meeting: Meeting, *, actor=None) -> Meeting:
    meeting.minutes_approved = True
    meeting.save(update_fields=["minutes_approved"])
    audit.record("council.minutes_approved", meeting, actor=actor)
    return meeting


@transaction.atomic
def remove_agenda_item(item: AgendaItem, *, actor=None) -> AgendaItem:
    """Take a TOP off the agenda; its paper's consultation can be scheduled again."""
    consultation = Consultation.objects.filter(agenda_item=item).first()
    if consultation is not None:
        consultation.agenda_item = None
        consultation.save(update_fields=["agenda_item"])
    return soft_delete(item, actor=actor)


@transaction.atomic
def cancel_meeting(meeting: Meeting, *, actor=None) -> Meeting:
    """Cancel (idempotent); members who were invited get a cancellation e-mail."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.cancelled:
        return meeting
    meeting.cancelled = True
    meeting.save(update_fields=["cancelled"])
    audit.record("council.meeting_cancelled", meeting, actor=actor)
    if meeting.is_published:
        transaction.on_commit(lambda: tasks.send_cancellation.enqueue(meeting.pk))
    return meeting


@transaction.atomic
def soft_delete(obj, *, actor=None):
    """Mark as deleted: OParl clients learn about it with modified_since.

    What only exists through the object goes with it (a paper's consultations and the
    files that hang on nothing else; a meeting's agenda items and files), so no
    list keeps serving children of a deleted parent.
    """
    obj.deleted = True
    obj.save(update_fields=["deleted"])
    audit.record("council.deleted", obj, actor=actor)
    for child in _dependent_children(obj):
        if not child.deleted:
            soft_delete(child, actor=actor)
    return obj


def _dependent_children(obj) -> list:
    if isinstance(obj, Paper):
        files = obj.files.filter(meeting=None, agenda_item=None, organization=None)
        return [*obj.consultations.all(), *files]
    if isinstance(obj, Meeting):
        return [*obj.agenda_items.all(), *obj.files.filter(paper=None, agenda_item=None)]
    if isinstance(obj, AgendaItem):
        return list(obj.files.filter(paper=None, meeting=None))
    return []


# --- Alerts for a saved search (double opt-in) -----------------------------------


@transaction.atomic
def subscribe_alert(municipality, email: str, query: str) -> SavedSearch:
    """Ask for confirmation; repeating the request re-sends the link, nothing else."""
    email = email.strip().lower()
    alert, created = SavedSearch.objects.get_or_create(
        municipality=municipality,
        email=email,
        query=query.strip(),
        defaults={"token": secrets.token_urlsafe(32)},
    )
    audit.record(
        "council.alert_requested", alert, municipality=municipality, actor_label="Bürger/in"
    )
    if alert.confirmed_at is None:
        transaction.on_commit(lambda: tasks.send_alert_confirmation.enqueue(alert.pk))
    return alert


@transaction.atomic
def confirm_alert(alert: SavedSearch) -> SavedSearch:
    if alert.confirmed_at is None:
        alert.confirmed_at = timezone.now()
        alert.checked_until = alert.confirmed_at
        alert.save(update_fields=["confirmed_at", "checked_until"])
        audit.record("council.alert_confirmed", alert, actor_label="Bürger/in")
    return alert


@transaction.atomic
def unsubscribe_alert(alert: SavedSearch) -> None:
    audit.record("council.alert_cancelled", alert, actor_label="Bürger/in")
    alert.delete()


def send_due_alerts(now=None) -> int:
    """Periodic job: mail each confirmed alert the public papers new since its last run."""
    from .search import search_papers

    now = now or timezone.now()
    sent = 0
    confirmed = SavedSearch.objects.filter(confirmed_at__isnull=False).select_related(
        "municipality"
    )
    for alert in confirmed:
        with transaction.atomic():
            locked = SavedSearch.objects.select_for_update().filter(pk=alert.pk).first()
            if locked is None:
                continue
            matches = search_papers(locked.municipality, locked.query).filter(
                created__gt=locked.checked_until, created__lte=now
            )
            ids = list(matches.values_list("pk", flat=True)[:50])
            locked.checked_until = now
            locked.save(update_fields=["checked_until"])
            if ids:
                sent += 1
                transaction.on_commit(
                    functools.partial(tasks.send_alert_matches.enqueue, locked.pk, ids)
                )
    return sent
