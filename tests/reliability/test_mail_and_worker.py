"""Fault tests with real processes: the mail server down or hung, the worker stopped
or killed mid-task (issue 20, docs/reliability.md)."""

import signal
import time

import psycopg
import pytest

from .harness import (
    SilentServer,
    SmtpSink,
    free_port,
    manage,
    process_env,
    start_worker,
    wait_until,
)

pytestmark = pytest.mark.postgres

MAILS = 12


def enqueue_mails(env, count: int, prefix: str) -> None:
    code = (
        "from rathaus.applications.tasks import send_email\n"
        f"for i in range({count}):\n"
        f"    send_email.enqueue(f'{prefix}{{i}}@example.org', f'{prefix} {{i}}', 'Text')\n"
    )
    manage(env, "shell", "-c", code)


def task_statuses(url) -> dict:
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status"
        ).fetchall()
    return dict(rows)


def retried(url) -> int:
    with psycopg.connect(url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        return conn.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult "
            "WHERE status = 'READY' AND exception_class_path <> ''"
        ).fetchone()[0]


def mail_env(database, smtp_port, **extra):
    settings = {
        "EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": smtp_port,
        "EMAIL_TIMEOUT": 2,
        "TASK_RETRY_BASE_SECONDS": 1,
    }
    return process_env(database, **{**settings, **extra})


def test_mail_server_down_mails_wait_and_go_out_once_when_it_returns(database, tmp_path):
    port = free_port()
    env = mail_env(database, port)
    enqueue_mails(env, MAILS, "down")
    worker = start_worker(env, tmp_path / "worker.log")
    sink = SmtpSink(port)
    try:
        # Nothing listens: every mail fails once and is queued again, none is dropped.
        wait_until(lambda: retried(database) == MAILS, 60, "every mail to fail once")
        assert task_statuses(database).get("FAILED", 0) == 0
        sink.start()
        wait_until(lambda: task_statuses(database).get("SUCCESSFUL") == MAILS, 90, "delivery")
    finally:
        worker.stop()
        sink.stop()
    subjects = sorted(m.split("Subject: ", 1)[1].split("\n", 1)[0].strip() for m in sink.messages)
    assert len(sink.messages) == MAILS, subjects  # none lost
    assert len(set(subjects)) == MAILS  # none twice


def test_a_hung_mail_server_does_not_block_the_worker_and_sigterm_stops_it(database, tmp_path):
    port = free_port()
    silent = SilentServer(port)
    env = mail_env(database, port)
    enqueue_mails(env, 1, "hung")
    worker = start_worker(env, tmp_path / "worker.log")
    try:
        wait_until(lambda: retried(database) == 1, 30, "the hung connection to time out")
        wait_until(lambda: task_statuses(database).get("RUNNING") == 1, 30, "the next attempt")
        started = time.monotonic()
        worker.signal(signal.SIGTERM)
        worker.wait(timeout=15)
        stopped_after = time.monotonic() - started
    finally:
        worker.stop()
        silent.close()
    assert stopped_after < 2 + 5  # EMAIL_TIMEOUT plus the task's end
    # The interrupted attempt is not lost: queued again (or failed transiently → retry).
    statuses = task_statuses(database)
    assert statuses.get("SUCCESSFUL", 0) == 0
    assert statuses.get("READY", 0) + statuses.get("RUNNING", 0) == 1


def test_a_worker_killed_mid_task_completes_it_exactly_once_after_restart(database, tmp_path):
    port = free_port()
    sink = SmtpSink(port, delay_rcpt_seconds=4)  # the task is mid-conversation for 4 s
    sink.start()
    env = mail_env(database, port, TASK_LEASE_SECONDS=3, EMAIL_TIMEOUT=10)
    enqueue_mails(env, 1, "killed")
    worker = start_worker(env, tmp_path / "worker1.log")
    try:
        wait_until(lambda: task_statuses(database).get("RUNNING") == 1, 30, "the task to start")
        time.sleep(1)
        worker.signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        worker.stop()
    assert task_statuses(database).get("RUNNING") == 1  # left behind by the dead worker
    sink.delay_rcpt_seconds = 0
    time.sleep(3.5)  # the lease runs out
    manage(env, "scheduler", "--once")  # the scheduler's lease job queues it again
    restarted = start_worker(env, tmp_path / "worker2.log")
    try:
        wait_until(lambda: task_statuses(database).get("SUCCESSFUL") == 1, 60, "completion")
        time.sleep(1.5)  # a second delivery would arrive now
    finally:
        restarted.stop()
        sink.stop()
    assert len(sink.messages) == 1
