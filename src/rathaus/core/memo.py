"""A small per-process memo for lookups every request repeats (host names, offers).

A value is kept for at most ``seconds`` and only while the memo's version in the
shared cache is unchanged: saving or deleting a row of a model the memo depends on
forgets it in this process at once and, when the change commits, bumps the shared
version, so every other process looks it up again on its next request (one cache
read per use instead of one or two database queries). ``QuerySet.update()`` sends
no signal; such changes show after ``seconds``.

Values are shared by the threads of one process and must be treated as read-only.
Any client can choose the keys (host names, slugs), so the memo is emptied when
it gets big.
"""

import threading
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from . import counters


class Memo:
    def __init__(self, name: str, seconds: float, depends_on=(), max_entries: int = 1000):
        self.seconds, self.max_entries = seconds, max_entries
        self.version_key = f"memo:{name}:version"
        self._values: dict = {}
        self._lock = threading.Lock()
        for model in depends_on:
            post_save.connect(self._changed, sender=model, weak=False)
            post_delete.connect(self._changed, sender=model, weak=False)

    def get(self, key, compute):
        """The remembered value of ``key``, or ``compute()`` remembered for ``seconds``."""
        now = time.monotonic()
        version = cache.get(self.version_key, 0)
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
