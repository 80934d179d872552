"""Public pages of the Ratsinformationssystem.

Everything here starts from ``for_municipality(request.municipality)`` and, for
anonymous visitors, from ``visible()``. Non-public content is shown only to
users ``access.can_see_non_public`` admits, and each such view is audited.
"""

from datetime import date

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_http_methods

from rathaus.core import audit, uploads
from rathaus.core.parsing import parse_id, parse_optional_int, try_id
from rathaus.core.ratelimit import client_ip, hit, too_many

from . import access, followup, services
from .forms import AlertForm
from .models import (
    AgendaItem,
    Consultation,
    File,
    Meeting,
    Membership,
    Organization,
    Paper,
    Person,
    ResolutionTask,
    SavedSearch,
)
from .search import public_files, search_files, search_papers

MONTHS = [
    _("Januar"),
    _("Februar"),
    _("März"),
    _("April"),
    _("Mai"),
    _("Juni"),
    _("Juli"),
    _("August"),
    _("September"),
    _("Oktober"),
    _("November"),
    _("Dezember"),
]


def _meetings(request):
    return (
        Meeting.objects.for_municipality(request.municipality)
        .alive()
        .select_related("organization", "place")
    )


def index(request):
    now = timezone.now()
    meetings = _meetings(request)
    context = {
        "upcoming": meetings.filter(start__gte=now).order_by("start")[:6],
        "recent_meetings": meetings.filter(start__lt=now).order_by("-start")[:5],
        "papers": Paper.objects.for_municipality(request.municipality)
        .visible()
        .order_by("-date", "-id")[:8],
        "organizations": _organizations(request).exclude(kind=Organization.Kind.GROUP),
        "is_councillor": access.is_councillor(request.user, request.municipality),
        "is_council_office": access.is_council_office(request.user, request.municipality),
    }
    return render(request, "council/index.html", context)


def _int_param(request, name, default, low, high):
    return parse_optional_int(
        request.GET.get(name), name, default=default, minimum=low, maximum=high
    )


def calendar(request):
    """Meetings of one month, optionally of one organization (Sitzungskalender)."""
    today = timezone.localdate()
    year = _int_param(request, "jahr", today.year, 1990, 2100)
    month = _int_param(request, "monat", today.month, 1, 12)
    meetings = _meetings(request).filter(start__year=year, start__month=month).order_by("start")
    organizations = _organizations(request).exclude(kind=Organization.Kind.GROUP)
    selected = request.GET.get("gremium", "")
    if selected:
        meetings = meetings.filter(organization_id=parse_id(selected, "gremium"))
    prev_month = date(year - (month == 1), 12 if month == 1 else month - 1, 1)
    next_month = date(year + (month == 12), 1 if month == 12 else month + 1, 1)
    return render(
        request,
        "council/calendar.html",
        {
            "meetings": meetings,
            "year": year,
            "month": month,
            "month_name": MONTHS[month - 1],
            "prev": prev_month,
            "next": next_month,
            "organizations": organizations,
            "selected": selected,
            "months": list(enumerate(MONTHS, start=1)),
        },
    )


def meeting_detail(request, pk):
    meeting = get_object_or_404(_meetings(request), pk=pk)
    items = (
        meeting.agenda_items.alive()
        .order_by("order")
        .select_related("consultation__paper")
        # visible(): a file also attached to a non-public paper stays hidden here too.
        .prefetch_related(Prefetch("files", queryset=File.objects.visible()))
    )
    show_agenda = meeting.is_published or meeting.state == Meeting.State.HELD
    may_see_secret = access.can_see_non_public(request.user, request.municipality, meeting)
    non_public = [i for i in items if not i.public]
    if may_see_secret and non_public and show_agenda:
        access.log_access(request, meeting)
    files = public_files(request.municipality).filter(meeting=meeting, agenda_item=None)
    if not meeting.minutes_approved:
        files = files.exclude(role=File.Role.RESULTS_PROTOCOL)
    return render(
        request,
        "council/meeting_detail.html",
        {
            "meeting": meeting,
            "show_agenda": show_agenda,
            "public_items": [i for i in items if i.public],
            "non_public_items": non_public if may_see_secret else [],
            "has_non_public": bool(non_public),
            "files": files,
            "may_see_secret": may_see_secret,
            "has_tasks": followup.visible_tasks(request.user, request.municipality)
            .filter(agenda_item__meeting=meeting)
            .exists(),
        },
    )


