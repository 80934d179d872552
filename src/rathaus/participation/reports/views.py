"""Pages of the Mängelmelder: report in three steps, public map/list, staff inbox."""

import secrets
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.core import audit
from rathaus.core.models import Office, Role, StaffRole, User
from rathaus.core.parsing import clean_text, try_id
from rathaus.core.permissions import has_role, offices_of, role_required
from rathaus.core.ratelimit import ratelimit

from ..maps import map_context
from . import services
from .forms import (
    AssignForm,
    CitizenUpdateForm,
    DetailsForm,
    ModerationForm,
    NoteForm,
    ReopenForm,
    RerouteForm,
    StatusForm,
    UpdateModerationForm,
    WhereWhatForm,
)
from .models import Report, ReportCategory, ReportUpdate

DRAFT = "participation_report_draft"
LAST = "participation_report_last"


def _public(request):
    return (
        Report.objects.for_municipality(request.municipality)
        .filter(moderation=Report.Moderation.PUBLISHED)
        .select_related("category")
    )


# --- public list, map and detail ------------------------------------------------


def report_list(request):
    reports = _public(request)
    categories = ReportCategory.objects.for_municipality(request.municipality)
    category = request.GET.get("kategorie", "")
    state = request.GET.get("stand", "")
    if category:
        reports = reports.filter(category__code=category)
    if state == "offen":
        reports = reports.filter(status__in=Report.OPEN_STATUSES)
    elif state in ("fixed", "closed"):
        reports = reports.filter(status=state)
    page = Paginator(reports, 25).get_page(request.GET.get("seite"))
    context = map_context(
        request.municipality,
        page=page,
        categories=categories,
        category=category,
        state=state,
        geojson_url=reverse("participation:report_geojson"),
        stats=services.statistics(request.municipality),
    )
    return render(request, "participation/reports/list.html", context)


def report_geojson(request):
    features = []
    for report in _public(request).exclude(latitude=None)[:2000]:
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(report.longitude), float(report.latitude)],
                },
                "properties": {
                    "title": f"Nr. {report.pk}: {report.category.name}",
                    "status": report.get_status_display(),
                    "open": report.is_open,
                    "url": reverse("participation:report_detail", args=[report.pk]),
                },
            }
        )
    return JsonResponse({"type": "FeatureCollection", "features": features})


def report_detail(request, pk, update_form=None):
    report = get_object_or_404(_public(request).prefetch_related("photos"), pk=pk)
    updates = report.updates.filter(is_public=True).prefetch_related("photos")
    point = f"{report.latitude},{report.longitude}" if report.has_location else ""
    if report.is_open and update_form is None:
        update_form = CitizenUpdateForm()
    context = map_context(
        request.municipality,
        report=report,
        updates=updates,
        point=point,
        update_form=update_form if report.is_open else None,
        confirmations=services.confirmations(report),
    )
    return render(
        request,
        "participation/reports/detail.html",
        context,
        status=400 if update_form is not None and update_form.errors else 200,
    )


@require_POST
@ratelimit("participation-report-update", limit=10, window_seconds=600)
def report_update(request, pk):
    """A citizen's update, photos or confirmation; published after moderation."""
    report = get_object_or_404(_public(request), pk=pk)
    form = CitizenUpdateForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_citizen_update(
                report,
                text=data["text"],
                confirmation=data["confirmation"],
                photos=[data.get("photo_1"), data.get("photo_2")],
            )
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Vielen Dank. Ihr Hinweis erscheint, sobald die Moderation ihn geprüft hat."),
            )
            return redirect("participation:report_detail", report.pk)
    return report_detail(request, pk, update_form=form)


# --- reporting in three steps -------------------------------------------------------


def _draft(request) -> dict:
    return request.session.get(DRAFT) or {}


def _save_draft(request, **values) -> None:
    draft = _draft(request)
    draft.setdefault("key", secrets.token_hex(16))
    draft.update(values)
    request.session[DRAFT] = draft


def _draft_category(request, draft):
    if not draft.get("category"):
        return None
    return (
        ReportCategory.objects.for_municipality(request.municipality)
        .filter(pk=draft["category"], is_active=True)
        .first()
    )


