"""The staff "Betrieb" page: is the background work keeping up?

Administrators of a municipality see the installation's figures (queue backlog, the
scheduler's last runs, e-mails waiting for a retry). The task queue is shared by all
towns of an installation and its rows carry citizens' addresses, so the list of
failed tasks (without their arguments) and the retry button are for installation
superusers (operators) only.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import audit
from ..models import Role
from ..permissions import role_required
from . import queue
from .models import PeriodicJobRun


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
