"""``core.rows.task_row``: the one place that copies django-tasks-db internals (ADR 0024).

The one-statement hold and the lottery draw write the e-mail task's row themselves.
``task_row`` mirrors ``DatabaseBackend._task_to_db_task``; these tests fail as soon
as the library's row, its columns or that private method change, so an upgrade of
django-tasks-db cannot silently write rows the worker reads differently.
"""

import ast
import inspect
import textwrap

import pytest
from django.test import override_settings
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from rathaus.appointments.tasks import send_confirmation
from rathaus.core import rows

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

#: The columns task_row fills; the rest are the model's defaults (status, times, result).
FILLED = {"id", "args_kwargs", "priority", "task_path", "queue_name", "run_after", "backend_name"}


def _row_fields(row) -> dict:
    return {
        f.attname: getattr(row, f.attname)
        for f in DBTaskResult._meta.concrete_fields
        if f.attname not in {"id", "enqueued_at"}
    }


@override_settings(TASKS=DATABASE_TASKS)
def test_task_row_is_the_row_enqueue_writes():
    written = DBTaskResult.objects.get(pk=send_confirmation.enqueue(42).id)
    ours = rows.task_row(send_confirmation, 42)
    assert isinstance(ours, DBTaskResult) and ours._state.adding
    ours.save()  # as the hold statement would insert it (pre_save sets the times)
    ours.refresh_from_db()
    assert _row_fields(ours) == _row_fields(written)
    assert ours.task.module_path == written.task.module_path
    assert ours.task_result.args == [42] == written.task_result.args


def test_the_library_still_builds_the_row_from_the_same_fields():
    """Parse the private method task_row copies: same model, same keyword arguments."""
    source = textwrap.dedent(inspect.getsource(DatabaseBackend._task_to_db_task))
    calls = [
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "create"
    ]
    assert len(calls) == 1, "DatabaseBackend._task_to_db_task changed: check core/rows.task_row"
    assert {kw.arg for kw in calls[0].keywords} == FILLED
    assert "DBTaskResult.objects" in ast.unparse(calls[0].func)
    assert hasattr(DatabaseBackend, "_get_id") and hasattr(DatabaseBackend, "validate_task")


def test_the_task_table_has_the_columns_task_row_knows():
    """A new column (or a renamed one) in the library's table: check task_row first."""
    columns = {f.attname for f in DBTaskResult._meta.concrete_fields}
    assert columns == FILLED | {
        "enqueued_at",  # auto_now_add, set by pre_save (insert_values sends it)
        "status",  # default READY
        "started_at",
        "finished_at",
        "return_value",
        "exception_class_path",
        "traceback",
        "worker_ids",
    }
