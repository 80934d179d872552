"""Operations (issue 20): request ids, JSON logs, health, readiness, metrics, the German
503 for a database that is down, task leases, retries and the recorded mail backend."""

import json
import logging
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import OperationalError
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rathaus.core import audit
from rathaus.core.models import AuditEntry
from rathaus.core.ops import health, logs, queue, requestid, unavailable
from rathaus.core.ops.models import SentMail
from rathaus.core.ops.requestid import RequestIdMiddleware

# --- request id -------------------------------------------------------------------


def test_every_answer_has_a_request_id_and_a_proxy_id_is_kept(client_a):
    fresh = client_a.get("/healthz")
    assert len(fresh["X-Request-ID"]) == 32
    kept = client_a.get("/healthz", HTTP_X_REQUEST_ID="nginx-0123456789abcdef")
    assert kept["X-Request-ID"] == "nginx-0123456789abcdef"


def test_a_request_id_that_could_inject_text_into_logs_is_replaced(client_a):
    response = client_a.get("/healthz", HTTP_X_REQUEST_ID='x"\n{"level": "forged"}')
    assert response["X-Request-ID"] != 'x"\n{"level": "forged"}'
    assert len(response["X-Request-ID"]) == 32


def test_audit_entries_written_by_a_request_carry_its_id(town_a):
    def view(request):
        audit.record("core.test", town_a, municipality=town_a)
        return HttpResponse("ok")

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="req-audit-12345678")
    response = RequestIdMiddleware(view)(request)
    assert response["X-Request-ID"] == "req-audit-12345678"
    assert AuditEntry.objects.get(action="core.test").request_id == "req-audit-12345678"
    from django.core.signals import request_finished

    request_finished.send(sender=None)
    assert requestid.current() == ""  # unbound when the response is finished


def test_error_pages_show_the_request_id(client_a):
    response = client_a.get("/gibt-es-nicht/", HTTP_X_REQUEST_ID="req-404-abcdefgh")
    assert response.status_code == 404
    assert "req-404-abcdefgh" in response.content.decode()


def test_log_lines_are_json_with_time_level_logger_and_request_id():
    record = logging.LogRecord(
        "rathaus.x", logging.WARNING, __file__, 1, "hallo %s", ("welt",), None
    )
    token = requestid.bind("req-log-12345678")
    try:
        requestid.RequestIdFilter().filter(record)
    finally:
        requestid.unbind(token)
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["logger"] == "rathaus.x"
    assert line["message"] == "hallo welt" and line["request_id"] == "req-log-12345678"
    assert line["time"].endswith("+00:00")


# --- health -------------------------------------------------------------------------


def test_healthz_answers_without_a_municipality(client, db):
    response = client.get("/healthz", HTTP_HOST="unbekannt.example")
    assert response.status_code == 200 and response.content == b"ok"


