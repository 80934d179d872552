"""Redis as an optional part: when it is unreachable, the site keeps serving.

``ResilientRedisCache`` is Django's Redis cache that, when a Redis call fails (refused,
timed out: every connection has a 2 s timeout), answers from a per-process memory
cache instead and skips Redis for the next few seconds, so a vanished Redis costs
neither a 500 nor 2 s per request. Consequences during the outage (documented in
docs/reliability.md): the availability cache and memos are per process; rate limits
and ALTCHA's used-solution list count per process (as in a single-process setup
without REDIS_URL): they fail *open to per-process*, never closed, because a booking
or a defect report must not be refused because a counter store is down. When Redis
answers again it is used again; what the fallback held is forgotten.
"""

import logging
import time

from django.conf import settings
from django.core.cache import close_caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.signals import request_finished, setting_changed
from django.utils.module_loading import import_string
from redis.exceptions import RedisError

log = logging.getLogger("rathaus.ops")

SKIP_SECONDS = 5
_WRAPPED = (
    "get", "set", "add", "delete", "get_many", "set_many", "delete_many",
    "incr", "decr", "has_key", "touch", "clear",
)  # fmt: skip


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self.fallback = LocMemCache(
            f"rathaus-fallback-{id(self)}", {"TIMEOUT": self.default_timeout}
        )
        self._skip_until = 0.0

    def redis_available(self) -> bool:
        return time.monotonic() >= self._skip_until

    def redis_failed(self, error: Exception) -> None:
        if self.redis_available():
            log.warning("Redis unreachable (%s): per-process cache for %d s", error, SKIP_SECONDS)
        self._skip_until = time.monotonic() + SKIP_SECONDS


def _resilient(name):
    redis_method = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        if self.redis_available():
            try:
                return redis_method(self, *args, **kwargs)
            except RedisError as error:
                self.redis_failed(error)
        return getattr(self.fallback, name)(*args, **kwargs)

    method.__name__ = name
    return method


for _name in _WRAPPED:
    setattr(ResilientRedisCache, _name, _resilient(_name))


# --- The end of a request -------------------------------------------------------------

_closing: list[bool] = []  # whether a configured backend closes anything; [] = not known


def close_caches_that_close(**kwargs) -> None:
    """Django's ``close_caches`` (on ``request_finished``), called only if a configured
    backend has a ``close()`` of its own (memcached's). Redis and locmem inherit the
    no-op, and walking the initialized caches through Django's thread- and task-local
    handler cost ~10-15 µs of every request for nothing (issue 24, ADR 0106)."""
    if not _closing:
        _closing.append(
            any(
                import_string(config["BACKEND"]).close is not BaseCache.close
                for config in settings.CACHES.values()
            )
        )
    if _closing[0]:
        close_caches()


def _caches_changed(setting, **kwargs) -> None:
    if setting == "CACHES":
        _closing.clear()


def take_over_close_caches() -> None:
    """Put ``close_caches_that_close`` in the place of Django's receiver (at start-up)."""
    request_finished.disconnect(close_caches)
    request_finished.connect(close_caches_that_close, dispatch_uid="rathaus-close-caches")
    setting_changed.connect(_caches_changed, dispatch_uid="rathaus-close-caches")
