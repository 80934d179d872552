"""Citizen pages: start, steps, check answers, submit, pay, confirmation, Postfach, account."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from rathaus.catalog import satisfaction
from rathaus.catalog.models import SatisfactionChannel, Service
from rathaus.core import audit, uploads
from rathaus.core.forms import KernForm
from rathaus.core.parsing import ParseError, parse_int
from rathaus.core.ratelimit import ratelimit

from . import cases, formengine, formgroups, payments, services
from .models import Application, FormDefinition, Message, Upload
from .validators import check_upload

GUEST_KEYS = "applications_guest_keys"


def _published_forms(municipality):
    return (
        FormDefinition.objects.for_municipality(municipality)
        .filter(state=FormDefinition.State.PUBLISHED, service__is_published=True)
        .select_related("service")
        .order_by("service__name")
    )


def index(request):
    forms_ = _published_forms(request.municipality)
    mine = []
    if request.user.is_authenticated:
        mine = (
            Application.objects.for_municipality(request.municipality)
            .filter(applicant=request.user)
            .select_related("service", "form")[:20]
        )
    return render(request, "applications/index.html", {"forms": forms_, "mine": mine})


def _get_application(request, key) -> Application:
    """The citizen's own application, or the guest's from this browser session; else 404."""
    app = get_object_or_404(
        Application.objects.for_municipality(request.municipality).select_related(
            "form", "service", "service__office"
        ),
        key=key,
    )
    if app.applicant_id:
        if not request.user.is_authenticated or app.applicant_id != request.user.pk:
            raise Http404
    elif str(app.key) not in request.session.get(GUEST_KEYS, []):
        raise Http404
    return app


class GuestForm(KernForm):
    email = forms.EmailField(
        label=_("E-Mail-Adresse"),
        help_text=_("Hierhin senden wir die Eingangsbestätigung und den Bescheid."),
    )


def start(request, slug):
    service = get_object_or_404(
        Service.objects.for_municipality(request.municipality).filter(is_published=True), slug=slug
    )
    form_def = services.published_form(service)
    if form_def is None:
        raise Http404
    guest_form = GuestForm(request.POST or None) if form_def.guest_allowed else None
    if request.method == "POST":
        app = None
        if request.user.is_authenticated:
            app = services.start_draft(form_def, user=request.user)
        elif guest_form is not None and guest_form.is_valid():
            app = services.start_draft(form_def, guest_email=guest_form.cleaned_data["email"])
            request.session[GUEST_KEYS] = [*request.session.get(GUEST_KEYS, []), str(app.key)]
        if app is not None:
            first = formengine.visible_steps(form_def.schema, app.data)[0]["key"]
            return redirect("applications:step", app.key, first)
    drafts = []
    if request.user.is_authenticated:
        drafts = Application.objects.for_municipality(request.municipality).filter(
            applicant=request.user, service=service, state=Application.State.DRAFT
        )
    return render(
        request,
        "applications/start.html",
        {
            "service": service,
            "form_def": form_def,
            "guest_form": guest_form,
            "fees": services.fee_schedule(service),
            "drafts": drafts,
        },
    )


def _step_nav(schema, data, key):
    visible = formengine.visible_steps(schema, data)
    keys = [s["key"] for s in visible]
    index = keys.index(key)
    return visible, index


def step(request, key, step_key):
    app = _get_application(request, key)
    if not app.is_draft:
        return redirect("applications:detail", app.key)
    schema = app.form.schema
    step_def = formengine.find_step(schema, step_key)
    if step_def is None or not formengine.rule_holds(step_def.get("show_if"), app.data):
        raise Http404
    visible, index = _step_nav(schema, app.data, step_key)
    uploads = {n for n, v in app.data.items() if isinstance(v, dict) and "upload" in v}
    initial = formengine.initial_for(step_def, app.data, request.user)
    status = ""
    if request.method == "POST":
        try:  # a group's row count and the add/remove buttons are parsed like any parameter
            action = formgroups.action(step_def, request.POST)
            form = formengine.StepForm(
                step_def, app.data, request.POST, request.FILES, initial=initial, has_upload=uploads
            )
        except ParseError as error:
            return render(
                request, "core/error.html", {"status": 400, "message": error.reason}, status=400
            )
        if action is not None:  # add or remove a row: show the step again, nothing is saved
            form, status = _regroup(form, action, step_def, app.data, uploads)
        elif form.is_valid():
            try:
                services.save_step(app, step_key, form, user=request.user)
            except services.ApplicationError:  # submitted meanwhile (another tab)
                return redirect("applications:detail", app.key)
            if "save_draft" in request.POST:
                messages.success(
                    request,
                    "Ihr Entwurf ist gespeichert. Sie finden ihn unter „Meine Anträge“.",
                )
                return redirect("applications:index")
            return redirect(_next_url(app, step_key))
    else:
        form = formengine.StepForm(step_def, app.data, initial=initial, has_upload=uploads)
    back = (
        reverse("applications:step", args=[app.key, visible[index - 1]["key"]])
        if index
        else reverse("applications:start", args=[app.service.slug])
    )
    return render(
        request,
        "applications/step.html",
        {
            "app": app,
            "step": step_def,
            "form": form,
            "number": index + 1,
            "total": len(visible),
            "back": back,
            "multipart": any(f["type"] == "file" for f in step_def.get("fields", [])),
            "group_status": status,
        },
    )


def _regroup(form, action, step_def, known, uploads):
    """The step again with one row more or less; what was typed stays, nothing is saved.

    The new (or the following) row's first input gets ``autofocus`` – which works without
    JavaScript and after htmx's swap alike."""
    kind, spec, index = action
    initial = {}
    for name, field_spec in form.specs.items():
        if formgroups.is_group(field_spec):
            initial[name] = form._raw_rows(name)
        elif field_spec["type"] != "file":
            initial[name] = form._raw_value(name)
    rows = initial[spec["name"]]
    low, high = formgroups.bounds(spec)
    if kind == "add" and len(rows) < high:
        rows.append({})
        focus, status = len(rows) - 1, _("%(row)s hinzugefügt.")
    elif kind == "remove" and len(rows) > low and index is not None:
        removed = formgroups.row_title(spec, index)
        del rows[index]
        focus, status = min(index, len(rows) - 1), _("%(removed)s entfernt.")
        status = status % {"removed": removed}
    else:
        focus, status = None, _("Die Zahl der Einträge kann nicht weiter geändert werden.")
    if kind == "add" and focus is not None:
        status = status % {"row": formgroups.row_title(spec, focus)}
    new_form = formengine.StepForm(step_def, known, initial=initial, has_upload=uploads)
    if focus is not None and focus >= 0:
        first = formgroups.input_name(spec["name"], focus, spec["fields"][0]["name"])
        new_form.fields[first].widget.attrs["autofocus"] = True
    return new_form, status


