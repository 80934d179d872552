"""Back office: the inbox per office and the case view (Vorgang) for clerks.

Clerks see the cases of the services of their offices; administrators see all.
Someone else's case is a 404 (its existence is not revealed).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from rathaus.core import audit
from rathaus.core.forms import KernForm
from rathaus.core.models import Office, Role, StaffRole, User
from rathaus.core.permissions import has_role, offices_of, role_required

from . import cases, formengine, services
from .models import DEFAULT_CASE_STATUSES, Application, Message, Payment

clerk_required = role_required(Role.CLERK)


def cases_for(user, municipality):
    qs = Application.objects.for_municipality(municipality).filter(
        state=Application.State.SUBMITTED
    )
    offices = offices_of(user, municipality)
    if offices is not None:
        qs = qs.filter(service__office_id__in=offices)
    return qs


def can_handle(user, municipality, app) -> bool:
    if not has_role(user, municipality, Role.CLERK):
        return False
    offices = offices_of(user, municipality)
    return offices is None or app.service.office_id in offices


def _get_case(request, reference) -> Application:
    app = get_object_or_404(
        cases_for(request.user, request.municipality).select_related(
            "form", "service", "service__office", "applicant", "assignee", "pickup_booking"
        ),
        reference=reference,
    )
    return app


class InboxFilter(KernForm):
    q = forms.CharField(label="Suche", required=False, help_text="Aktenzeichen, Name oder E-Mail")
    status = forms.ChoiceField(label="Bearbeitungsstand", required=False)
    office = forms.ChoiceField(label="Organisationseinheit", required=False)
    mine = forms.ChoiceField(
        label="Zuständigkeit",
        required=False,
        choices=[("", "Alle"), ("me", "Mir zugewiesen"), ("none", "Nicht zugewiesen")],
    )
    open = forms.ChoiceField(
        label="Stand",
        required=False,
        choices=[
            ("open", "Offen"),
            ("overdue", "Frist überschritten"),
            ("closed", "Abgeschlossen"),
            ("all", "Alle"),
        ],
    )


def _status_choices(qs):
    seen = {}
    for form_statuses in qs.values_list("form__case_statuses", flat=True).distinct():
        for key, label in form_statuses or DEFAULT_CASE_STATUSES:
            seen.setdefault(key, label)
    return [("", "Alle")] + list(seen.items())


@clerk_required
def inbox(request):
    base = cases_for(request.user, request.municipality)
    offices_allowed = offices_of(request.user, request.municipality)
    office_qs = Office.objects.for_municipality(request.municipality)
    if offices_allowed is not None:
        office_qs = office_qs.filter(pk__in=offices_allowed)
    filters = InboxFilter(request.GET or None)
    filters.fields["status"].choices = _status_choices(base)
    filters.fields["office"].choices = [("", "Alle")] + [(o.slug, o.name) for o in office_qs]
    paid = Payment.objects.filter(application=OuterRef("pk"), status=Payment.Status.SUCCESS)
    replies = Message.objects.filter(
        application=OuterRef("pk"), direction=Message.Direction.FROM_CITIZEN, read_at__isnull=True
    )
    qs = base.select_related("service", "assignee", "applicant", "form").annotate(
        paid_flag=Exists(paid), new_reply=Exists(replies)
    )
    if filters.is_valid():
        qs = _apply_filters(qs, filters.cleaned_data, request.user)
    else:
        qs = qs.filter(closed_at__isnull=True)
    qs = qs.order_by("due_date", "submitted_at")
    page = Paginator(qs, 25).get_page(request.GET.get("seite"))
    return render(
        request,
        "applications/clerk/inbox.html",
        {"filters": filters, "page": page, "today": timezone.localdate()},
    )


def _apply_filters(qs, data, user):
    if data.get("q"):
        term = data["q"].strip()
        qs = qs.filter(
            Q(reference__icontains=term)
            | Q(applicant__last_name__icontains=term)
            | Q(applicant__email__icontains=term)
            | Q(guest_email__icontains=term)
            | Q(data__nachname__icontains=term)
        )
    if data.get("status"):
        qs = qs.filter(case_status=data["status"])
    if data.get("office"):
        qs = qs.filter(service__office__slug=data["office"])
    if data.get("mine") == "me":
        qs = qs.filter(assignee=user)
    elif data.get("mine") == "none":
        qs = qs.filter(assignee__isnull=True)
    state = data.get("open") or "open"
    if state == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif state == "overdue":
        qs = qs.filter(closed_at__isnull=True, due_date__lt=timezone.localdate())
    elif state == "closed":
        qs = qs.filter(closed_at__isnull=False)
    return qs


class NoteForm(KernForm):
    text = forms.CharField(label="Interne Notiz", widget=forms.Textarea(attrs={"rows": 3}))


class StatusForm(KernForm):
    status = forms.ChoiceField(label="Neuer Bearbeitungsstand")
    notify = forms.BooleanField(
        label="Bürgerin oder Bürger im Postfach benachrichtigen", required=False, initial=True
    )


class AssignForm(KernForm):
    assignee = forms.ChoiceField(label="Zuständig", required=False)


class DueForm(KernForm):
    due_date = forms.DateField(
        label="Frist",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )


class RequestForm(KernForm):
    text = forms.CharField(
        label="Welche Unterlagen fehlen?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Die Bürgerin oder der Bürger erhält diesen Text im Postfach.",
    )


class MessageForm(KernForm):
    subject = forms.CharField(label="Betreff", max_length=200)
    body = forms.CharField(label="Nachricht", widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(KernForm):
    outcome = forms.ChoiceField(
        label="Ergebnis",
        choices=[(k, v) for k, v in Application.Outcome.choices if k],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label="Begründung und Nebenbestimmungen",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Erscheint im Bescheid (PDF).",
    )
    decide_anyway = forms.BooleanField(
        label="Ich entscheide jetzt, obwohl die nachgeforderten Unterlagen noch ausstehen.",
        required=False,
    )

    def require_confirmation_while_waiting(self, waiting: bool) -> None:
        """A case waiting for the citizen's documents is decided only on purpose."""
        if waiting:
            self.fields["decide_anyway"].required = True
            self.fields["decide_anyway"].error_messages["required"] = (
                "Der Vorgang wartet auf nachgeforderte Unterlagen. Bestätigen Sie, dass Sie "
                "trotzdem jetzt entscheiden wollen."
            )
        else:
            del self.fields["decide_anyway"]


