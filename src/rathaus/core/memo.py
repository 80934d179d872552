"""A small per-process memo for lookups every request repeats (host names, offers).

A value is kept for at most ``seconds`` and only while the memo's version in the
shared cache is unchanged: saving or deleting a row of a model the memo depends on
forgets it in this process at once and, when the change commits, bumps the shared
version, so every other process looks it up again on its next request (one cache
read per use instead of one or two database queries). ``QuerySet.update()`` sends
no signal; such changes show after ``seconds``.

Inside a request, the versions of all memos are read together, in one round trip, at
the first use, and kept for the rest of the request (a request used to ask once per
memo: the host, the service modes, the offers). A change made by the request itself
still shows at once, because it empties this process's memo.

Values are shared by the threads of one process and must be treated as read-only.
Any client can choose the keys (host names, slugs), so the memo is emptied when
it gets big.
"""

import threading
import time

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from . import counters

_registry: list["Memo"] = []
_request = threading.local()  # versions read in this thread's current request


class Memo:
    def __init__(self, name: str, seconds: float, depends_on=(), max_entries: int = 1000):
        self.seconds, self.max_entries = seconds, max_entries
        self.version_key = f"memo:{name}:version"
        self._values: dict = {}
        self._lock = threading.Lock()
        _registry.append(self)
        for model in depends_on:
            post_save.connect(self._changed, sender=model, weak=False)
            post_delete.connect(self._changed, sender=model, weak=False)

    def get(self, key, compute):
        """The remembered value of ``key``, or ``compute()`` remembered for ``seconds``."""
        now = time.monotonic()
        version = _version(self.version_key)
        remembered = self._values.get(key)
        if remembered is not None and remembered[0] > now and remembered[1] == version:
            return remembered[2]
        value = compute()
        with self._lock:
            if len(self._values) >= self.max_entries:
                self._values.clear()
            self._values[key] = (now + self.seconds, version, value)
        return value

    def clear(self) -> None:
        """Forget everything in this process."""
        with self._lock:
            self._values.clear()

    def _changed(self, **kwargs) -> None:
        self.clear()
        # After the commit: a process reloading earlier would remember the old rows.
        transaction.on_commit(lambda: counters.incr(self.version_key))


def _version(key: str):
    """The shared version of ``key``: in a request, from one read of all memos' versions."""
    versions = getattr(_request, "versions", None)
    if versions is None:  # outside a request: ask each time
        return cache.get(key, 0)
    if not versions:
        keys = [memo.version_key for memo in _registry]
        found = cache.get_many(keys)
        versions.update({k: found.get(k, 0) for k in keys})  # never bumped: 0
    if key not in versions:  # a memo made after the read
        versions[key] = cache.get(key, 0)
    return versions[key]


def _request_started(**kwargs) -> None:
    _request.versions = {}


def _request_finished(**kwargs) -> None:
    _request.versions = None


request_started.connect(_request_started, dispatch_uid="rathaus-memo-versions")
request_finished.connect(_request_finished, dispatch_uid="rathaus-memo-versions")
