"""The form builder's staff pages (ADR 0036): the catalog editor of the town builds a
service's online form without JSON; works without JavaScript (plain POST forms).

Every page: login, the catalog editor role in the request's town, the service looked up
in that town only. Changes go through ``services_builder``; the preview renders the
draft with the citizen's own form renderer (``formengine.StepForm``, ``_field.html``)
and stores nothing but the preview answers in the staff member's session.
"""

from decimal import Decimal
from types import SimpleNamespace

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from rathaus.catalog import fee_rules
from rathaus.catalog.models import Service
from rathaus.core.models import Office, Role
from rathaus.core.parsing import ParseError, clean_text, parse_choice
from rathaus.core.permissions import role_required

from . import builder_forms, formengine
from . import services_builder as builder
from .models import FormDefinition, FormDraft

editor_required = role_required(Role.CATALOG_EDITOR)


def _service(request, slug) -> Service:
    return get_object_or_404(Service.objects.for_municipality(request.municipality), slug=slug)


def _draft(request, slug) -> FormDraft:
    service = _service(request, slug)
    draft = FormDraft.objects.filter(service=service).select_related("service").first()
    if draft is None:
        raise Http404
    return draft


def _errors(error: builder.BuilderError, form=None) -> list[str]:
    """A BuilderError's messages; those naming an input of ``form`` go to that input."""
    out = []
    for name, text in error.errors.items():
        if form is not None and name in form.fields:
            form.add_error(name, text)
        else:
            out.append(text)
    return out


@editor_required
def index(request):
    try:
        query = clean_text(request.GET.get("q"), "q", max_length=100)
    except ParseError as error:
        messages.error(request, error.reason)
        query = ""
    services = Service.objects.for_municipality(request.municipality).order_by("name")
    if query:
        services = services.filter(name__icontains=query)
    drafts = set(
        FormDraft.objects.for_municipality(request.municipality).values_list(
            "service_id", flat=True
        )
    )
    published = dict(
        FormDefinition.objects.for_municipality(request.municipality)
        .filter(state=FormDefinition.State.PUBLISHED)
        .values_list("service_id", "version")
    )
    rows = [
        {"service": s, "draft": s.pk in drafts, "version": published.get(s.pk)}
        for s in services[:200]
    ]
    rows.sort(key=lambda r: (not r["draft"], r["version"] is None, r["service"].name))
    return render(request, "applications/builder/index.html", {"rows": rows, "query": query})


@editor_required
@require_POST
def open_draft(request, slug):
    builder.open_draft(_service(request, slug), actor=request.user)
    return redirect("applications:builder", slug)


def _step_rows(record: dict) -> list[dict]:
    rows = []
    for step in builder.steps_of(record):
        rows.append(
            {
                "step": step,
                "condition": builder.describe_condition(step.get("show_if")),
                "fields": _field_rows(step),
            }
        )
    return rows


def _field_rows(step: dict) -> list[dict]:
    return [
        {
            "spec": f,
            "type_label": builder.type_label(f["type"]),
            "condition": builder.describe_condition(f.get("show_if")),
        }
        for f in step.get("fields", [])
    ]


@editor_required
def edit(request, slug):
    """The draft's overview: settings, steps and fields, fees, preview, publish."""
    draft = _draft(request, slug)
    offices = Office.objects.for_municipality(request.municipality).order_by("name")
    record = draft.record
    initial = {k: record.get(k) for k in builder.SETTINGS}
    initial["documents"] = "\n".join(record.get("documents") or [])
    settings_form = builder_forms.SettingsForm(
        request.POST if "save_settings" in request.POST else None, initial=initial, offices=offices
    )
    step_form = builder_forms.AddStepForm(request.POST if "add_step" in request.POST else None)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            if "save_settings" in request.POST and settings_form.is_valid():
                builder.update_settings(draft, settings_form.cleaned_data, actor=request.user)
                messages.success(request, "Die Einstellungen sind gespeichert.")
                return redirect("applications:builder", slug)
            if "add_step" in request.POST and step_form.is_valid():
                key = builder.add_step(
                    draft, step_form.cleaned_data["step_title"], actor=request.user
                )
                messages.success(request, "Der Schritt ist angelegt.")
                return redirect("applications:builder_step", slug, key)
        except builder.BuilderError as error:
            problems = _errors(error, settings_form if "save_settings" in request.POST else None)
        status = 400
    return render(
        request,
        "applications/builder/edit.html",
        {
            "draft": draft,
            "service": draft.service,
            "record": record,
            "settings_form": settings_form,
            "step_form": step_form,
            "steps": _step_rows(record),
            "fees": [
                {**f, "rule_text": builder.describe_fee_rule(f.get("rule"))}
                for f in record.get("fees") or []
            ],
            "problems": problems,
            "blockers": builder.problems(draft),
        },
        status=status,
    )


