"""The staff "Betrieb" page: is the background work keeping up?

Administrators of a municipality see the installation's figures (queue backlog, the
scheduler's last runs, e-mails waiting for a retry). The task queue is shared by all
towns of an installation and its rows carry citizens' addresses, so the list of
failed tasks (without their arguments) and the retry button are for installation
superusers (operators) only.
"""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from .. import audit
from ..forms import KernFormMixin
from ..models import Role
from ..parsing import ParseError, clean_text
from ..permissions import role_required
from . import modes, queue
from .models import PeriodicJobRun, ServiceMode


@role_required(Role.ADMINISTRATOR)
def operations(request):
    is_operator = request.user.is_superuser
    failed = queue.failed_tasks()[:50] if is_operator else []
    age = queue.oldest_ready_age_seconds()
    context = {
        "counts": queue.counts(),
        "due": queue.due().count(),
        "oldest_due_minutes": round(age / 60, 1) if age is not None else None,
        "mail_retrying": queue.mail_retrying().count(),
        "mail_failed": queue.mail_failed().count(),
        "job_runs": PeriodicJobRun.objects.all(),
        "is_operator": is_operator,
        "failed": [_describe(row) for row in failed],
        "now": timezone.now(),
    }
    return render(request, "core/operations.html", context)


def _describe(row) -> dict:
    return {
        "id": row.pk,
        "name": ".".join(row.task_path.split(".")[-3:]),
        "enqueued_at": row.enqueued_at,
        "finished_at": row.finished_at,
        "attempts": len(row.worker_ids),
        "error": row.exception_class_path,
    }


@require_POST
@role_required(Role.ADMINISTRATOR)
def retry_task(request, task_id):
    if not request.user.is_superuser:
        raise PermissionDenied(_("Nur der Betrieb der Installation darf Aufgaben wiederholen."))
    try:
        key = uuid.UUID(task_id)
    except ValueError:
        raise Http404 from None
    with transaction.atomic():
        row = queue.failed_tasks().select_for_update().filter(pk=key).first()
        if row is None:
            raise Http404
        queue.retry_failed(row.pk)
        audit.record("core.task_retried", row, actor=request.user, data={"task": row.task_path})
    messages.success(request, _("Die Aufgabe wurde erneut eingeplant."))
    return redirect("core:operations")


# --- incident and maintenance mode ------------------------------------------------


class ServiceModeForm(KernFormMixin, forms.Form):
    mode = forms.ChoiceField(label=_lazy("Betriebsart"), choices=ServiceMode.Mode.choices)
    notice = forms.CharField(
        label=_lazy("Hinweis auf jeder Seite"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    alternatives = forms.CharField(
        label=_lazy("Wege ohne Online-Dienst"),
        help_text=_lazy("Telefonnummern, offene Sprechzeiten, wo Anträge abgegeben werden können"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean(self):
        data = super().clean()
        for name in ("notice", "alternatives"):
            try:
                data[name] = clean_text(data.get(name, ""), name, max_length=4000, multiline=True)
            except ParseError as error:
                self.add_error(name, error.reason)
        if data.get("mode") == ServiceMode.Mode.INCIDENT and not data.get("alternatives"):
            self.add_error(
                "alternatives",
                _("Bitte nennen Sie im Störungsbetrieb, wie Bürgerinnen und Bürger Sie erreichen."),
            )
        return data


@role_required(Role.ADMINISTRATOR)
def service_mode(request):
    row = ServiceMode.objects.filter(municipality=request.municipality).first()
    initial = (
        {"mode": row.mode, "notice": row.notice, "alternatives": row.alternatives} if row else {}
    )
    form = ServiceModeForm(request.POST or None, initial=initial or {"mode": "normal"})
    if request.method == "POST" and form.is_valid():
        modes.set_mode(request.municipality, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Die Betriebsart wurde gespeichert."))
        return redirect("core:service_mode")
    return render(request, "core/service_mode_form.html", {"form": form})


def notice(request):
    return render(request, "core/notice.html", {"mode_row": request.service_mode})