@ratelimit("participation-report-step", limit=30, window_seconds=60)
def report_start(request):
    draft = _draft(request)
    initial = {k: draft.get(k) for k in ("category", "address", "latitude", "longitude")}
    form = WhereWhatForm(request.POST or None, initial=initial, municipality=request.municipality)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        _save_draft(
            request,
            category=data["category"].pk,
            address=data["address"].strip(),
            latitude=str(data["latitude"]) if data["latitude"] is not None else None,
            longitude=str(data["longitude"]) if data["longitude"] is not None else None,
        )
        return redirect("participation:report_details")
    context = map_context(request.municipality, form=form)
    return render(request, "participation/reports/step_where.html", context)


def _coords(draft):
    if draft.get("latitude") is None:
        return None, None
    return Decimal(draft["latitude"]), Decimal(draft["longitude"])


@ratelimit("participation-report-step", limit=30, window_seconds=60)
def report_details(request):
    draft = _draft(request)
    category = _draft_category(request, draft)
    if category is None:
        return redirect("participation:report_start")
    key = draft.get("key", "")
    photos = list(services.draft_photos(key))
    slots = max(0, services.MAX_PHOTOS - len(photos))
    initial = {
        "description": draft.get("description", ""),
        "contact_name": draft.get("contact_name", ""),
        "contact_email": draft.get("contact_email", ""),
        "contact_phone": draft.get("contact_phone", ""),
    }
    initial.update({f"attr_{k}": v for k, v in draft.get("attributes", {}).items()})
    form = DetailsForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        category=category,
        photo_slots=slots,
    )
    if request.method == "POST" and form.is_valid() and _store_photos(form, key):
        data = form.cleaned_data
        _save_draft(
            request,
            description=data["description"].strip(),
            contact_name=data["contact_name"].strip(),
            contact_email=data["contact_email"].strip(),
            contact_phone=data["contact_phone"].strip(),
            attributes=form.attribute_values(),
        )
        return redirect("participation:report_check")
    lat, lon = _coords(draft)
    duplicates = services.nearby_reports(request.municipality, category, lat, lon)
    return render(
        request,
        "participation/reports/step_details.html",
        {"form": form, "category": category, "duplicates": duplicates, "photos": photos},
    )


def _store_photos(form, key) -> bool:
    """Clean every uploaded photo now; errors go to the photo's field."""
    ok = True
    for name in DetailsForm.PHOTO_FIELDS:
        upload = form.cleaned_data.get(name)
        if not upload:
            continue
        try:
            services.add_draft_photo(key, upload)
        except ValidationError as exc:
            form.add_error(name, exc.messages[0])
            ok = False
    return ok