def minutes(request, pk):
    """The Niederschrift as a web page; the full version only for members (audited)."""
    from .minutes import minutes_context

    meeting = get_object_or_404(_meetings(request), pk=pk)
    full = request.GET.get("vollstaendig") == "1"
    may_see_secret = access.can_see_non_public(request.user, request.municipality, meeting)
    if full and not may_see_secret:
        raise Http404
    office = access.is_council_office(request.user, request.municipality)
    if not (meeting.minutes_approved or office or full):
        raise Http404
    if full:
        access.log_access(request, meeting)
    context = minutes_context(meeting, include_non_public=full)
    context["may_see_secret"] = may_see_secret
    return render(request, "council/minutes.html", context)


def _paper_queryset(request):
    return Paper.objects.for_municipality(request.municipality).alive()


def paper_detail(request, pk):
    paper = get_object_or_404(_paper_queryset(request), pk=pk)
    if not paper.public:
        if not access.can_see_non_public(request.user, request.municipality, paper):
            raise Http404
        access.log_access(request, paper)
    may_see_secret = not paper.public or access.can_see_non_public(
        request.user, request.municipality, paper
    )
    consultations = (
        paper.consultations.alive()
        .select_related("organization", "meeting", "agenda_item__meeting")
        .order_by("order", "planned_date")
    )
    steps = []
    for consultation in consultations:
        item = consultation.agenda_item
        if item is not None and not (item.is_visible or (may_see_secret and not item.deleted)):
            item = None
        steps.append((consultation, item))
    files = paper.files.alive() if may_see_secret else paper.files.visible()
    return render(
        request,
        "council/paper_detail.html",
        {
            "paper": paper,
            "steps": steps,
            "files": files,
            "non_public": not paper.public,
            "tasks": followup.visible_tasks(request.user, request.municipality).filter(paper=paper),
            "inquiry": _inquiry_row(paper, may_see_secret),
            "answers_to": _answered_inquiry(request, paper),
        },
    )


def _inquiry_row(paper, may_see_secret):
    if paper.paper_type != Paper.Type.INQUIRY:
        return None
    return followup.inquiry_rows([paper], visible_only=not may_see_secret)[0]


def _answered_inquiry(request, paper):
    """For an answer: the Anfrage it answers, if this visitor may see it."""
    parent = paper.superordinated
    if paper.paper_type != Paper.Type.ANSWER or parent is None or parent.deleted:
        return None
    if parent.public or access.can_see_non_public(request.user, request.municipality, parent):
        return parent
    return None


def paper_list(request):
    query = request.GET.get("q", "").strip()[:200]
    paper_type = request.GET.get("art", "")
    if query:
        papers = search_papers(request.municipality, query)
    else:
        papers = Paper.objects.for_municipality(request.municipality).visible()
    if paper_type in Paper.Type.values:
        papers = papers.filter(paper_type=paper_type)
    page = Paginator(papers.order_by("-date", "-id") if not query else papers, 25).get_page(
        request.GET.get("seite")
    )
    return render(
        request,
        "council/paper_list.html",
        {"page": page, "query": query, "paper_type": paper_type, "types": Paper.Type.choices},
    )


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    papers = search_papers(request.municipality, query)[:50] if query else []
    files = (
        search_files(request.municipality, query).select_related("paper", "meeting")[:50]
        if query
        else []
    )
    return render(
        request, "council/search.html", {"query": query, "papers": papers, "files": files}
    )


def _organizations(request):
    return Organization.objects.for_municipality(request.municipality).alive().order_by("name")


