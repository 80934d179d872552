"""A small per-process memo with a lifetime, for lookups every request repeats.

Values are shared by the threads of one process and must be treated as read-only.
Other processes don't see ``clear()``: they follow within ``seconds``. Any client
can choose the keys (host names, slugs), so the memo is emptied when it gets big.
"""

import threading
import time


class Memo:
    def __init__(self, seconds: float, max_entries: int = 1000):
        self.seconds, self.max_entries = seconds, max_entries
        self._values: dict = {}
        self._lock = threading.Lock()

    def get(self, key, compute):
        """The remembered value of ``key``, or ``compute()`` remembered for ``seconds``."""
        now = time.monotonic()
        remembered = self._values.get(key)
        if remembered is not None and remembered[0] > now:
            return remembered[1]
        value = compute()
        with self._lock:
            if len(self._values) >= self.max_entries:
                self._values.clear()
            self._values[key] = (now + self.seconds, value)
        return value

    def clear(self, **kwargs) -> None:
        """Forget everything (also usable as a signal receiver)."""
        with self._lock:
            self._values.clear()
