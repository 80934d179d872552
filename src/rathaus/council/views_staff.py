"""Staff pages of the council office (Ratsbüro): papers, agendas, attendance, results.

Every page needs the council_office role in the request's municipality; every
change goes through services.py.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.core.models import Role
from rathaus.core.permissions import has_role, offices_of, role_required

from . import access, followup, services, services_inquiries
from .forms import (
    AgendaItemForm,
    ConsultationForm,
    FileForm,
    InquiryAnswerForm,
    MeetingForm,
    PaperForm,
    PaperOnAgendaForm,
    ResultForm,
    TaskForm,
    TaskStatusForm,
)
from .models import AgendaItem, Attendance, File, Meeting, Membership, Paper, ResolutionTask

office_only = role_required(Role.COUNCIL_OFFICE)


def _papers(request):
    return Paper.objects.for_municipality(request.municipality).alive()


def _meetings(request):
    return Meeting.objects.for_municipality(request.municipality).alive()


@office_only
def dashboard(request):
    now = timezone.now()
    return render(
        request,
        "council/staff/dashboard.html",
        {
            "meetings": _meetings(request)
            .filter(start__gte=now - timezone.timedelta(days=30))
            .select_related("organization")
            .order_by("start")[:20],
            "papers": _papers(request).order_by("-created")[:20],
            "overdue": ResolutionTask.objects.for_municipality(request.municipality)
            .exclude(status=ResolutionTask.Status.DONE)
            .filter(due_date__lt=timezone.localdate())
            .select_related("office")[:20],
            "overdue_inquiries": list(
                followup.inquiries(request.municipality, visible_only=False)
                .filter(answered=False, answer_due_date__lt=timezone.localdate())
                .order_by("answer_due_date")[:20]
            ),
        },
    )


@office_only
def paper_create(request):
    form = PaperForm(request.POST or None, municipality=request.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            paper = services.create_paper(
                request.municipality, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Drucksache %(ref)s angelegt.") % {"ref": paper.reference})
            return redirect("council:staff_paper", paper.pk)
    return render(request, "council/staff/paper_form.html", {"form": form, "paper": None})


@office_only
def paper_edit(request, pk):
    paper = get_object_or_404(_papers(request), pk=pk)
    form = PaperForm(request.POST or None, instance=paper, municipality=request.municipality)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_paper(paper, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Änderungen gespeichert."))
            return redirect("council:staff_paper", paper.pk)
    paper.refresh_from_db()
    if not paper.public:
        access.log_access(request, paper)
    return render(
        request,
        "council/staff/paper_form.html",
        {
            "form": form,
            "paper": paper,
            "consultations": paper.consultations.alive().select_related(
                "organization", "meeting", "agenda_item"
            ),
            "consultation_form": ConsultationForm(municipality=request.municipality),
            "file_form": FileForm(),
            "files": paper.files.alive(),
            **_inquiry_context(paper),
        },
    )


def _inquiry_context(paper, answer_form=None) -> dict:
    if paper.paper_type != Paper.Type.INQUIRY:
        return {}
    return {
        "answer": services_inquiries.answer_of(paper),
        "answer_form": answer_form
        or InquiryAnswerForm(initial={"answered_on": timezone.localdate()}),
    }


@office_only
@require_POST
def inquiry_answer(request, pk):
    """The written answer to an Anfrage (becomes its subordinate "Beantwortung")."""
    paper = get_object_or_404(_papers(request), pk=pk, paper_type=Paper.Type.INQUIRY)
    form = InquiryAnswerForm(request.POST)
    if form.is_valid():
        try:
            services_inquiries.answer_inquiry(paper, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Die Antwort ist gespeichert und veröffentlicht."))
            return redirect("council:staff_paper", paper.pk)
    return render(
        request,
        "council/staff/paper_form.html",
        {
            "form": PaperForm(instance=paper, municipality=request.municipality),
            "paper": paper,
            "consultations": paper.consultations.alive(),
            "consultation_form": ConsultationForm(municipality=request.municipality),
            "file_form": FileForm(),
            "files": paper.files.alive(),
            **_inquiry_context(paper, form),
        },
        status=400,
    )


@office_only
@require_POST
def consultation_add(request, pk):
    paper = get_object_or_404(_papers(request), pk=pk)
    form = ConsultationForm(request.POST, municipality=request.municipality)
    if form.is_valid():
        services.add_consultation(
            paper,
            form.cleaned_data["organization"],
            form.cleaned_data["role"],
            planned_date=form.cleaned_data["planned_date"],
            meeting=form.cleaned_data["meeting"],
            actor=request.user,
        )
        messages.success(request, _("Beratung zur Beratungsfolge hinzugefügt."))
        return redirect("council:staff_paper", paper.pk)
    return render(
        request,
        "council/staff/paper_form.html",
        {
            "form": PaperForm(instance=paper, municipality=request.municipality),
            "paper": paper,
            "consultations": paper.consultations.alive(),
            "consultation_form": form,
            "file_form": FileForm(),
            "files": paper.files.alive(),
        },
        status=400,
    )


def _attach_upload(request, parent, success_message, **target):
    """Attach the uploaded file of a FileForm to a paper or agenda item; a file is public
    only if both the form says so and its parent is public."""
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return
    upload = form.cleaned_data["upload"]
    services.attach_file(
        municipality=request.municipality,
        name=form.cleaned_data["name"],
        file_name=upload.name,
        data=upload.read(),
        mime_type=upload.detected_type,  # from the content, never the browser's claim
        public=form.cleaned_data["public"] and parent.public,
        text=form.cleaned_data["text"],
        actor=request.user,
        **target,
    )
    messages.success(request, success_message)


@office_only
@require_POST
def paper_file(request, pk):
    paper = get_object_or_404(_papers(request), pk=pk)
    has_main = paper.files.alive().filter(role=File.Role.MAIN).exists()
    role = File.Role.AUXILIARY if has_main else File.Role.MAIN
    _attach_upload(request, paper, _("Datei hinzugefügt."), paper=paper, role=role)
    return redirect("council:staff_paper", paper.pk)


@office_only
def meeting_create(request):
    form = MeetingForm(request.POST or None, municipality=request.municipality)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        meeting = services.create_meeting(data.pop("organization"), actor=request.user, **data)
        messages.success(request, _("Sitzung angelegt."))
        return redirect("council:staff_meeting", meeting.pk)
    return render(request, "council/staff/meeting_form.html", {"form": form})


@office_only
def meeting_manage(request, pk):
    """Build the agenda: free items, papers from the Beratungsfolge, order, publish."""
    meeting = get_object_or_404(_meetings(request).select_related("organization"), pk=pk)
    item_form = AgendaItemForm(prefix="item")
    paper_form = PaperOnAgendaForm(prefix="paper", meeting=meeting)
    status = 200
    if request.method == "POST":
        try:
            if "item-name" in request.POST:
                item_form = AgendaItemForm(request.POST, prefix="item")
                if item_form.is_valid():
                    services.add_agenda_item(meeting, actor=request.user, **item_form.cleaned_data)
                    messages.success(request, _("Tagesordnungspunkt hinzugefügt."))
                    return redirect("council:staff_meeting", meeting.pk)
            else:
                paper_form = PaperOnAgendaForm(request.POST, prefix="paper", meeting=meeting)
                if paper_form.is_valid():
                    services.put_paper_on_agenda(
                        paper_form.cleaned_data["consultation"],
                        meeting,
                        number=paper_form.cleaned_data["number"],
                        actor=request.user,
                    )
                    messages.success(request, _("Drucksache auf die Tagesordnung gesetzt."))
                    return redirect("council:staff_meeting", meeting.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        status = 400
    items = meeting.agenda_items.alive().order_by("order").select_related("consultation__paper")
    return render(
        request,
        "council/staff/meeting_manage.html",
        {
            "meeting": meeting,
            "items": items,
            "item_form": item_form,
            "paper_form": paper_form,
            "minutes_files": meeting.files.alive().filter(role=File.Role.RESULTS_PROTOCOL),
        },
        status=status,
    )


@office_only
def meeting_publish(request, pk):
    """GET: check-your-answers page (agenda, who is invited). POST: publish and invite."""
    from .tasks import member_addresses

    meeting = get_object_or_404(_meetings(request).select_related("organization"), pk=pk)
    if request.method != "POST":
        items = meeting.agenda_items.alive().order_by("order").select_related("consultation__paper")
        return render(
            request,
            "council/staff/meeting_publish.html",
            {
                "meeting": meeting,
                "items": items,
                "recipients": member_addresses(meeting.organization),
            },
        )
    try:
        services.publish_agenda(meeting, actor=request.user)
        messages.success(request, _("Tagesordnung veröffentlicht, Einladung wird versandt."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("council:staff_meeting", meeting.pk)


@office_only
@require_POST
def meeting_cancel(request, pk):
    meeting = get_object_or_404(_meetings(request), pk=pk)
    services.cancel_meeting(meeting, actor=request.user)
    messages.success(request, _("Sitzung abgesagt."))
    return redirect("council:staff_meeting", meeting.pk)


@office_only
@require_POST
def item_remove(request, pk):
    item = get_object_or_404(
        AgendaItem.objects.for_municipality(request.municipality).alive(), pk=pk
    )
    services.remove_agenda_item(item, actor=request.user)
    messages.success(request, _("TOP %(n)s von der Tagesordnung genommen.") % {"n": item.number})
    return redirect("council:staff_meeting", item.meeting_id)


@office_only
@require_POST
def item_file(request, pk):
    item = get_object_or_404(
        AgendaItem.objects.for_municipality(request.municipality).alive(), pk=pk
    )
    _attach_upload(request, item, _("Anlage hinzugefügt."), agenda_item=item)
    return redirect("council:staff_item", item.pk)


@office_only
@require_POST
def paper_delete(request, pk):
    paper = get_object_or_404(_papers(request), pk=pk)
    services.soft_delete(paper, actor=request.user)
    messages.success(request, _("Drucksache %(ref)s gelöscht.") % {"ref": paper.reference})
    return redirect("council:staff")


@office_only
@require_POST
def item_move(request, pk):
    item = get_object_or_404(
        AgendaItem.objects.for_municipality(request.municipality).alive(), pk=pk
    )
    services.move_agenda_item(
        item, -1 if request.POST.get("richtung") == "hoch" else 1, actor=request.user
    )
    return redirect("council:staff_meeting", item.meeting_id)


def _attendance_rows(meeting):
    """One row per current member (plus anyone already recorded)."""
    recorded = {a.person_id: a for a in meeting.attendances.select_related("person")}
    rows = []
    memberships = (
        Membership.objects.filter(organization=meeting.organization, deleted=False)
        .select_related("person", "on_behalf_of")
        .order_by("id")
    )
    seen = set()
    for m in memberships:
        if m.person_id in seen or m.person.deleted:
            continue
        seen.add(m.person_id)
        rows.append((m.person, recorded.get(m.person_id), m))
    for person_id, a in recorded.items():
        if person_id not in seen:
            rows.append((a.person, a, None))
    return rows


def _parse_time(value):
    from datetime import datetime

    value = (value or "").strip()
    if not value:
        return None
    try:
        return datetime.strptime(value, "%H:%M").time()
    except ValueError as exc:
        raise ValidationError(_("Uhrzeit „%(v)s“ bitte als HH:MM angeben.") % {"v": value}) from exc


@office_only
def attendance(request, pk):
    meeting = get_object_or_404(_meetings(request).select_related("organization"), pk=pk)
    rows = _attendance_rows(meeting)
    errors = []
    if request.method == "POST":
        data = []
        try:
            for person, _recorded, membership in rows:
                status = request.POST.get(f"status-{person.pk}", "")
                if status not in Attendance.Status.values:
                    continue
                data.append(
                    {
                        "person": person,
                        "status": status,
                        "function": request.POST.get(f"function-{person.pk}", "")[:100]
                        or "Mitglieder",
                        "affiliation": request.POST.get(f"affiliation-{person.pk}", "")[:100],
                        "voting": membership.voting_right if membership else True,
                        "arrived": _parse_time(request.POST.get(f"arrived-{person.pk}")),
                        "left": _parse_time(request.POST.get(f"left-{person.pk}")),
                    }
                )
            services.record_attendance(meeting, data, actor=request.user)
            messages.success(request, _("Anwesenheit gespeichert."))
            return redirect("council:staff_meeting", meeting.pk)
        except ValidationError as exc:
            errors = exc.messages
    return render(
        request,
        "council/staff/attendance.html",
        {"meeting": meeting, "rows": rows, "errors": errors, "statuses": Attendance.Status.choices},
        status=400 if errors else 200,
    )


@office_only
def item_result(request, pk):
    item = get_object_or_404(
        AgendaItem.objects.for_municipality(request.municipality)
        .alive()
        .select_related("meeting", "consultation__paper"),
        pk=pk,
    )
    initial = {
        "result": item.result,
        "unanimous": item.unanimous,
        "votes_yes": item.votes_yes,
        "votes_no": item.votes_no,
        "votes_abstain": item.votes_abstain,
        "discussion": item.discussion,
        "resolution_text": item.resolution_text,
    }
    if not item.public:
        access.log_access(request, item)
    form = ResultForm(request.POST or None, initial=initial, prefix="result")
    task_form = TaskForm(prefix="task", municipality=request.municipality)
    if request.method == "POST":
        if "task-description" in request.POST:
            task_form = TaskForm(request.POST, prefix="task", municipality=request.municipality)
            if task_form.is_valid():
                services.add_task(item, actor=request.user, **task_form.cleaned_data)
                messages.success(request, _("Auftrag zur Beschlussverfolgung angelegt."))
                return redirect("council:staff_item", item.pk)
            form = ResultForm(initial=initial, prefix="result")
        elif form.is_valid():
            services.record_result(item, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Ergebnis gespeichert."))
            return redirect("council:staff_meeting", item.meeting_id)
    return render(
        request,
        "council/staff/item_result.html",
        {
            "item": item,
            "form": form,
            "task_form": task_form,
            "tasks": item.tasks.select_related("office"),
            "status_form": TaskStatusForm(),
            "file_form": FileForm(),
            "files": item.files.alive(),
        },
        status=400 if request.method == "POST" else 200,
    )


@role_required(Role.COUNCIL_OFFICE, Role.CLERK)
@require_POST
def task_update(request, pk):
    task = get_object_or_404(ResolutionTask.objects.for_municipality(request.municipality), pk=pk)
    offices = offices_of(request.user, request.municipality)
    if not has_role(request.user, request.municipality, Role.COUNCIL_OFFICE) and (
        offices is not None and task.office_id not in offices
    ):
        raise PermissionDenied(_("Dieser Auftrag gehört zu einem anderen Amt."))
    form = TaskStatusForm(request.POST)
    if form.is_valid():
        services.update_task(task, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Status des Auftrags gespeichert."))
    else:
        messages.error(request, _("Bitte einen gültigen Status wählen."))
    if not has_role(request.user, request.municipality, Role.COUNCIL_OFFICE):
        return redirect("council:tasks")
    return redirect("council:staff_item", task.agenda_item_id)


@office_only
def minutes_generate(request, pk):
    """GET: preview the full minutes as PDF. POST: generate files / release them."""
    meeting = get_object_or_404(_meetings(request), pk=pk)
    if request.method == "POST":
        if request.POST.get("aktion") == "freigeben":
            services.approve_minutes(meeting, actor=request.user)
            messages.success(request, _("Niederschrift freigegeben und veröffentlicht."))
        else:
            services.generate_minutes(meeting, actor=request.user)
            messages.success(request, _("Niederschrift erzeugt (HTML und PDF)."))
        return redirect("council:staff_meeting", meeting.pk)
    from io import BytesIO

    from .minutes import render_minutes_pdf

    pdf, _text = render_minutes_pdf(meeting, include_non_public=True)
    return FileResponse(
        BytesIO(pdf), content_type="application/pdf", filename="niederschrift-vorschau.pdf"
    )