def organization_list(request, advisory_boards=False):
    organizations = _organizations(request)
    if advisory_boards:
        organizations = organizations.filter(kind=Organization.Kind.ADVISORY_BOARD)
    groups = [
        (label, [o for o in organizations if o.kind == kind])
        for kind, label in Organization.Kind.choices
    ]
    return render(
        request,
        "council/organization_list.html",
        {"groups": [g for g in groups if g[1]], "advisory_boards": advisory_boards},
    )


def _current_memberships(queryset):
    today = timezone.localdate()
    return (
        queryset.alive()
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .filter(person__deleted=False)
    )


def organization_detail(request, pk):
    organization = get_object_or_404(_organizations(request), pk=pk)
    memberships = _current_memberships(organization.memberships).select_related(
        "person", "on_behalf_of"
    )
    now = timezone.now()
    meetings = organization.meetings.alive()
    minutes_files = (
        public_files(request.municipality)
        .filter(meeting__organization=organization, role=File.Role.RESULTS_PROTOCOL)
        .filter(meeting__minutes_approved=True)
        .select_related("meeting")
        .order_by("-meeting__start")
    )
    return render(
        request,
        "council/organization_detail.html",
        {
            "organization": organization,
            "memberships": memberships,
            "upcoming": meetings.filter(start__gte=now).order_by("start")[:10],
            "past": meetings.filter(start__lt=now).order_by("-start")[:12],
            "minutes_files": minutes_files,
            "files": public_files(request.municipality).filter(organization=organization),
            "papers": Paper.objects.for_municipality(request.municipality)
            .visible()
            .filter(consultations__organization=organization)
            .distinct()
            .order_by("-date")[:10],
        },
    )


def person_list(request):
    persons = Person.objects.for_municipality(request.municipality).alive()
    query = request.GET.get("q", "").strip()[:100]
    if query:
        persons = persons.filter(name__icontains=query)
    page = Paginator(persons, 50).get_page(request.GET.get("seite"))
    return render(request, "council/person_list.html", {"page": page, "query": query})


def person_detail(request, pk):
    person = get_object_or_404(Person.objects.for_municipality(request.municipality).alive(), pk=pk)
    memberships = (
        person.memberships.alive()
        .filter(organization__deleted=False)
        .select_related("organization", "on_behalf_of")
        .order_by("-start_date")
    )
    return render(
        request, "council/person_detail.html", {"person": person, "memberships": memberships}
    )


def _file_or_404(request, pk) -> File:
    file = get_object_or_404(File.objects.for_municipality(request.municipality).alive(), pk=pk)
    if public_files(request.municipality).filter(pk=file.pk).exists():
        return file
    if access.can_see_non_public(request.user, request.municipality, file):
        access.log_access(request, file)
        return file
    raise Http404


def _file_validators(file: File) -> tuple[str | None, int]:
    """ETag from the content checksum, Last-Modified from the file's ``modified``."""
    etag = f'"{file.sha1_checksum}"' if file.sha1_checksum else None
    return etag, int(file.modified.timestamp())


def _serve(request, file: File, as_attachment: bool):
    if not file.content:
        if file.source_url:
            return HttpResponseRedirect(file.source_url)
        raise Http404
    etag, modified = _file_validators(file)
    not_modified = get_conditional_response(request, etag=etag, last_modified=modified)
    if not_modified is not None:
        not_modified["Access-Control-Allow-Origin"] = "*"
        return not_modified
    response = FileResponse(
        file.content.open("rb"),
        as_attachment=as_attachment,
        filename=file.file_name,
        content_type=file.mime_type,
    )
    response["Access-Control-Allow-Origin"] = "*"
    if etag:
        response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    # Sandboxed, never sniffed, and inline only for PDFs and images: an imported or old
    # upload that is HTML must not run as a page of the town's origin.
    uploads.serve_headers(response, file.mime_type, file.file_name, inline=not as_attachment)
    if not file.public:
        response["Cache-Control"] = "private, no-store"
    return response


@gzip_page
def file_access(request, pk):
    """OParl accessUrl: the file for viewing in the browser (inline)."""
    return _serve(request, _file_or_404(request, pk), as_attachment=False)


