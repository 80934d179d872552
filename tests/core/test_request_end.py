"""The end of a request: caches whose backend closes something are still closed (ADR 0106)."""

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished

pytestmark = pytest.mark.django_db  # the signal also runs close_old_connections

CLOSED: list[str] = []


class ClosingCache(LocMemCache):
    """A backend with a ``close()`` of its own, as memcached's."""

    def close(self, **kwargs):
        CLOSED.append("closed")


def _locmem(name: str) -> dict:
    return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}


@pytest.fixture
def closed():
    CLOSED.clear()
    yield CLOSED
    CLOSED.clear()


def test_a_backend_that_closes_is_closed_when_a_request_ends(settings, closed):
    from django.core.cache import caches

    settings.CACHES = {
        "default": _locmem("request-end-default"),
        "closing": {"BACKEND": f"{__name__}.ClosingCache", "LOCATION": "request-end"},
    }
    caches["closing"].get("x")  # initialised, as a request's use would
    request_finished.send(sender=None)
    assert closed == ["closed"]


def test_backends_without_a_close_of_their_own_are_not_walked(settings, closed, monkeypatch):
    """Redis and locmem inherit the no-op: nothing is looked up when a request ends."""
    from django.core import cache

    settings.CACHES = {"default": _locmem("request-end-only")}
    walked = []
    monkeypatch.setattr(cache.caches, "close_all", lambda: walked.append(1))
    request_finished.send(sender=None)
    assert walked == []
    settings.CACHES = {
        "default": _locmem("request-end-only"),
        "closing": {"BACKEND": f"{__name__}.ClosingCache", "LOCATION": "request-end"},
    }  # (Django's test signal closes the old caches here)
    walked.clear()
    request_finished.send(sender=None)  # a changed setting is seen
    assert walked == [1]
