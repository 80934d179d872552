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

The same read can carry what the rest of the request will read from the cache
(``read_with_versions``): a request remembers which keys it read under its host, path
and query, and the next request with the same host, path and query reads them ahead
together with the memo versions, one round trip instead of two (the availability API:
the day versions and the cached pieces, issue 24). Used only if the request then asks
for exactly those keys; the values are as fresh as the memo versions read with them.

Values are shared by the threads of one process and must be treated as read-only.
Any client can choose the keys (host names, slugs), so the memo is emptied when
it gets big.
"""

import contextlib
import threading
import time

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from . import counters

_registry: list["Memo"] = []
_request = threading.local()  # versions read in this thread's current request

#: (host, path, query) -> (keys, counter) that a request of that kind read last time.
#: Bounded by the number of keys (a month of days for many resources is thousands):
#: any client can choose the query.
_learned: dict[tuple, tuple[tuple[str, ...], str]] = {}
_learned_size = [0]  # keys in _learned
_MAX_LEARNED_KEYS = 100_000


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


#: (id of a memo value, token) -> (the value, what was derived from it): see ``derived``.
#: An entry keeps its value alive (memo values are reloaded every few seconds): a small
#: bound keeps the old ones from piling up; a read of 10 locations needs 20 entries.
_derived: dict[tuple, tuple] = {}
_MAX_DERIVED = 2_000


def derived(value, token, compute):
    """``compute()``, remembered for this memo value (an object a memo returned) and
    ``token``: what every request derives anew from the same remembered rows (the
    availability read's piece keys and echoed names, ~0.1 ms per read of 10 locations,
    issue 24). Memo values are read-only, so what is derived from one stays true; a
    change of the rows gives new objects. The entry holds ``value``, so its id is not
    reused while the entry exists, and ``is`` tells a new object apart. Bounded."""
    entry_key = (id(value), token)
    found = _derived.get(entry_key)
    if found is not None and found[0] is value:
        return found[1]
    result = compute()
    if len(_derived) >= _MAX_DERIVED:
        _derived.clear()
    _derived[entry_key] = (value, result)
    return result


def _version(key: str):
    """The shared version of ``key``: in a request, from one read of all memos' versions."""
    versions = getattr(_request, "versions", None)
    if versions is None:  # outside a request: ask each time
        return cache.get(key, 0)
    if not versions:
        keys = [memo.version_key for memo in _registry]
        learned = _learned.get(getattr(_request, "signature", None))
        if learned is None:  # one MGET on a pooled connection (counters, issue 24)
            found = counters.get_many(keys)
        else:  # and what a request of this kind read last time, in the same round trip
            ahead, counter = learned
            values = counters.get_many_and_incr([*keys, *ahead], counter)
            found = {k: v for k, v in zip(keys, values, strict=False) if v is not None}
            _request.ahead = (ahead, counter, values[len(keys) :])
        versions.update({k: found.get(k, 0) for k in keys})  # never bumped: 0
    if key not in versions:  # a memo made after the read
        versions[key] = cache.get(key, 0)
    return versions[key]


def read_with_versions(keys: list[str], counter: str) -> list:
    """The cached values of ``keys`` (None where missing), one added to ``counter``: read
    ahead with this request's memo versions if the last request with the same host, path
    and query read the same keys; else read now (``counters.get_many_and_incr``)."""
    ahead = getattr(_request, "ahead", None)
    _request.ahead = None
    _learn(getattr(_request, "signature", None), keys, counter)
    if ahead is not None and ahead[1] == counter:
        if list(ahead[0]) == keys:
            return ahead[2]
        found = cache.get_many(keys)  # the read ahead was counted already
        return [found.get(key) for key in keys]
    return counters.get_many_and_incr(keys, counter)


def _learn(signature, keys: list[str], counter: str) -> None:
    if signature is None:
        return
    earlier = _learned.pop(signature, None)
    _learned_size[0] -= len(earlier[0]) if earlier else 0
    if _learned_size[0] + len(keys) > _MAX_LEARNED_KEYS:
        _learned.clear()
        _learned_size[0] = 0
    _learned[signature] = (tuple(keys), counter)
    _learned_size[0] += len(keys)


def forget_read_ahead() -> None:
    """This request changed what it read ahead (e.g. bumped a day version): read again."""
    ahead = getattr(_request, "ahead", None)
    _request.ahead = None
    if ahead is not None:
        _uncount(ahead[1])


def _uncount(counter: str) -> None:
    # Best effort: a statistic; the counter may have expired, the cache may be gone.
    with contextlib.suppress(Exception):
        cache.decr(counter)


def _request_started(environ=None, **kwargs) -> None:
    _request.versions = {}
    _request.ahead = None
    _request.signature = (
        None
        if environ is None or environ.get("REQUEST_METHOD") != "GET"
        else (environ.get("HTTP_HOST"), environ.get("PATH_INFO"), environ.get("QUERY_STRING"))
    )


def _request_finished(**kwargs) -> None:
    ahead = getattr(_request, "ahead", None)
    if ahead is not None:  # read ahead but not asked for (e.g. a 404): not a read
        _uncount(ahead[1])
    _request.versions = None
    _request.ahead = None
    _request.signature = None


request_started.connect(_request_started, dispatch_uid="rathaus-memo-versions")
request_finished.connect(_request_finished, dispatch_uid="rathaus-memo-versions")
