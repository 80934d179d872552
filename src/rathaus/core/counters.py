"""Counters in the shared cache, one round trip each.

Django's cache API needs up to three Redis round trips for a counter that may not
exist yet: ``add`` (SET NX), then ``incr`` (EXISTS, then INCRBY). Rate limits and
the availability cache count on every API call, so with Redis a counter here is
one request: INCR (which creates a missing key at 1), with ``SET NX EX`` before it
in the same MULTI when the counter expires. Other cache backends (locmem in the
demo and the tests) use the portable way.
"""

import hashlib
import os
import threading

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import DataError, NoScriptError, RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

try:
    from hiredis import pack_command as _hiredis_pack
except ImportError:  # hiredis is a dependency; without it redis-py's own packer
    _hiredis_pack = None


def _in_redis_or_portably(in_redis, portably):
    """``in_redis(backend)`` with Redis; ``portably(backend)`` with any other cache (locmem
    in the demo and the tests), or with the in-process fallback while Redis is marked
    down or when it fails now (core.ops.cache)."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return portably(backend)
    if not _redis_available(backend):
        return portably(getattr(backend, "fallback", backend))
    try:
        return in_redis(backend)
    except RedisError as error:
        if not hasattr(backend, "fallback"):
            raise
        backend.redis_failed(error)
        return portably(backend.fallback)


def _round_trip(backend, commands: list[tuple]) -> list:
    """The replies of ``commands``, sent to Redis together and read in order: what a
    pipeline without MULTI does, without redis-py's per-command bookkeeping (client,
    pipeline and callback objects; 100 → 40 µs of CPU for the availability read's MGET
    and INCR, issue 24, ADR 0101). Replies come as Redis sends them (bytes, ints, lists).
    A connection error or timeout is tried once more on a fresh connection (redis-py
    retries as well)."""
    pool = backend._cache._get_connection_pool(True)
    try:
        return _send_and_read(_held_connection(pool), commands)
    except (RedisConnectionError, RedisTimeoutError):
        return _send_and_read(_held_connection(pool), commands)


def _send_and_read(connection, commands: list[tuple]) -> list:
    """One attempt of ``_round_trip``. A connection that failed is closed (it reconnects
    at its next use), never kept with unread replies; an error reply (e.g. NOSCRIPT) is
    raised after all replies are read, so the connection stays clean."""
    try:
        connection.send_packed_command(_packed(connection, commands))
        replies, refused = [], None
        for _command in commands:
            try:
                replies.append(connection.read_response())
            except ResponseError as error:  # the other replies still come
                refused = refused or error
                replies.append(error)
    except BaseException:
        connection.disconnect()  # replies may be left unread on it
        raise
    if refused is not None:
        raise refused
    return replies


class _Held(threading.local):
    """The counters' own connection, one per thread (per process with gunicorn's sync
    workers): taken from the pool once and kept, because redis-py 8's pool records
    metrics and dispatches an event on every ``get_connection``/``release`` (20-30 µs
    of CPU per round trip inside a request, three round trips per hold; issue 24, ADR
    0113)."""

    pool = None
    connection = None


_held = _Held()


def _held_connection(pool):
    """This thread's connection of ``pool``, checked as the pool checks one it hands out:
    a socket with something to read (replies nobody read, or the end of a connection
    Redis closed: a restart, a timeout, ``CLIENT KILL``) is replaced by a new one. A
    connection made before a fork belongs to the parent (the child would read the
    parent's replies): the child takes its own from the pool, which redis-py resets
    after a fork."""
    connection = _held.connection
    if _held.pool is not pool or connection is None or connection.pid != os.getpid():
        connection = _take_from(pool)
    if connection._sock is None:  # closed after a failure: connect (raises if Redis is gone)
        connection.connect()
    elif _has_data_or_closed(connection):
        connection.disconnect()
        connection.connect()
    return connection


def _take_from(pool):
    """A connection of ``pool``, kept by this thread; the one kept before (of another
    pool: the cache settings changed) goes back to its pool."""
    previous, previous_pool = _held.connection, _held.pool
    _held.connection = _held.pool = None
    if previous is not None and previous.pid == os.getpid():
        previous_pool.release(previous)
    connection = pool.get_connection()
    _held.connection, _held.pool = connection, pool
    return connection


def _has_data_or_closed(connection) -> bool:
    try:
        return connection.can_read()
    except (RedisConnectionError, RedisTimeoutError, OSError):
        return True


def _packed(connection, commands: list[tuple]) -> list[bytes]:
    """``commands`` in Redis's protocol. With hiredis each command is packed by its C
    function directly: redis-py's serializer around it encodes every argument in Python
    (a generator, an ``isinstance`` each), 30–50 µs of the availability read's MGET of 25
    keys (issue 24). The arguments here are str (UTF-8, as redis-py encodes them), bytes
    and int (floats too), which hiredis packs the same way (``test_counters.py`` compares)."""
    if _hiredis_pack is None:
        return connection.pack_commands(commands)
    try:
        return [b"".join([_hiredis_pack(command) for command in commands])]
    except TypeError as error:  # e.g. a bool: redis-py refuses it with DataError too
        raise DataError(str(error)) from error


def incr(key: str, timeout: int | None = None) -> int:
    """Add one to ``key``, created at 1; it expires ``timeout`` seconds after creation."""
    return _in_redis_or_portably(
        lambda backend: _incr_in_redis(backend, key, timeout),
        lambda backend: _incr_portably(backend, key, timeout),
    )


def _redis_available(backend) -> bool:
    return getattr(backend, "redis_available", lambda: True)()


def _incr_in_redis(backend, key: str, timeout: int | None) -> int:
    full_key = backend.make_and_validate_key(key)
    if timeout is None:
        return _round_trip(backend, [("INCR", full_key)])[0]
    # atomic: never an INCR without its expiry. Replies: OK, QUEUED, QUEUED, [set, count]
    replies = _round_trip(
        backend,
        [("MULTI",), ("SET", full_key, 0, "EX", timeout, "NX"), ("INCR", full_key), ("EXEC",)],
    )
    return replies[-1][1]


# Each key: created at 0 with its expiry (SET NX EX), then INCR; stop after the first
# count above its limit (later keys are not counted, as separate calls would not be).
# Runs atomically in Redis; sent by its SHA1 (EVALSHA), loaded once per Redis server.
_COUNT_IN_ORDER = """
local counts = {}
for i, key in ipairs(KEYS) do
  redis.call('SET', key, 0, 'EX', ARGV[2 * i - 1], 'NX')
  counts[i] = redis.call('INCR', key)
  if counts[i] > tonumber(ARGV[2 * i]) then break end
end
return counts
"""
_COUNT_IN_ORDER_SHA = hashlib.sha1(_COUNT_IN_ORDER.encode()).hexdigest()


def _run_script(backend, script: str, sha: str, keys: list, args: list):
    """One script's reply, sent by its SHA1 in one round trip; a new or restarted Redis
    does not know it yet, so it is loaded (once per server) and sent again."""
    command = ("EVALSHA", sha, len(keys), *keys, *args)
    try:
        return _round_trip(backend, [command])[0]
    except NoScriptError:
        _round_trip(backend, [("SCRIPT", "LOAD", script)])
        return _round_trip(backend, [command])[0]


def incr_in_order(counters: list[tuple[str, int, int]]) -> list[int]:
    """Add one to each ``(key, timeout, limit)`` in order, each created at 1 expiring
    ``timeout`` seconds after creation, and stop after the first count above its
    ``limit``: the counts, one per key counted. One round trip with Redis (rate limits:
    the client's address and the contact of one attempt, issue 24)."""
    return _in_redis_or_portably(
        lambda backend: _incr_in_order_in_redis(backend, counters),
        lambda backend: _incr_in_order_portably(backend, counters),
    )


def _incr_in_order_in_redis(backend, counters: list[tuple[str, int, int]]) -> list[int]:
    keys = [backend.make_and_validate_key(key) for key, _timeout, _limit in counters]
    args = [value for _key, timeout, limit in counters for value in (timeout, limit)]
    return _run_script(backend, _COUNT_IN_ORDER, _COUNT_IN_ORDER_SHA, keys, args)


def _incr_in_order_portably(backend, counters: list[tuple[str, int, int]]) -> list[int]:
    counts = []
    for key, timeout, limit in counters:
        counts.append(_incr_portably(backend, key, timeout))
        if counts[-1] > limit:
            break
    return counts


# INCR a version and note, under a second key, what that one step changed: "version
# note". Atomic, so a note names exactly the step of its version (ADR 0114).
_INCR_WITH_NOTE = """
local version = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], version .. ' ' .. ARGV[1], 'EX', ARGV[2])
return version
"""
_INCR_WITH_NOTE_SHA = hashlib.sha1(_INCR_WITH_NOTE.encode()).hexdigest()


def incr_with_note(key: str, note_key: str, note: str, timeout: int) -> int:
    """Add one to ``key`` (created at 1, never expiring) and store ``"<new value> <note>"``
    under ``note_key`` for ``timeout`` seconds, atomically, in one round trip; the new
    value. Read the note back with ``get_notes``."""

    def in_redis(backend):
        keys = [backend.make_and_validate_key(k) for k in (key, note_key)]
        return _run_script(backend, _INCR_WITH_NOTE, _INCR_WITH_NOTE_SHA, keys, [note, timeout])

    def portably(backend):
        version = _incr_portably(backend, key, None)
        backend.set(note_key, f"{version} {note}", timeout=timeout)
        return version

    return _in_redis_or_portably(in_redis, portably)


def get_notes(keys) -> list:
    """The notes of ``incr_with_note`` under ``keys`` in their order, as text (None where
    missing), one ``MGET``."""
    keys = list(keys)

    def in_redis(backend):
        (raws,) = _round_trip(backend, [("MGET", *[backend.make_key(key) for key in keys])])
        return [None if raw is None else raw.decode() for raw in raws]

    def portably(backend):
        found = backend.get_many(keys)
        return [found.get(key) for key in keys]

    return _in_redis_or_portably(in_redis, portably) if keys else []


def incr_many(keys) -> None:
    """Add one to each of ``keys`` (created at 1, never expiring), in one round trip."""
    keys = list(keys)
    backend = caches["default"]
    if not isinstance(backend, RedisCache) or not _redis_available(backend):
        for key in keys:
            _incr_portably(getattr(backend, "fallback", backend), key, None)
        return
    try:
        _incr_many_in_redis(backend, keys)
    except RedisError as error:
        if not hasattr(backend, "fallback"):
            raise
        backend.redis_failed(error)


def _incr_many_in_redis(backend, keys) -> None:
    full_keys = [backend.make_and_validate_key(key) for key in keys]
    _round_trip(backend, [("INCR", full_key) for full_key in full_keys])


def get_and_incr(key: str, counter: str):
    """The cached value of ``key`` (None if missing), and one added to ``counter`` (created
    at 1, never expiring), in one round trip: a read and its count (availability cache)."""

    def in_redis(backend):
        pipe = backend._cache.get_client(None, write=True).pipeline(transaction=False)
        pipe.get(backend.make_and_validate_key(key))
        pipe.incr(backend.make_and_validate_key(counter))
        raw, _count = pipe.execute()
        return None if raw is None else backend._cache._serializer.loads(raw)

    def portably(backend):
        _incr_portably(backend, counter, None)
        return backend.get(key)

    return _in_redis_or_portably(in_redis, portably)


def get_many(keys) -> dict:
    """``cache.get_many(keys)``: the found values by key, one ``MGET`` on a pooled
    connection (the memo versions every request reads, ADR 0099; without redis-py's
    client and command objects, issue 24). With the in-process fallback and other caches,
    their ``get_many``."""
    keys = list(keys)
    if not keys:  # MGET needs a key
        return {}

    def in_redis(backend):
        # make_key: the memo versions' keys are the project's own (as in get_many_and_incr)
        (raws,) = _round_trip(backend, [("MGET", *[backend.make_key(key) for key in keys])])
        loads = backend._cache._serializer.loads
        return {key: loads(raw) for key, raw in zip(keys, raws, strict=True) if raw is not None}

    return _in_redis_or_portably(in_redis, lambda backend: backend.get_many(keys))


def get_many_and_incr(keys, counter: str) -> list:
    """The cached values of ``keys`` in their order (None where missing), and one added to
    ``counter`` (created at 1, never expiring), in one round trip (availability pieces:
    the day versions and the pieces of an answer are one read, ADR 0095)."""
    keys = list(keys)
    if not keys:
        incr(counter)
        return []

    def in_redis(backend):
        # make_key, not make_and_validate_key: the keys are the caller's own (ASCII, no
        # spaces), and the memcached warnings check walks every character of ~150 keys.
        raws, _count = _round_trip(
            backend,
            [
                ("MGET", *[backend.make_key(key) for key in keys]),
                ("INCR", backend.make_and_validate_key(counter)),
            ],
        )
        loads = backend._cache._serializer.loads
        return [None if raw is None else loads(raw) for raw in raws]

    def portably(backend):
        _incr_portably(backend, counter, None)
        found = backend.get_many(keys)
        return [found.get(key) for key in keys]

    return _in_redis_or_portably(in_redis, portably)


def set_many_and_incr(values: dict, timeout: int, counter: str) -> None:
    """Store ``values`` for ``timeout`` seconds and add one to ``counter`` (created at 1,
    never expiring), in one round trip (a recomputed availability piece and its miss;
    on the pooled connection, not a redis-py pipeline: ~40 % of a patched read's Redis
    CPU, issue 24)."""

    def in_redis(backend):
        dumps = backend._cache._serializer.dumps
        commands = [
            ("SET", backend.make_and_validate_key(key), dumps(value), "EX", timeout)
            for key, value in values.items()
        ]
        _round_trip(backend, [*commands, ("INCR", backend.make_and_validate_key(counter))])

    def portably(backend):
        backend.set_many(values, timeout=timeout)
        _incr_portably(backend, counter, None)

    _in_redis_or_portably(in_redis, portably)


def _incr_portably(backend, key: str, timeout: int | None) -> int:
    backend.add(key, 0, timeout=timeout)
    try:
        return backend.incr(key)
    except ValueError:  # expired between add and incr
        backend.set(key, 1, timeout=timeout)
        return 1