@gzip_page
def file_download(request, pk):
    """OParl downloadUrl: the file as a download (Content-Disposition: attachment)."""
    return _serve(request, _file_or_404(request, pk), as_attachment=True)


def tasks(request):
    """Beschlussverfolgung: every resolution's task and its state, for everyone.

    The public sees tasks of public, published agenda items on public papers;
    councillors additionally those of bodies whose non-public content they may read
    (audited), the council office all.
    """
    shown = followup.visible_tasks(request.user, request.municipality)
    state = request.GET.get("status", "")
    state_key = followup.STATE_FILTERS.get(state, ("", ""))[0]
    shown = followup.filter_by_state(shown, state_key)
    paper_id = try_id(request.GET.get("drucksache"))
    meeting_id = try_id(request.GET.get("sitzung"))
    if paper_id is not None:
        shown = shown.filter(paper_id=paper_id)
    if meeting_id is not None:
        shown = shown.filter(agenda_item__meeting_id=meeting_id)
    today = timezone.localdate()
    open_tasks = shown.exclude(status=ResolutionTask.Status.DONE)
    context = {
        "overdue": list(open_tasks.filter(due_date__lt=today)),
        "open": list(open_tasks.filter(due_date__gte=today)),
        "done": list(
            shown.filter(status=ResolutionTask.Status.DONE).order_by("-completed_at")[:50]
        ),
        "states": [(key, label) for key, (_k, label) in followup.STATE_FILTERS.items()],
        "state": state if state_key else "",
        "filtered": paper_id is not None or meeting_id is not None,
    }
    hidden = followup.non_public_tasks(context["overdue"] + context["open"] + context["done"])
    if hidden:  # one audit entry naming every non-public task this page showed
        audit.record(
            "council.non_public_viewed",
            hidden[0],
            actor=request.user,
            municipality=request.municipality,
            data={"path": request.path, "tasks": [t.pk for t in hidden]},
        )
    return render(request, "council/tasks.html", context)


def inquiries(request):
    """Anfragen with their answer deadline and state; ?status=ueberfaellig lists the
    unanswered ones past their deadline."""
    overdue_only = request.GET.get("status") == "ueberfaellig"
    papers = (
        followup.overdue_inquiries(request.municipality)
        if overdue_only
        else followup.inquiries(request.municipality)
    )
    page = Paginator(papers.order_by("-date", "-id"), 25).get_page(request.GET.get("seite"))
    return render(
        request,
        "council/inquiries.html",
        {
            "page": page,
            "rows": followup.inquiry_rows(page.object_list),
            "overdue_only": overdue_only,
            "overdue_count": followup.overdue_inquiries(request.municipality).count(),
        },
    )


# --- Alerts ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def alert_subscribe(request):
    form = AlertForm(request.POST or None, initial={"query": request.GET.get("q", "")})
    if request.method == "POST":
        verdict = hit("council-alert", client_ip(request), limit=10, window_seconds=3600)
        if not verdict.allowed:
            return too_many(request, verdict)
        if form.is_valid():
            services.subscribe_alert(
                request.municipality, form.cleaned_data["email"], form.cleaned_data["query"]
            )
            return render(request, "council/alert_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "council/alert_form.html", {"form": form})


def _alert(request, token) -> SavedSearch:
    return get_object_or_404(
        SavedSearch.objects.for_municipality(request.municipality), token=token
    )


@require_http_methods(["GET", "POST"])
def alert_confirm(request, token):
    alert = _alert(request, token)
    if request.method == "POST":
        services.confirm_alert(alert)
        return render(request, "council/alert_done.html", {"alert": alert, "confirmed": True})
    return render(request, "council/alert_confirm.html", {"alert": alert})


@require_http_methods(["GET", "POST"])
def alert_unsubscribe(request, token):
    alert = _alert(request, token)
    if request.method == "POST":
        services.unsubscribe_alert(alert)
        return render(request, "council/alert_done.html", {"alert": alert, "confirmed": False})
    return render(request, "council/alert_unsubscribe.html", {"alert": alert})


__all__ = ["AgendaItem", "Consultation", "Membership"]