def _clerks_of(app):
    ids = StaffRole.objects.filter(
        municipality=app.municipality, role=Role.CLERK, office=app.service.office
    ).values_list("user_id", flat=True)
    return User.objects.filter(pk__in=ids).order_by("last_name", "email")


def _forms(app, data=None, which=None):
    def bound(name, cls, **kw):
        return cls(data if which == name else None, prefix=name, **kw)

    status = bound("status", StatusForm)
    status.fields["status"].choices = app.form.statuses()
    status.initial = {"status": app.case_status, "notify": True}
    assign = bound("assign", AssignForm)
    assign.fields["assignee"].choices = [("", "Niemand")] + [
        (str(u.pk), str(u)) for u in _clerks_of(app)
    ]
    assign.initial = {"assignee": str(app.assignee_id or "")}
    due = bound("due", DueForm)
    due.initial = {"due_date": app.due_date}
    decision = bound("decision", DecisionForm)
    decision.require_confirmation_while_waiting(app.case_status == cases.REQUEST_STATUS)
    return {
        "note_form": bound("note", NoteForm),
        "status_form": status,
        "assign_form": assign,
        "due_form": due,
        "request_form": bound("request", RequestForm),
        "message_form": bound("message", MessageForm),
        "decision_form": decision,
    }


@clerk_required
def case_detail(request, reference):
    app = _get_case(request, reference)
    audit.record_access(request, "applications.case_viewed", app)
    cases.mark_replies_read(app)
    context = {
        "app": app,
        "answers": formengine.answers(app.form.schema, app.data),
        "events": app.case_events.select_related("actor"),
        "submission_events": app.submission_events.all(),
        "payments": app.payments.prefetch_related("events"),
        "uploads": app.uploads.all(),
        "messages_": app.messages.select_related("sender").prefetch_related("attachments"),
        "today": timezone.localdate(),
        "paid": app.is_paid,
        "waiting_for_citizen": app.case_status == cases.REQUEST_STATUS,
    }
    context.update(_forms(app))
    return render(request, "applications/clerk/case.html", context)