@pytest.fixture
def no_leftover_tasks(db):
    """Rows committed by earlier live-server tests of a long run can be older than the
    readiness limit; inside this test's transaction they are removed (rolled back after)."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()


def test_probes_by_ip_address_are_answered_although_it_is_not_an_allowed_host(
    client, no_leftover_tasks, settings
):
    settings.ALLOWED_HOSTS = ["www.musterstadt.de"]
    assert client.get("/healthz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.0.0.7:8000").status_code == 200
    assert client.get("/aemter/", HTTP_HOST="10.0.0.7:8000").status_code == 400


def test_readyz_is_ready_when_database_migrations_and_queue_are(client, no_leftover_tasks):
    response = client.get("/readyz", HTTP_HOST="unbekannt.example")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["database"]["ok"]


def test_readyz_says_not_ready_when_the_database_does_not_answer(client, db, monkeypatch):
    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(health, "_database", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "connection refused" in response.json()["checks"]["database"]["detail"]


def test_readyz_says_not_ready_when_migrations_are_missing(client, db, monkeypatch):
    monkeypatch.setattr(health, "_migrations_done", False)
    monkeypatch.setattr(
        "django.db.migrations.executor.MigrationExecutor.migration_plan", lambda self, t: [1]
    )
    assert client.get("/readyz").status_code == 503


def test_readyz_says_not_ready_when_the_queue_is_stuck(client, db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    task = _stored_task()
    DBTaskResult.objects.filter(pk=task.pk).update(
        run_after=timezone.now()
        - timedelta(seconds=settings.RATHAUS_READYZ_QUEUE_MAX_AGE_SECONDS + 5)
    )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "worker" in response.json()["checks"]["queue"]["detail"]


# --- metrics ------------------------------------------------------------------------


def test_metrics_are_hidden_from_the_public(client, db, settings):
    settings.RATHAUS_METRICS_ALLOW = ["10.0.0.0/8"]
    settings.RATHAUS_METRICS_TOKEN = "geheim"
    assert client.get("/metrics").status_code == 404  # test client: 127.0.0.1
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer falsch").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer geheim").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_metrics_count_requests_by_route_and_state_from_the_database(client_a, settings):
    client_a.get("/aemter/")
    body = client_a.get("/metrics").content.decode()
    assert 'rathaus_http_requests_total{method="GET",route="/aemter/",status="200"}' in body
    assert "rathaus_tasks_due" in body
    assert "rathaus_bookings_active" in body


# --- database down ------------------------------------------------------------------


def test_a_database_error_in_a_view_is_a_german_503_with_retry_after(client_a, monkeypatch):
    def broken(request):
        raise OperationalError("server closed the connection unexpectedly")

    response = _get_with_view(client_a, "/aemter/", broken, monkeypatch)
    assert response.status_code == 503
    assert response["Retry-After"] == str(unavailable.RETRY_AFTER_SECONDS)
    assert "nicht gespeichert" in response.content.decode()


def test_a_database_error_in_middleware_is_a_german_503(client_a, monkeypatch):
    def down(host):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr("rathaus.core.tenancy.municipality_for_host", down)
    client_a.raise_request_exception = False
    response = client_a.get("/api/v1/catalog/services")
    assert response.status_code == 503
    assert response.json()["reason"] == "unavailable"
    assert response["Retry-After"]


def _get_with_view(client, path, view, monkeypatch):
    from django.urls import resolve

    match = resolve(path)
    monkeypatch.setattr(match, "func", view)
    monkeypatch.setattr("django.urls.resolvers.URLResolver.resolve", lambda self, p: match)
    client.raise_request_exception = False
    return client.get(path)


# --- the task queue ----------------------------------------------------------------


def _stored_task(status="READY", **fields):
    return DBTaskResult.objects.create(
        args_kwargs={"args": ["a@example.org", "Betreff", "Text"], "kwargs": {}},
        task_path="rathaus.applications.tasks.send_email",
        backend_name="default",
        run_after=timezone.now(),
        status=status,
        **fields,
    )


def test_a_task_whose_worker_vanished_is_queued_again_after_its_lease(db, settings):
    stuck = _stored_task("RUNNING", started_at=timezone.now() - timedelta(hours=1))
    running = _stored_task("RUNNING", started_at=timezone.now())
    assert queue.release_expired_leases() == 1
    stuck.refresh_from_db()
    running.refresh_from_db()
    assert stuck.status == "READY" and running.status == "RUNNING"


def test_a_transient_failure_is_retried_with_backoff_and_a_permanent_one_is_not(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    row = _stored_task("RUNNING", worker_ids=["w1", "w2"])
    row.set_failed(smtplib.SMTPServerDisconnected("gone"))
    assert queue.retry_later(row.task_result)
    row.refresh_from_db()
    assert row.status == "READY"
    wait = (row.run_after - timezone.now()).total_seconds()
    assert 55 <= wait <= 60  # second attempt: 60 s

    other = _stored_task("RUNNING", worker_ids=["w1"])
    other.set_failed(ValueError("bug"))
    assert not queue.retry_later(other.task_result)
    other.refresh_from_db()
    assert other.status == "FAILED"


def test_retries_stop_after_the_last_attempt(db, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    row = _stored_task("RUNNING", worker_ids=["w"] * settings.RATHAUS_TASK_MAX_ATTEMPTS)
    row.set_failed(ConnectionRefusedError("refused"))
    assert not queue.retry_later(row.task_result)


def test_backoff_doubles_up_to_an_hour():
    assert [queue.backoff_seconds(n) for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def test_the_recording_backend_does_not_send_an_e_mail_a_task_already_sent(db, settings):
    settings.EMAIL_BACKEND = "rathaus.core.ops.mail.EmailBackend"
    settings.RATHAUS_EMAIL_TRANSPORT = "django.core.mail.backends.locmem.EmailBackend"
    from types import SimpleNamespace

    task = SimpleNamespace(id="task-1")
    queue.task_started(task)
    SentMail.objects.create(key="task-1:0")  # the first went out before a crash
    try:
        mail.send_mail("eins", "x", None, ["a@example.org"])
        mail.send_mail("zwei", "x", None, ["a@example.org"])
    finally:
        queue._task_id.set("")
    assert [m.subject for m in mail.outbox] == ["zwei"]
    assert SentMail.objects.filter(key="task-1:1").exists()


@pytest.mark.parametrize("job_fails", [False, True])
def test_the_scheduler_records_each_run(db, job_fails):
    from rathaus.core.ops.models import PeriodicJobRun
    from rathaus.core.periodic import Job, run_recorded

    def work():
        if job_fails:
            raise RuntimeError("kaputt")

    assert run_recorded(Job("test.job", work, 60)) is not job_fails
    run = PeriodicJobRun.objects.get(name="test.job")
    assert run.runs == 1 and run.last_ok is not job_fails
    assert ("kaputt" in run.last_error) is job_fails


# --- Betrieb page --------------------------------------------------------------------


def test_the_betrieb_page_shows_backlog_and_lets_operators_retry_a_failed_task(client_a, admin_a):
    failed = _stored_task("FAILED", worker_ids=["w"], exception_class_path="smtplib.SMTPError")
    _stored_task("READY", worker_ids=["w"], exception_class_path="smtplib.SMTPError")
    client_a.force_login(admin_a)
    page = client_a.get("/verwaltung/betrieb/").content.decode()
    assert 'id="ops-mail-retrying">1<' in page
    assert "Erneut versuchen" not in page  # a town's administrator is not the operator
    assert (
        client_a.post(f"/verwaltung/betrieb/aufgaben/{failed.pk}/wiederholen/").status_code == 403
    )

    admin_a.is_superuser = True
    admin_a.save()
    client_a.force_login(admin_a)
    assert "Erneut versuchen" in client_a.get("/verwaltung/betrieb/").content.decode()
    response = client_a.post(f"/verwaltung/betrieb/aufgaben/{failed.pk}/wiederholen/")
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == "READY"
    assert AuditEntry.objects.filter(action="core.task_retried").exists()
    assert client_a.post("/verwaltung/betrieb/aufgaben/kein-uuid/wiederholen/").status_code == 404


def test_the_betrieb_page_is_for_administrators_only(client_a, editor_a):
    client_a.force_login(editor_a)
    assert client_a.get("/verwaltung/betrieb/").status_code == 403


def test_behind_a_trusted_proxy_rate_limits_count_the_citizens_address(rf, settings):
    from rathaus.core.ratelimit import client_ip

    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    assert client_ip(request) == "127.0.0.1"  # no trusted proxy configured
    settings.RATHAUS_TRUSTED_PROXIES = {"127.0.0.1"}
    assert client_ip(request) == "203.0.113.9"  # the address nginx saw, not a forged one
    spoofed = rf.get("/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(spoofed) == "198.51.100.7"  # not from the proxy: header ignored


def test_metrics_through_a_proxy_need_the_token(client, db, settings):
    settings.RATHAUS_METRICS_TOKEN = "geheim"
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert (
        client.get(
            "/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9", HTTP_AUTHORIZATION="Bearer geheim"
        ).status_code
        == 200
    )