@editor_required
@require_POST
def action(request, slug):
    """Move or remove a step or a field (one button each, no JavaScript)."""
    draft = _draft(request, slug)
    try:
        verb = parse_choice(
            request.POST.get("action"),
            "action",
            ["step_up", "step_down", "step_remove", "field_up", "field_down", "field_remove"],
        )
        target = clean_text(request.POST.get("target"), "target", max_length=60, required=True)
    except ParseError as error:
        messages.error(request, error.reason)
        return redirect("applications:builder", slug)
    kind, _sep, what = verb.partition("_")
    back = request.POST.get("back") == "step"
    try:
        if kind == "step":
            if what == "remove":
                builder.remove_step(draft, target, actor=request.user)
            else:
                builder.move_step(draft, target, -1 if what == "up" else 1, actor=request.user)
        elif what == "remove":
            found = builder.find_field(draft.record, target)
            builder.remove_field(draft, target, actor=request.user)
            if back and found:
                return redirect("applications:builder_step", slug, found[0]["key"])
        else:
            builder.move_field(draft, target, -1 if what == "up" else 1, actor=request.user)
        messages.success(request, "Gespeichert.")
    except builder.BuilderError as error:
        for text in _errors(error):
            messages.error(request, text)
    if back and kind == "field":
        found = builder.find_field(draft.record, target)
        if found:
            return redirect(
                reverse("applications:builder_step", args=[slug, found[0]["key"]])
                + f"#feld-{target}"
            )
    anchor = f"#schritt-{target}" if kind == "step" else f"#feld-{target}"
    return redirect(reverse("applications:builder", args=[slug]) + anchor)


@editor_required
def step(request, slug, key):
    draft = _draft(request, slug)
    spec = builder.find_step(draft.record, key)
    if spec is None:
        raise Http404
    candidates = builder.fields_before(draft.record, key)
    initial = {
        "title": spec.get("title", ""),
        "intro": spec.get("intro", ""),
        **builder_forms.condition_initial(spec.get("show_if")),
    }
    form = builder_forms.StepForm(
        request.POST if "save_step" in request.POST else None,
        initial=initial,
        candidates=candidates,
    )
    add_form = builder_forms.AddFieldForm(request.POST if "add_field" in request.POST else None)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            if "save_step" in request.POST and form.is_valid():
                data = form.cleaned_data
                builder.update_step(
                    draft,
                    key,
                    title=data["title"],
                    intro=data["intro"],
                    show_if=data["show_if"],
                    actor=request.user,
                )
                messages.success(request, "Der Schritt ist gespeichert.")
                return redirect("applications:builder", slug)
            if "add_field" in request.POST and add_form.is_valid():
                name = builder.add_field(
                    draft,
                    key,
                    kind=add_form.cleaned_data["type"],
                    label=add_form.cleaned_data["label"],
                    actor=request.user,
                )
                messages.success(
                    request, "Das Feld ist angelegt. Legen Sie jetzt fest, was es fragt."
                )
                return redirect("applications:builder_field", slug, name)
        except builder.BuilderError as error:
            problems = _errors(error, form if "save_step" in request.POST else add_form)
        status = 400
    return render(
        request,
        "applications/builder/step.html",
        {
            "draft": draft,
            "service": draft.service,
            "spec": spec,
            "form": form,
            "add_form": add_form,
            "fields": _field_rows(spec),
            "candidates": candidates,
            "problems": problems,
        },
        status=status,
    )


@editor_required
def field(request, slug, name):
    draft = _draft(request, slug)
    found = builder.find_field(draft.record, name)
    if found is None:
        raise Http404
    step_spec, spec = found
    candidates = builder.fields_before(draft.record, step_spec["key"], name)
    form = builder_forms.FieldForm(
        request.POST if request.method == "POST" else None,
        initial=builder_forms.FieldForm.initial_for(spec),
        spec=spec,
        candidates=candidates,
    )
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                builder.update_field(draft, name, form.values(), actor=request.user)
                messages.success(request, "Das Feld ist gespeichert.")
                return redirect(
                    reverse("applications:builder_step", args=[slug, step_spec["key"]])
                    + f"#feld-{name}"
                )
            except builder.BuilderError as error:
                problems = _errors(error, form)
        status = 400
    return render(
        request,
        "applications/builder/field.html",
        {
            "draft": draft,
            "service": draft.service,
            "step": step_spec,
            "spec": spec,
            "type_label": builder.type_label(spec["type"]),
            "form": form,
            "candidates": candidates,
            "problems": problems,
        },
        status=status,
    )


