"""The form builder under concurrency on PostgreSQL: editors who publish or change the
same draft at the same moment get one new version and German answers, never a 5xx."""

import threading

import pytest
from django.db import connection

from rathaus.applications import services_builder as builder
from rathaus.applications.models import FormDefinition, FormDraft
from rathaus.core.models import AuditEntry

from .conftest import make_service

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_concurrently(n, fn):
    barrier = threading.Barrier(n)
    results = []

    def worker(i):
        try:
            barrier.wait()
            results.append(("ok", fn(i)))
        except builder.BuilderError as exc:
            results.append(("refused", exc))
        except Exception as exc:  # noqa: BLE001 - anything else fails the test below
            results.append(("error", exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _ready_draft(town):
    service = make_service(town, "sondernutzung-beantragen", name="Sondernutzung beantragen")
    draft = builder.open_draft(service)
    builder.add_field(draft, "angaben", kind="text", label="Ort")
    return service, FormDraft.objects.get(pk=draft.pk)


def test_concurrent_publishes_make_one_version(town_a):
    service, draft = _ready_draft(town_a)
    results = _run_concurrently(6, lambda i: builder.publish(draft))
    kinds = [kind for kind, _ in results]
    assert kinds.count("ok") == 1 and kinds.count("refused") == 5, results
    assert all(builder.GONE in str(exc) for kind, exc in results if kind == "refused")
    assert FormDefinition.objects.filter(service=service).count() == 1
    assert AuditEntry.objects.filter(action="applications.form_draft_published").count() == 1


def test_concurrent_opens_make_one_draft_and_changes_are_not_lost(town_a):
    service = make_service(town_a, "sondernutzung-beantragen", name="Sondernutzung beantragen")
    results = _run_concurrently(6, lambda i: builder.open_draft(service).pk)
    assert {kind for kind, _ in results} == {"ok"}
    assert len({pk for _, pk in results}) == 1
    draft = FormDraft.objects.get()
    results = _run_concurrently(
        6, lambda i: builder.add_field(draft, "angaben", kind="text", label=f"Feld {i}")
    )
    assert {kind for kind, _ in results} == {"ok"}
    draft.refresh_from_db()
    assert len(draft.record["steps"][0]["fields"]) == 6  # every change kept (row lock)