@ratelimit("participation-report-submit", limit=5, window_seconds=600)
def report_check(request):
    draft = _draft(request)
    category = _draft_category(request, draft)
    if request.method == "POST" and not draft and request.session.get(LAST):
        # A second click on "Absenden": the report exists already.
        return redirect("participation:report_done")
    if category is None or not draft.get("description"):
        return redirect("participation:report_start")
    if request.method == "POST":
        if request.POST.get("remove_photo"):
            services.remove_draft_photo(draft["key"], request.POST["remove_photo"])
            return redirect("participation:report_check")
        lat, lon = _coords(draft)
        try:
            report = services.submit_report(
                request.municipality,
                category=category,
                description=draft["description"],
                latitude=lat,
                longitude=lon,
                address=draft.get("address", ""),
                attributes=draft.get("attributes", {}),
                contact_name=draft.get("contact_name", ""),
                contact_email=draft.get("contact_email", ""),
                contact_phone=draft.get("contact_phone", ""),
                draft_key=draft["key"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("participation:report_start")
        request.session.pop(DRAFT, None)
        request.session[LAST] = report.pk
        return redirect("participation:report_done")
    attributes = _attribute_answers(category, draft.get("attributes", {}))
    return render(
        request,
        "participation/reports/step_check.html",
        {
            "draft": draft,
            "category": category,
            "attributes": attributes,
            "photos": services.draft_photos(draft["key"]),
        },
    )


def report_done(request):
    pk = request.session.get(LAST)
    report = Report.objects.for_municipality(request.municipality).filter(pk=pk).first()
    if report is None:
        return redirect("participation:report_start")
    return render(request, "participation/reports/done.html", {"report": report})


@ratelimit("participation-report-reopen", limit=10, window_seconds=600)
def report_reopen(request, token):
    report = services.report_for_reopen_token(request.municipality, token)
    if report is None:
        return render(request, "participation/reports/reopen_invalid.html", status=404)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.reopen(report, reason=form.cleaned_data["reason"])
        messages.success(
            request, _("Die Meldung ist wieder geöffnet. Vielen Dank für den Hinweis.")
        )
        return redirect("participation:report_detail", report.pk)
    return render(request, "participation/reports/reopen.html", {"form": form, "report": report})


# --- staff inbox ------------------------------------------------------------------

STAFF_ROLES = (Role.MODERATOR, Role.CLERK)


def _staff_reports(request):
    """Reports this person may handle: moderators and admins all, clerks their offices."""
    reports = Report.objects.for_municipality(request.municipality).select_related(
        "category", "office", "assignee"
    )
    if has_role(request.user, request.municipality, Role.MODERATOR):
        return reports
    offices = offices_of(request.user, request.municipality)
    if offices is None:
        return reports
    return reports.filter(office_id__in=offices)


@role_required(*STAFF_ROLES)
def inbox(request):
    reports = _staff_reports(request)
    view = request.GET.get("ansicht", "offen")
    if view == "moderation":
        reports = reports.filter(moderation=Report.Moderation.PENDING)
    elif view == "mir":
        reports = reports.filter(assignee=request.user)
    elif view == "hinweise":
        reports = reports.filter(
            updates__kind=ReportUpdate.Kind.CITIZEN,
            updates__moderation=Report.Moderation.PENDING,
        ).distinct()
    elif view == "frist":
        reports = reports.filter(
            status__in=Report.OPEN_STATUSES, due_at__lt=timezone.now()
        ).order_by("due_at")
    elif view == "alle":
        pass
    else:
        view = "offen"
        reports = reports.filter(status__in=Report.OPEN_STATUSES).exclude(
            moderation=Report.Moderation.REJECTED
        )
    query = clean_text(request.GET.get("q"), "q", max_length=200)
    if try_id(query):
        reports = reports.filter(pk=try_id(query))
    elif query:
        reports = reports.filter(Q(description__icontains=query) | Q(address__icontains=query))
    page = Paginator(reports, 30).get_page(request.GET.get("seite"))
    overdue = (
        _staff_reports(request)
        .filter(status__in=Report.OPEN_STATUSES, due_at__lt=timezone.now())
        .exclude(moderation=Report.Moderation.REJECTED)
        .count()
    )
    return render(
        request,
        "participation/reports/inbox.html",
        {"page": page, "view": view, "query": query, "overdue": overdue},
    )


def _staff_report(request, pk):
    return get_object_or_404(_staff_reports(request), pk=pk)


def _assignable_staff(report):
    ids = (
        StaffRole.objects.filter(municipality=report.municipality)
        .filter(Q(role=Role.CLERK, office=report.office) | Q(role=Role.ADMINISTRATOR))
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids).order_by("email")


@role_required(*STAFF_ROLES)
def staff_report(request, pk):
    report = _staff_report(request, pk)
    if report.contact_email or report.contact_name or report.contact_phone:
        audit.record_access(request, "participation.report_viewed", report)
    can_moderate = has_role(request.user, request.municipality, Role.MODERATOR)
    return render(
        request,
        "participation/reports/staff_detail.html",
        {
            "report": report,
            "updates": report.updates.select_related("actor").prefetch_related("photos"),
            "can_moderate": can_moderate,
            "moderation_form": ModerationForm(),
            "assign_form": AssignForm(
                initial={"assignee": report.assignee_id}, staff=_assignable_staff(report)
            ),
            "status_form": StatusForm(initial={"status": report.status}),
            "note_form": NoteForm(),
            "reroute_form": RerouteForm(
                initial={"office": report.office_id}, offices=_offices(request)
            ),
            "nearby": services.nearby_reports(
                request.municipality, report.category, report.latitude, report.longitude
            ),
        },
    )


@require_POST
@role_required(*STAFF_ROLES)
def staff_action(request, pk, action):
    report = _staff_report(request, pk)
    handlers = {
        "moderation": _moderate,
        "assign": _assign,
        "status": _status,
        "note": _note,
        "reroute": _reroute,
        "hinweis": _moderate_update,
    }
    if action not in handlers:
        raise Http404
    try:
        handlers[action](request, report)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("participation:staff_report", report.pk)


def _moderate(request, report):
    if not has_role(request.user, request.municipality, Role.MODERATOR):
        raise PermissionDenied(_("Nur die Moderation darf Meldungen freigeben."))
    form = ModerationForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Bitte wählen Sie eine Entscheidung."))
    publish = form.cleaned_data["decision"] == "publish"
    services.moderate(
        report, publish=publish, actor=request.user, reason=form.cleaned_data["reason"]
    )
    messages.success(request, _("Veröffentlicht.") if publish else _("Nicht veröffentlicht."))


def _assign(request, report):
    form = AssignForm(request.POST, staff=_assignable_staff(report))
    if not form.is_valid():
        raise ValidationError(_("Diese Person kann die Meldung nicht übernehmen."))
    services.assign(report, assignee=form.cleaned_data["assignee"], actor=request.user)
    messages.success(request, _("Zuweisung gespeichert."))


def _status(request, report):
    form = StatusForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Bitte prüfen Sie Status und Grund."))
    data = form.cleaned_data
    duplicate = None
    if data["duplicate_of"]:
        duplicate = (
            Report.objects.for_municipality(request.municipality)
            .filter(pk=data["duplicate_of"])
            .first()
        )
        if duplicate is None:
            raise ValidationError(_("Die ursprüngliche Meldung wurde nicht gefunden."))
    services.change_status(
        report,
        status=data["status"],
        actor=request.user,
        note=data["note"],
        close_reason=data["close_reason"],
        duplicate_of=duplicate,
    )
    messages.success(request, _("Status gespeichert. Die meldende Person wird informiert."))


def _offices(request):
    return Office.objects.for_municipality(request.municipality)


def _reroute(request, report):
    form = RerouteForm(request.POST, offices=_offices(request))
    if not form.is_valid():
        raise ValidationError(_("Bitte wählen Sie eine Organisationseinheit."))
    services.reroute(report, office=form.cleaned_data["office"], actor=request.user)
    messages.success(request, _("Die Meldung wurde weitergeleitet."))


def _note(request, report):
    form = NoteForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Die Notiz ist leer."))
    public = form.cleaned_data["public"]
    services.add_note(report, text=form.cleaned_data["text"], actor=request.user, public=public)
    messages.success(
        request, _("Öffentliche Mitteilung gespeichert.") if public else _("Notiz gespeichert.")
    )


def _moderate_update(request, report):
    if not has_role(request.user, request.municipality, Role.MODERATOR):
        raise PermissionDenied(_("Nur die Moderation darf Hinweise freigeben."))
    form = UpdateModerationForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Bitte wählen Sie eine Entscheidung."))
    update = get_object_or_404(
        report.updates.filter(kind=ReportUpdate.Kind.CITIZEN), pk=form.cleaned_data["update"]
    )
    publish = form.cleaned_data["decision"] == "publish"
    services.moderate_update(update, publish=publish, actor=request.user)
    messages.success(request, _("Veröffentlicht.") if publish else _("Nicht veröffentlicht."))


def _attribute_answers(category, answers: dict) -> list[tuple]:
    """(question, lang, answer, lang) for the check page: value names instead of keys, in
    English where staff wrote them, else German marked lang="de" on English pages."""
    from rathaus.catalog import english

    rows = []
    questions = {a.code: a for a in category.attributes.all()}
    for code, raw in answers.items():
        attribute = questions.get(code)
        if attribute is None:
            continue
        names = {str(v.get("key")): v for v in attribute.values}
        chosen = raw if isinstance(raw, list) else [raw]
        shown = [names.get(str(c)) for c in chosen]
        answer = ", ".join(
            english.localized(v, "name") if v else str(c)
            for v, c in zip(shown, chosen, strict=True)
        )
        german = any(v and english.shows_german(v, "name") for v in shown)
        rows.append(
            (
                english.localized(attribute, "description"),
                "de" if english.shows_german(attribute, "description") else "",
                answer,
                "de" if german else "",
            )
        )
    return rows
