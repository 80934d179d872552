"""Schemathesis over /api/v1/openapi.json against the real app: no 5xx, only the status
codes each operation documents, and bodies that match the documented schemas.

Bounded (a few examples per operation) so it costs well under a minute; CI runs it on
PostgreSQL. Operations document their 4xx answers in the ninja ``response=``
declarations (``Error``: ``{detail, field, reason}``)."""

import pytest
from hypothesis import HealthCheck, Phase, given, settings

schemathesis = pytest.importorskip("schemathesis")

from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def api_town(db):
    """The whole demo (Musterstadt, on host localhost), loaded as a city loads it."""
    from rathaus.core import demo as core_demo

    from .test_isolation_crawl import load_demo

    town = core_demo.load()
    load_demo(town)
    return town


@pytest.fixture
def wsgi_app():
    """The real WSGI application, minus the per-request connection closing that would
    end the test's transaction (Django's own test client disconnects it the same way)."""
    from django.core import signals
    from django.db import close_old_connections

    from rathaus.wsgi import application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield application
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.postgres
@pytest.mark.django_db
def test_api_conforms_to_its_openapi_schema(api_town, wsgi_app):
    application = wsgi_app

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            # Schemathesis' in-process WSGI transport does not undo gzip (an HTTP client
            # does), so this client asks for the answers uncompressed.
            case.call_and_validate(
                headers={"Host": "localhost", "Accept-Encoding": "identity"}, checks=CHECKS
            )

        try:
            check()
        except BaseException as exc:  # schemathesis raises exception groups: collect all
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)
