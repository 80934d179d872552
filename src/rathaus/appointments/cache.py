"""Availability cache (ADR 0023): calendar reads without touching the unit table.

Every (resource, day) has a version number in the shared cache. A cached
availability answer is stored under a key that contains the versions of all
(resource, day) pairs it read, so bumping one version (after a booking, a
cancellation, a release or a re-materialisation, on commit) makes every answer
that depends on that day unreachable at once. Keys also contain the current
minute (the lead time depends on "now"), and each answer stores until when it
holds: the next ``visible_from`` in its range, since a release makes units
visible without any write. Hits and misses are counted for the staff page and
the benchmark.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from rathaus.core import counters, memo

MAX_CACHED_DAYS = 62
_PREFIX = "avail"


def _version_key(resource_id: int, day: date) -> str:
    return f"{_PREFIX}:v:{resource_id}:{day.isoformat()}"


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def bump(resource_id: int, days) -> None:
    """New versions for these days of a resource (call after the change is committed)."""
    counters.incr_many(_version_key(resource_id, day) for day in set(days))
    memo.forget_read_ahead()  # read before this change: not to be used after it


#: How long the note of a hold's bump is kept: the next read of the day needs it, and
#: only while no other change came after it (ADR 0114).
NOTE_SECONDS = 120


def _note_key(resource_id: int, day: date) -> str:
    return f"{_PREFIX}:n:{resource_id}:{day.isoformat()}"


def bump_after_hold(resource_id: int, day: date, starts_at: int, booked: int, capacity: int):
    """``bump`` for a committed hold of one unit, noting what it did: the unit starting at
    ``starts_at`` (epoch seconds) now has ``booked`` of ``capacity`` places taken. With
    the note, a read whose stored piece is one version behind can tell that the hold
    left its free starts as they were and keep the piece (``hold_left_free``, ADR 0114)."""
    counters.incr_with_note(
        _version_key(resource_id, day),
        _note_key(resource_id, day),
        f"{starts_at} {booked} {capacity}",
        NOTE_SECONDS,
    )
    memo.forget_read_ahead()


def read_notes(pairs) -> dict:
    """The notes of the last hold's bump of each ``(resource, day)``, by pair: (version,
    start, booked, capacity); pairs without a note are left out."""
    pairs = list(pairs)
    texts = counters.get_notes([_note_key(r, d) for r, d in pairs])
    return {
        pair: tuple(int(part) for part in text.split())
        for pair, text in zip(pairs, texts, strict=True)
        if text is not None
    }


def bump_on_commit(resource_id: int, days) -> None:
    """Bump now (this transaction reads its own writes) and again after the commit.

    The second bump drops answers another process may have computed from the
    old, still committed state between the two moments.
    """
    days = list(days)
    bump(resource_id, days)
    current = _transaction()
    if current is not None:  # see put()
        connection.rathaus_units_changed_in = current
    transaction.on_commit(lambda: _committed(resource_id, days))


def _transaction():
    """The outermost open transaction block, or None in autocommit.

    Blocks a test case opens around each test don't count (as in Django's own check
    of ``durable``): for the code under test, its writes are as good as committed.
    """
    for block in connection.atomic_blocks:
        if not getattr(block, "_from_testcase", False):
            return block
    return None


def _committed(resource_id: int, days) -> None:
    connection.rathaus_units_changed_in = None
    bump(resource_id, days)


def key_for(resource_ids, first: date, last: date, parts: tuple, now: datetime) -> str | None:
    """The cache key of an answer over these resources and days; None if not cacheable."""
    if (last - first).days > MAX_CACHED_DAYS:
        return None
    version_keys = [_version_key(r, d) for r in sorted(resource_ids) for d in _days(first, last)]
    versions = cache.get_many(version_keys)
    stamp = ",".join(str(versions.get(k, 0)) for k in version_keys)
    minute = now.replace(second=0, microsecond=0).isoformat()
    raw = f"{parts}|{first}|{last}|{minute}|{stamp}"
    return f"{_PREFIX}:a:{hashlib.sha256(raw.encode()).hexdigest()}"


@functools.lru_cache(maxsize=4096)
def piece_key(parts: tuple) -> str:
    """The key of one offer's piece of a rendered answer (ADR 0095): everything but the
    unit rows and "now"; those are the piece's ``stamp`` (see ``read_pieces``). Kept per
    process: every read of an answer needs them (ADR 0102)."""
    return f"{_PREFIX}:p:{hashlib.sha256(repr(parts).encode()).hexdigest()}"


@functools.lru_cache(maxsize=256)
def _version_keys(resource_ids: tuple, first: date, last: date) -> tuple[str, ...]:
    """The version keys of these resources' days, resource by resource (kept per process:
    140 keys for an answer of 10 locations x 14 days)."""
    days = _days(first, last)
    return tuple(_version_key(r, d) for r in resource_ids for d in days)


def read_pieces(resource_ids, first: date, last: date, keys, now: datetime):
    """The stamps the pieces under ``keys`` must carry now, and the cached pieces (None
    where missing); None if the range is too long to cache.

    ``resource_ids[i]`` is the resource of the piece under ``keys[i]``. Its stamp is the
    current minute (epoch seconds // 60) and the versions of its resource's days, one per
    day from ``first``, so a change of one (resource, day) makes exactly that resource's
    pieces stale, and tells which of their days changed (ADR 0102). The versions and the
    pieces are one read (one round trip with Redis), counted for the statistics.
    """
    if (last - first).days > MAX_CACHED_DAYS:
        return None
    unique = sorted(set(resource_ids))
    version_keys = _version_keys(tuple(unique), first, last)
    # Read ahead with the memo versions when the same request came before (core.memo).
    values = memo.read_with_versions([*version_keys, *keys], f"{_PREFIX}:stats:reads")
    minute = int(now.timestamp()) // 60
    n = (last - first).days + 1
    stamps = {
        r: (minute, tuple(v or 0 for v in values[i * n : (i + 1) * n]))
        for i, r in enumerate(unique)
    }
    return [stamps[r] for r in resource_ids], values[len(version_keys) :]


def pieces_writer(values: dict):
    """A function that counts a miss and stores the pieces computed for it, in one round
    trip; it may run later (after the answer is sent). Whether the pieces may be stored
    is decided now: not if read in a transaction that changed units (see ``put``)."""
    keep = {} if _changed_units_here() else values

    def write() -> None:
        counters.set_many_and_incr(
            keep, settings.RATHAUS_AVAILABILITY_CACHE_SECONDS, f"{_PREFIX}:stats:misses"
        )

    return write


def get(key: str):
    """The cached answer under ``key`` or None; counts the read (same round trip)."""
    return counters.get_and_incr(key, f"{_PREFIX}:stats:reads")


def count_miss() -> None:
    """A read that found nothing usable (call after ``get``)."""
    _count("misses")


def put(key: str, value) -> None:
    """Store an answer, unless it was read inside a transaction that changed units.

    Such an answer contains uncommitted changes (a lottery draw computing
    alternatives after its holds). Its key carries the versions bumped in this
    transaction, which stay current if the transaction rolls back, so other
    processes would be shown it.
    """
    if _changed_units_here():
        return
    cache.set(key, value, timeout=settings.RATHAUS_AVAILABILITY_CACHE_SECONDS)


def _changed_units_here() -> bool:
    current = _transaction()
    return current is not None and current is getattr(connection, "rathaus_units_changed_in", None)


def _count(name: str) -> None:
    counters.incr(f"{_PREFIX}:stats:{name}")


def stats() -> dict:
    """Hits and misses: every read is counted with the read, misses on their own."""
    values = cache.get_many([f"{_PREFIX}:stats:reads", f"{_PREFIX}:stats:misses"])
    total = values.get(f"{_PREFIX}:stats:reads", 0)
    misses = min(values.get(f"{_PREFIX}:stats:misses", 0), total)
    hits = total - misses
    return {"hits": hits, "misses": misses, "rate": (hits / total) if total else None}


def reset_stats() -> None:
    cache.delete_many([f"{_PREFIX}:stats:reads", f"{_PREFIX}:stats:misses"])
