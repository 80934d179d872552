"""Retention: personal data goes after the period, figures stay; drafts expire."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from rathaus.applications import cases, services
from rathaus.applications.models import Application, Message, Upload
from rathaus.core.retention import rules

from .helpers import fill_parking

pytestmark = pytest.mark.django_db


def test_retention_anonymises_closed_cases_after_the_period(client_a, citizen, parking, clerk_a):
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    app.refresh_from_db()
    cases.change_status(app, "abgeschlossen", actor=clerk_a)
    assert services.apply_retention() == 0  # not yet due
    later = timezone.now() + timedelta(days=app.form.retention_days + 1)
    assert services.apply_retention(now=later) == 1
    app.refresh_from_db()
    assert app.data == {} and app.applicant is None and app.anonymised_at
    assert app.reference and app.service == parking and app.submitted_at  # figures stay
    assert not Upload.objects.filter(application=app).exists()
    assert not Message.objects.filter(application=app).exists()
    assert app.case_events.filter(kind="anonymised").count() == 1
    assert services.apply_retention(now=later) == 0  # idempotent
    client_a.force_login(clerk_a)
    page = client_a.get(f"/antraege/verwaltung/vorgang/{app.reference}/").content.decode()
    assert "Daten gelöscht" in page and "P-AB 123" not in page


def test_open_cases_are_kept(client_a, citizen, parking):
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    assert services.apply_retention(now=timezone.now() + timedelta(days=5000)) == 0


def test_stale_drafts_are_deleted_by_the_periodic_job(client_a, citizen, parking):
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    Application.objects.filter(pk=app.pk).update(updated_at=timezone.now() - timedelta(days=31))
    retention = next(rule for rule in rules() if rule.key == "applications.drafts")
    assert retention.run(timezone.now() - timedelta(days=2)) == 0  # clock before the period
    assert retention.run() == 1
    assert not Application.objects.filter(pk=app.pk).exists()


def test_anonymisation_clears_notes_decision_texts_and_files_on_disk(
    client_a, citizen, parking, clerk_a
):
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    app.refresh_from_db()
    paths = [upload.file.path for upload in app.uploads.all()]
    assert paths and all(Path(p).exists() for p in paths)
    cases.add_note(app, "Frau Mustermann rief an, Sohn Max zieht aus", actor=clerk_a)
    cases.decide(app, "approved", "Genehmigt für Erika Mustermann, Musterweg 1", actor=clerk_a)
    cases.change_status(app, "abgeschlossen", actor=clerk_a)
    row = next(rule for rule in rules() if rule.key == "applications.cases")
    assert row.run(timezone.now() + timedelta(days=app.form.retention_days - 1)) == 0
    assert row.run(timezone.now() + timedelta(days=app.form.retention_days + 1)) == 1
    texts = " ".join(app.case_events.values_list("text", flat=True))
    assert "Mustermann" not in texts and "Max" not in texts
    assert not any(Path(p).exists() for p in paths)


def test_case_mail_tasks_carry_ids_and_skip_anonymised_cases(
    client_a, citizen, parking, clerk_a, settings
):
    from django.core import mail
    from django_tasks_db.models import DBTaskResult

    from rathaus.applications.tasks import send_case_mail

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    app.refresh_from_db()
    cases.change_status(app, "abgeschlossen", actor=clerk_a)
    rows = list(DBTaskResult.objects.values_list("task_path", "args_kwargs"))
    assert rows and all(citizen.email not in str(args) for _, args in rows)
    assert any("send_case_mail" in path for path, _ in rows)
    services.anonymise(app)
    mail.outbox.clear()
    send_case_mail.call(app.pk, "submitted")  # what the worker would run now
    assert mail.outbox == []


def test_unactivated_registrations_are_deleted_after_a_week(db):
    from rathaus.core.models import User

    pending = User.objects.create_user("neu@example.org", "geheim-123!", is_active=False)
    active = User.objects.create_user("aktiv@example.org", "geheim-123!")
    row = next(rule for rule in rules() if rule.key == "applications.unactivated_accounts")
    assert row.run(timezone.now() + timedelta(days=6)) == 0
    assert row.run(timezone.now() + timedelta(days=8)) == 1
    assert not User.objects.filter(pk=pending.pk).exists()
    assert User.objects.filter(pk=active.pk).exists()


def _queued_args():
    from django_tasks_db.models import DBTaskResult

    return [
        (path, str(args))
        for path, args in DBTaskResult.objects.values_list("task_path", "args_kwargs")
    ]


def _run_queued():
    from django.utils.module_loading import import_string
    from django_tasks_db.models import DBTaskResult

    for path, args in DBTaskResult.objects.values_list("task_path", "args_kwargs"):
        import_string(path).call(*args["args"], **args["kwargs"])
    DBTaskResult.objects.all().delete()


EMAIL_RE = r"[\w.+-]+@[\w-]+(\.[\w-]+)+"


def test_guest_notice_and_account_deletion_tasks_carry_ids(
    client_a, town_a, bulky, citizen, settings
):
    """Issue 17: a guest's notice and the confirmation of a deleted account are queued
    with row ids only; the mails still reach the addresses when the tasks run."""
    import re

    from django.core import mail

    from rathaus.core.models import HeldMail, Role
    from tests.conftest import make_staff

    from .test_catalog_link import submit_as_guest

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    app = submit_as_guest(client_a)
    clerk = make_staff(town_a, "umwelt@a.test", Role.CLERK, office=bulky.office)
    cases.decide(app, "approved", "Abholung am gewünschten Tag.", actor=clerk)
    cases.send_message(app, "Rückfrage", "Bitte rufen Sie Herrn Gast an.", actor=clerk)
    rows = _queued_args()
    assert any("send_guest_message" in path for path, _ in rows)
    for path, args in rows:
        assert not re.search(EMAIL_RE, args), f"{path}: {args}"
        assert "Herrn Gast" not in args
    mail.outbox.clear()
    _run_queued()
    guest_mails = [m for m in mail.outbox if m.to == ["gast@example.org"]]
    assert any(m.attachments and m.attachments[0][0].startswith("Bescheid-") for m in guest_mails)
    assert any("Herrn Gast" in m.body and app.reference in m.body for m in guest_mails)

    client_a.force_login(citizen)
    address = citizen.email
    assert client_a.post("/antraege/konto/loeschen/", {"confirm": "on"}).status_code == 302
    rows = _queued_args()
    assert rows and not any(re.search(EMAIL_RE, args) for _, args in rows), rows
    assert HeldMail.objects.count() == 1
    mail.outbox.clear()
    _run_queued()
    assert [m.to for m in mail.outbox] == [[address]] and "gelöscht" in mail.outbox[0].subject
    assert not HeldMail.objects.exists()