@clerk_required
@require_POST
def case_action(request, reference, action):
    app = _get_case(request, reference)
    handlers = {
        "note": _do_note,
        "status": _do_status,
        "assign": _do_assign,
        "due": _do_due,
        "request": _do_request,
        "message": _do_message,
        "decision": _do_decision,
    }
    if action not in handlers:
        raise Http404
    forms_ = _forms(app, request.POST, action)
    form = forms_[f"{action}_form"]
    if form.is_valid():
        try:
            handlers[action](request, app, form.cleaned_data)
        except services.ApplicationError as exc:
            messages.error(request, str(exc))
        return redirect("applications:case", app.reference)
    context = {
        "app": app,
        "answers": formengine.answers(app.form.schema, app.data),
        "events": app.case_events.select_related("actor"),
        "submission_events": app.submission_events.all(),
        "payments": app.payments.prefetch_related("events"),
        "uploads": app.uploads.all(),
        "messages_": app.messages.select_related("sender").prefetch_related("attachments"),
        "today": timezone.localdate(),
        "paid": app.is_paid,
        "waiting_for_citizen": app.case_status == cases.REQUEST_STATUS,
        "error_form": form,
        **forms_,
    }
    return render(request, "applications/clerk/case.html", context, status=400)


def _do_note(request, app, data):
    cases.add_note(app, data["text"], actor=request.user)
    messages.success(request, "Notiz gespeichert.")


def _do_status(request, app, data):
    cases.change_status(app, data["status"], actor=request.user, notify=data["notify"])
    messages.success(request, "Bearbeitungsstand geändert.")


def _do_assign(request, app, data):
    assignee = None
    if data["assignee"]:
        assignee = _clerks_of(app).filter(pk=data["assignee"]).first()
        if assignee is None:
            raise PermissionDenied
    cases.assign(app, assignee, actor=request.user)
    messages.success(request, "Zuständigkeit gespeichert.")


def _do_due(request, app, data):
    cases.set_due_date(app, data["due_date"], actor=request.user)
    messages.success(request, "Frist gespeichert.")


def _do_request(request, app, data):
    cases.request_documents(app, data["text"], actor=request.user)
    messages.success(request, "Nachforderung an das Postfach gesendet.")


def _do_message(request, app, data):
    cases.send_message(app, data["subject"], data["body"], actor=request.user)
    messages.success(request, "Nachricht an das Postfach gesendet.")


def _do_decision(request, app, data):
    if not app.is_paid:
        raise services.ApplicationError("Die Gebühr ist noch nicht bezahlt.")
    cases.decide(app, data["outcome"], data["text"], actor=request.user)
    messages.success(request, "Bescheid erstellt und in das Postfach zugestellt.")


@clerk_required
@require_POST
def ready_for_pickup(request, reference):
    """The document is ready: one mail with the pick-up link (ADR 0029); twice is once."""
    app = _get_case(request, reference)
    try:
        sent = services.mark_ready_for_pickup(app, actor=request.user)
    except services.ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "Als abholbereit gemeldet; die E-Mail mit dem Abhollink ist unterwegs."
            if sent
            else "Dieser Vorgang war schon als abholbereit gemeldet.",
        )
    return redirect("applications:case", app.reference)


@clerk_required
def my_assign(request, reference):
    """Quick action from the inbox: take over a case."""
    if request.method != "POST":
        raise Http404
    app = _get_case(request, reference)
    cases.assign(app, request.user, actor=request.user)
    messages.success(request, f"{app.reference} ist Ihnen zugewiesen.")
    return redirect("applications:inbox")