def _next_url(app, step_key):
    app.refresh_from_db()
    visible = formengine.visible_steps(app.form.schema, app.data)
    keys = [s["key"] for s in visible]
    done = set(app.data.get("_steps_done", []))
    after = keys[keys.index(step_key) + 1 :] if step_key in keys else keys
    for key in after:
        if key not in done:
            return reverse("applications:step", args=[app.key, key])
    return reverse("applications:check", args=[app.key])


def check(request, key):
    app = _get_application(request, key)
    if not app.is_draft:
        return redirect("applications:detail", app.key)
    missing = formengine.missing_steps(app.form.schema, app.data)
    if missing:
        return redirect("applications:step", app.key, missing[0])
    return render(
        request,
        "applications/check.html",
        {"app": app, "answers": formengine.answers(app.form.schema, app.data)},
    )


@require_POST
def submit(request, key):
    """Submit; repeated POSTs (double click, retry) land on the same application."""
    app = _get_application(request, key)
    try:
        # The amount the check page showed; the submission is refused if it differs.
        shown = parse_int(request.POST.get("fee_cents"), "fee_cents", minimum=0)
    except ParseError:
        shown = None  # not from the check page: the fee is still computed from the answers
    try:
        app, _created = services.submit(app, user=request.user, shown_fee_cents=shown)
    except services.ApplicationError as exc:
        messages.error(request, str(exc))
        return redirect("applications:check", app.key)
    if app.fee_cents and not app.is_paid:
        return redirect("applications:pay", app.key)
    return redirect("applications:confirmation", app.key)


def pay(request, key):
    app = _get_application(request, key)
    if app.is_draft:
        return redirect("applications:check", app.key)
    if app.is_paid:
        return redirect("applications:confirmation", app.key)
    if request.method == "POST":
        try:
            payment = payments.start_payment(
                app,
                return_url=request.build_absolute_uri(
                    reverse("applications:pay_return", args=[app.key])
                ),
                webhook_url=request.build_absolute_uri(
                    reverse("applications:payment_webhook", args=["demo"])
                ),
            )
        except payments.PaymentUnavailable:
            messages.error(
                request,
                "Die Online-Zahlung ist derzeit nicht eingerichtet. Ihr Antrag ist eingegangen; "
                "die Gebühr wird Ihnen gesondert mitgeteilt.",
            )
            return render(request, "applications/pay.html", {"app": app, "payment": None})
        if payment is None:
            return redirect("applications:confirmation", app.key)
        return redirect(payment.next_url)
    return render(request, "applications/pay.html", {"app": app, "payment": app.latest_payment()})


def pay_return(request, key):
    app = _get_application(request, key)
    payment = app.latest_payment()
    if payment is None:
        return redirect("applications:pay", app.key)
    payment = payments.sync_from_provider(payment)
    if payment.status == payment.Status.SUCCESS:
        return redirect("applications:confirmation", app.key)
    return render(request, "applications/pay.html", {"app": app, "payment": payment})


