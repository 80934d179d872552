"""Uploaded files live as long as their row: deleted with it, orphans swept.

A ``post_delete`` handler (connected for every model with a file field) removes the
file once the transaction commits, so a rolled-back delete keeps its file. Files
that no row names any more (a crash between write and commit, an old replaced
upload) are removed by the orphan sweep, a retention job (``core.privacy``).
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete

log = logging.getLogger(__name__)

#: Files younger than this are never swept: their row may not be committed yet.
ORPHAN_GRACE = timedelta(days=1)


def file_fields() -> list[tuple[type[models.Model], str]]:
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                found.append((model, field.name))
    return found


def _delete_files(sender, instance, **kwargs):
    for field in sender._meta.get_fields():
        if not isinstance(field, models.FileField):
            continue
        stored = getattr(instance, field.name)
        if stored and stored.name:
            transaction.on_commit(partial(stored.storage.delete, stored.name))


def connect() -> None:
    """Called from ``CoreConfig.ready``: every model with a file field deletes its files."""
    for model in {model for model, _ in file_fields()}:
        post_delete.connect(_delete_files, sender=model, dispatch_uid=f"files:{model._meta.label}")


def referenced_names() -> set[str]:
    names: set[str] = set()
    for model, field in file_fields():
        values = model._default_manager.exclude(**{field: ""}).values_list(field, flat=True)
        names.update(v for v in values if v)
    return names


def sweep_orphans(now: datetime) -> int:
    """Delete files under MEDIA_ROOT that no row names and that are older than a day."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return 0
    known = referenced_names()
    cutoff = (now - ORPHAN_GRACE).timestamp()
    removed = 0
    for path in root.rglob("*"):
        if not path.is_file() or path.stat().st_mtime >= cutoff:
            continue
        name = path.relative_to(root).as_posix()
        if name in known:
            continue
        try:
            os.remove(path)
            removed += 1
        except OSError as exc:  # a file we cannot delete is reported, not fatal
            log.warning("orphan file %s not deleted: %s", name, exc)
    return removed