@editor_required
def fees(request, slug):
    """The service's fee rows with their rules (applied to the catalog on publishing)."""
    draft = _draft(request, slug)
    rows = draft.record.get("fees") or []
    answers = builder.answer_specs(draft.record)
    numbers = [f for f in answers if f["type"] == "number"]
    too_complex = [
        f["label"] for f in rows if not builder_forms.FeeForm.representable(f.get("rule"))
    ]
    kwargs = {"answers": answers, "numbers": numbers}
    formset = builder_forms.FeeFormSet(
        request.POST if request.method == "POST" else None,
        initial=[builder_forms.FeeForm.initial_for(f) for f in rows],
        form_kwargs=kwargs,
        prefix="fee",
    )
    problems: list[str] = []
    status = 200
    if request.method == "POST" and not too_complex:
        if formset.is_valid():
            records = [
                f.record()
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("remove") and not f.is_blank()
            ]
            try:
                builder.set_fees(draft, records, actor=request.user)
                messages.success(request, "Die Gebühren sind gespeichert.")
                return redirect("applications:builder", slug)
            except builder.BuilderError as error:
                problems = list(error.errors.values())
        problems += [str(e) for e in formset.non_form_errors()]
        status = 400
    return render(
        request,
        "applications/builder/fees.html",
        {
            "draft": draft,
            "service": draft.service,
            "formset": formset,
            "answers": answers,
            "too_complex": too_complex,
            "problems": problems,
        },
        status=status,
    )


@editor_required
@require_POST
def publish(request, slug):
    draft = _draft(request, slug)
    try:
        form = builder.publish(draft, actor=request.user)
    except builder.BuilderError as error:
        for text in error.errors.values():
            messages.error(request, text)
        return redirect(reverse("applications:builder", args=[slug]) + "#veroeffentlichen")
    messages.success(
        request,
        f"Version {form.version} ist veröffentlicht. Laufende Anträge behalten ihre Version.",
    )
    return redirect("applications:builder_index")


@editor_required
@require_POST
def discard(request, slug):
    try:
        builder.discard_draft(_draft(request, slug), actor=request.user)
    except builder.BuilderError as error:
        messages.error(request, "; ".join(error.errors.values()))
        return redirect("applications:builder_index")
    messages.success(request, "Der Entwurf ist verworfen.")
    return redirect("applications:builder_index")


# --- preview as a citizen ------------------------------------------------------------------


def _preview_key(draft) -> str:
    return f"builder_preview_{draft.pk}"


def _fee_lines(draft, answers) -> tuple[list[dict], int | None]:
    rows = [
        SimpleNamespace(
            label=f["label"],
            amount=Decimal(f["amount"]),
            amount_max=Decimal(f["amount_max"]) if f.get("amount_max") else None,
            rule=f.get("rule") or {},
        )
        for f in draft.record.get("fees") or []
    ]
    try:
        lines = fee_rules.evaluate(rows, answers)
    except fee_rules.FeeRuleError:
        return [], None
    return [line.as_dict() for line in lines], fee_rules.total_cents(lines)


@editor_required
def preview(request, slug, key=None):
    """Fill the draft like a citizen: the same renderer, nothing stored but in the session."""
    draft = _draft(request, slug)
    schema = builder.schema_of(draft.record)
    store = request.session.get(_preview_key(draft), {})
    if request.GET.get("neu") == "1" and request.method == "GET":
        store = {}
        request.session[_preview_key(draft)] = store
    visible = formengine.visible_steps(schema, store)
    if key is None:
        return redirect("applications:builder_preview_step", slug, visible[0]["key"])
    spec = formengine.find_step(schema, key)
    if spec is None or spec not in visible:
        raise Http404
    index = visible.index(spec)
    posted = request.method == "POST"
    form = formengine.StepForm(
        spec,
        store,
        request.POST if posted else None,
        request.FILES if posted else None,
        initial=formengine.initial_for(spec, store, None),
    )
    if request.method == "POST" and form.is_valid():
        data = {**store, **form.json_data()}
        for name, field_spec in form.specs.items():
            uploaded = form.cleaned_data.get(name)
            if field_spec["type"] == "file" and uploaded:
                data[name] = {"name": uploaded.name[:200]}  # the file itself is not kept
        data["_steps_done"] = [k for k in data.get("_steps_done", []) if k != key] + [key]
        data = formengine.prune_hidden(schema, data)
        request.session[_preview_key(draft)] = data
        missing = formengine.missing_steps(schema, data)
        if missing:
            return redirect("applications:builder_preview_step", slug, missing[0])
        return redirect("applications:builder_preview_check", slug)
    return render(
        request,
        "applications/builder/preview.html",
        {
            "draft": draft,
            "service": draft.service,
            "step": spec,
            "form": form,
            "number": index + 1,
            "total": len(visible),
            "multipart": any(f["type"] == "file" for f in spec.get("fields", [])),
        },
        status=400 if request.method == "POST" else 200,
    )


@editor_required
def preview_check(request, slug):
    draft = _draft(request, slug)
    schema = builder.schema_of(draft.record)
    store = request.session.get(_preview_key(draft), {})
    missing = formengine.missing_steps(schema, store)
    if missing:
        return redirect("applications:builder_preview_step", slug, missing[0])
    lines, total = _fee_lines(draft, store)
    return render(
        request,
        "applications/builder/preview_check.html",
        {
            "draft": draft,
            "service": draft.service,
            "answers": formengine.answers(schema, store),
            "fee_lines": [{"label": x["label"], "euros": x["cents"] / 100} for x in lines],
            "fee_total": None if total is None else total / 100,
        },
    )