@csrf_exempt
@require_POST
def payment_webhook(request, provider):
    try:
        payments.handle_webhook(provider, request.body, request.headers)
    except payments.WebhookRejected:
        return HttpResponseBadRequest("rejected")
    except KeyError:
        raise Http404 from None
    return HttpResponse("ok")


def confirmation(request, key):
    app = _get_application(request, key)
    if app.is_draft:
        return redirect("applications:check", app.key)
    return render(
        request,
        "applications/confirmation.html",
        {
            "app": app,
            "satisfaction": satisfaction.question(
                app.service, SatisfactionChannel.APPLICATION, str(app.pk)
            ),
        },
    )


def detail(request, key):
    app = _get_application(request, key)
    if app.is_draft:
        return redirect("applications:check", app.key)
    events = app.case_events.filter(internal=False)
    return render(
        request,
        "applications/detail.html",
        {
            "app": app,
            "events": events,
            "answers": formengine.answers(app.form.schema, app.data),
            "payment": app.latest_payment(),
            "messages_": app.messages.all(),
            "notices": app.uploads.filter(is_notice=True),
            # After a closed case, the short question once more (ADR 0018).
            "satisfaction": (
                satisfaction.question(app.service, SatisfactionChannel.CASE, str(app.pk))
                if app.is_closed
                else None
            ),
        },
    )


@require_POST
def discard_draft(request, key):
    app = _get_application(request, key)
    if services.discard_draft(app, user=request.user):
        messages.success(request, "Der Entwurf wurde gelöscht.")
    return redirect("applications:index")


# --- Postfach -------------------------------------------------------------------------


@login_required
def mailbox(request):
    items = (
        Message.objects.for_municipality(request.municipality)
        .filter(recipient=request.user)
        .select_related("application")
    )
    return render(request, "applications/postfach/list.html", {"items": items})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input, each checked by magic bytes and size."""

    allowed = ["application/pdf", "image/jpeg", "image/png"]
    max_bytes = 10 * 1024 * 1024

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(self.allowed)}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > 10:
            raise forms.ValidationError("Bitte höchstens 10 Dateien auf einmal hochladen.")
        cleaned = [super(MultipleFileField, self).clean(f, initial) for f in files]
        for uploaded in cleaned:
            uploaded.detected_type = check_upload(uploaded, self.allowed, self.max_bytes)
        return cleaned


class ReplyForm(KernForm):
    body = forms.CharField(
        label="Ihre Nachricht",
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
    )
    files = MultipleFileField(
        label="Dateien anhängen",
        required=False,
        help_text="PDF, JPEG oder PNG, je höchstens 10 MB. Mehrere Dateien möglich.",
    )


@login_required
def message_detail(request, pk):
    message = get_object_or_404(
        Message.objects.for_municipality(request.municipality).select_related("application"),
        pk=pk,
        recipient=request.user,
    )
    cases.mark_read(message)
    form = ReplyForm(request.POST or None, request.FILES or None)
    app = message.application
    if request.method == "POST" and app is not None and form.is_valid():
        try:
            cases.citizen_reply(
                app, form.cleaned_data["body"], form.cleaned_data["files"], user=request.user
            )
        except services.ApplicationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Ihre Antwort wurde gesendet.")
            return redirect("applications:mailbox")
    return render(
        request,
        "applications/postfach/detail.html",
        {"message": message, "form": form, "thread": app.messages.all() if app else []},
    )


def download(request, pk):
    """A file of one's own application (citizen) – clerks use the case view's link."""
    upload = get_object_or_404(
        Upload.objects.select_related("application").filter(
            application__municipality=request.municipality
        ),
        pk=pk,
    )
    from .clerk import can_handle

    app = upload.application
    if not can_handle(request.user, request.municipality, app):
        _get_application(request, app.key)  # raises 404 unless it is the citizen's own
    elif app.applicant_id != request.user.pk:
        audit.record_access(request, "applications.file_downloaded", upload)
    response = FileResponse(
        upload.file.open("rb"),
        content_type=upload.content_type,
        as_attachment=True,
        filename=upload.original_name,
    )
    uploads.serve_headers(response, upload.content_type, upload.original_name, inline=False)
    return response


# --- account ----------------------------------------------------------------------------


@login_required
def account(request):
    from .models import OidcIdentity, TotpDevice

    device = TotpDevice.objects.filter(user=request.user, confirmed=True).first()
    return render(
        request,
        "applications/konto/account.html",
        {
            "two_factor": device is not None,
            "recovery_left": request.user.recovery_codes.filter(used_at__isnull=True).count(),
            "identities": OidcIdentity.objects.filter(user=request.user),
            "unread": Message.objects.for_municipality(request.municipality)
            .filter(recipient=request.user, read_at__isnull=True)
            .count(),
        },
    )


ratelimited_submit = ratelimit("applications-submit", 30)(submit)
