"""The retention registry: the doc and the notice follow the code; the core rows' jobs
(sessions, audit log, task rows, orphan files) run with a moved clock."""

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from rathaus.core import audit, files
from rathaus.core.models import AuditEntry, Role
from rathaus.core.retention import document_with_table, rules

from ..conftest import make_staff

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def _rule(key):
    return next(rule for rule in rules() if rule.key == key)


def test_docs_privacy_table_matches_the_registry():
    call_command("privacy_doc", "--check")  # fails when a row changed without the doc
    text = DOC.read_text(encoding="utf-8")
    assert document_with_table(text) == text


def test_every_row_is_complete_unique_and_a_periodic_job():
    from rathaus.core.periodic import discover

    keys = [rule.key for rule in rules()]
    assert len(keys) == len(set(keys))
    names = [job.name for job in discover()]
    assert len(names) == len(set(names))  # no retention job runs twice under two names
    jobs = set(names)
    for rule in rules():
        assert rule.key in jobs
        assert all([rule.record, rule.purpose, rule.legal_basis, rule.period_text(), rule.action])
    areas = {rule.key.split(".")[0] for rule in rules()}
    assert {"core", "appointments", "onsite", "applications", "council"} <= areas
    assert {"participation", "assistant"} <= areas


def test_notice_lists_every_row_and_the_towns_dpo(client_a, town_a):
    town_a.dpo_name = "Dr. Datenschutz"
    town_a.dpo_email = "dsb@a.test"
    town_a.save()
    page = client_a.get("/datenschutz/").content.decode()
    assert "Dr. Datenschutz" in page and "dsb@a.test" in page
    for rule in rules():
        assert rule.purpose in page
    assert "2 Stunden" in page  # the assistant's raw text, as the job keeps it
    assert "keine Dienste Dritter" not in page


def test_processing_record_csv_for_administrators_only(client_a, town_a):
    admin = make_staff(town_a, "admin@a.test", Role.ADMINISTRATOR)
    clerk = make_staff(town_a, "clerk@a.test", Role.CLERK)
    client_a.force_login(clerk)
    assert client_a.get("/verwaltung/verarbeitungen.csv").status_code == 403
    client_a.force_login(admin)
    response = client_a.get("/verwaltung/verarbeitungen.csv")
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert "Musterstadt-A" in body
    assert body.count("\n") >= len(rules()) + 4
    pdf = client_a.get("/verwaltung/verarbeitungen.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client_a.force_login(clerk)
    assert client_a.get("/verwaltung/verarbeitungen.pdf").status_code == 403


def test_expired_sessions_are_deleted():
    store = SessionStore()
    store["x"] = 1
    store.create()
    job = _rule("core.sessions")
    assert job.run(timezone.now()) == 0
    assert job.run(timezone.now() + timedelta(weeks=3)) == 1
    assert not Session.objects.exists()


def test_audit_entries_are_deleted_after_the_period(town_a, settings):
    settings.RATHAUS_AUDIT_RETENTION_DAYS = 365
    audit.record("test.old", town_a)
    job = _rule("core.audit_log")
    assert job.run(timezone.now() + timedelta(days=364)) == 0
    assert job.run(timezone.now() + timedelta(days=366)) == 1
    assert not AuditEntry.objects.filter(action="test.old").exists()


def test_finished_task_rows_are_deleted(settings):
    from django_tasks_db.models import DBTaskResult

    from rathaus.applications.tasks import send_email

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    send_email.enqueue("erika@example.org", "Betreff", "Text")
    row = DBTaskResult.objects.get()
    job = _rule("core.finished_tasks")
    assert job.run(timezone.now() + timedelta(days=30)) == 0  # not finished: kept
    DBTaskResult.objects.filter(pk=row.pk).update(status="SUCCESSFUL", finished_at=timezone.now())
    assert job.run(timezone.now() + timedelta(days=6)) == 0
    assert job.run(timezone.now() + timedelta(days=8)) == 1
    assert not DBTaskResult.objects.exists()


def test_file_is_deleted_with_its_row_after_commit(town_a, django_capture_on_commit_callbacks):
    town_a.logo.save("logo.png", ContentFile(b"png"))
    path = Path(town_a.logo.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        town_a.delete()
    assert not path.exists()


def test_orphan_files_are_swept_after_a_day(town_a, settings):
    town_a.logo.save("logo.png", ContentFile(b"png"))
    kept = Path(town_a.logo.path)
    orphan = Path(settings.MEDIA_ROOT) / "antraege" / "1" / "lost"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"personal")
    old = time.time() - 2 * 86400
    os.utime(orphan, (old, old))
    os.utime(kept, (old, old))
    job = _rule("core.orphan_files")
    assert job.run(timezone.now()) == 1
    assert kept.exists() and not orphan.exists()


def test_fresh_orphans_are_kept(settings):
    fresh = Path(settings.MEDIA_ROOT) / "fresh"
    fresh.parent.mkdir(parents=True, exist_ok=True)
    fresh.write_bytes(b"x")
    assert files.sweep_orphans(timezone.now()) == 0
    assert fresh.exists()


def test_uploads_are_not_world_readable(town_a, settings):
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o640
    town_a.logo.save("logo.png", ContentFile(b"png"))
    assert Path(town_a.logo.path).stat().st_mode & 0o007 == 0


def test_production_without_mail_configuration_refuses_to_send(settings):
    from django.core.exceptions import ImproperlyConfigured
    from django.core.mail import send_mail

    settings.EMAIL_BACKEND = "rathaus.core.mail.RefuseBackend"
    with pytest.raises(ImproperlyConfigured):
        send_mail("Link", "https://example.org/token", None, ["a@example.org"])


def test_settings_without_mail_configuration_choose_the_refusing_backend():
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"EMAIL_BACKEND", "DEBUG", "RATHAUS_TESTING", "RATHAUS_MODE"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "rathaus.settings"
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "rathaus.core.mail.RefuseBackend"


def test_login_records_are_deleted_after_the_period():
    from axes.models import AccessLog

    AccessLog.objects.create(username="erika@example.org", ip_address="192.0.2.1")
    job = _rule("core.login_records")
    assert job.run(timezone.now() + timedelta(days=29)) == 0
    assert job.run(timezone.now() + timedelta(days=31)) == 1
    assert not AccessLog.objects.exists()
