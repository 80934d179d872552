"""Counters in the shared cache: one Redis round trip, the same results as Django's API."""

import pytest
from django.core.cache import caches
from redis.exceptions import ConnectionError as RedisConnectionError

from rathaus.core import counters, ratelimit

# Tests of Redis's own behaviour (scripts, connections, replies) take only the Redis half
# of ``shared_cache``: no locmem half that could only be skipped.
REDIS_ONLY = pytest.mark.parametrize("shared_cache", ["redis"], indirect=True)


def test_incr_creates_at_one_and_counts(shared_cache):
    assert counters.incr("zaehler") == 1
    assert counters.incr("zaehler") == 2
    assert shared_cache.get("zaehler") == 2  # readable through Django's cache API


def test_incr_with_timeout_expires(shared_cache):
    assert counters.incr("fenster", timeout=60) == 1
    assert counters.incr("fenster", timeout=60) == 2
    if hasattr(shared_cache, "_cache") and hasattr(shared_cache._cache, "get_client"):
        key = shared_cache.make_and_validate_key("fenster")
        assert 0 < shared_cache._cache.get_client(key).ttl(key) <= 60


def test_incr_many_bumps_every_key(shared_cache):
    shared_cache.set("v:1", 5, timeout=None)
    counters.incr_many(["v:1", "v:2"])
    assert shared_cache.get_many(["v:1", "v:2"]) == {"v:1": 6, "v:2": 1}


def test_rate_limit_refuses_after_the_limit(shared_cache):
    verdicts = [ratelimit.hit("probe", "127.0.0.1", 3, 600) for _ in range(4)]
    assert [v.allowed for v in verdicts] == [True, True, True, False]
    assert 1 <= verdicts[-1].retry_after <= 600


def test_get_and_incr_reads_and_counts_in_one_go(shared_cache):
    assert counters.get_and_incr("antwort", "gelesen") is None  # missing: None, counted
    shared_cache.set("antwort", (1.5, b"\x1f\x8b bytes"), timeout=60)
    assert counters.get_and_incr("antwort", "gelesen") == (1.5, b"\x1f\x8b bytes")
    assert shared_cache.get("gelesen") == 2


def test_get_many_and_incr_reads_in_order_and_counts(shared_cache):
    shared_cache.set("a", 5, timeout=None)
    shared_cache.set("c", ("x", 1.5, b"\x00"), timeout=None)
    assert counters.get_many_and_incr(["a", "b", "c"], "lesungen") == [5, None, ("x", 1.5, b"\x00")]
    assert counters.get_many_and_incr([], "lesungen") == []
    assert shared_cache.get("lesungen") == 2


def test_set_many_and_incr_stores_and_counts(shared_cache):
    counters.set_many_and_incr({"p:1": (1, b"z"), "p:2": "zwei", "p:3": 7}, 60, "fehler")
    counters.set_many_and_incr({}, 60, "fehler")
    found = shared_cache.get_many(["p:1", "p:2", "p:3"])
    assert found == {"p:1": (1, b"z"), "p:2": "zwei", "p:3": 7}
    assert shared_cache.get("fehler") == 2
    if hasattr(shared_cache, "_cache") and hasattr(shared_cache._cache, "get_client"):
        key = shared_cache.make_and_validate_key("p:1")
        assert 0 < shared_cache._cache.get_client(key).ttl(key) <= 60  # stored with expiry


def test_get_many_answers_as_the_cache_does(shared_cache):
    shared_cache.set_many({"m:1": 3, "m:ü": ("x", b"\x00"), "m:0": 0}, timeout=None)
    keys = ["m:1", "m:2", "m:ü", "m:0"]
    assert counters.get_many(keys) == shared_cache.get_many(keys)
    assert counters.get_many(keys) == {"m:1": 3, "m:ü": ("x", b"\x00"), "m:0": 0}
    assert counters.get_many([]) == {}


@pytest.mark.parametrize(
    "commands",
    [
        [("MGET", "a:1", "schlüssel:ä", "x" * 300)],
        [("SET", "k", b"\x80\x05pickled\r\n", "EX", 60), ("INCR", "z")],
        [("EVALSHA", "f" * 40, 2, "k1", "k2", 61, 5, 3601, 10**12)],
        [("SET", "int", 12345678901234567890, "EX", 1), ("SET", "neg", -3, "EX", 2)],
        [("SET", "float", 0.1), ("SET", "big", 1e20)],
    ],
)
def test_commands_are_packed_as_redis_py_packs_them(commands):
    """The round trips pack with hiredis directly; the bytes are redis-py's for every kind
    of argument they send (str in UTF-8, bytes, int)."""
    from redis.connection import Connection

    ours = b"".join(counters._packed(None, commands))
    assert ours == b"".join(Connection().pack_commands(commands))


def test_a_value_redis_py_refuses_is_refused_alike():
    """A bool is no Redis value: DataError (a RedisError, so the fallback's business) from
    both packers, not a TypeError."""
    from redis.connection import Connection
    from redis.exceptions import DataError

    with pytest.raises(DataError):
        counters._packed(None, [("SET", "k", True)])
    with pytest.raises(DataError):
        Connection().pack_commands([("SET", "k", True)])


def test_incr_in_order_stops_after_the_first_count_above_its_limit(shared_cache):
    limits = [("ip", 60, 2), ("kontakt", 60, 5)]
    assert counters.incr_in_order(limits) == [1, 1]
    assert counters.incr_in_order(limits) == [2, 2]
    assert counters.incr_in_order(limits) == [3]  # the IP is refused: the contact not counted
    assert shared_cache.get_many(["ip", "kontakt"]) == {"ip": 3, "kontakt": 2}
    _assert_expires_within(shared_cache, "kontakt", 60)


@REDIS_ONLY
def test_incr_in_order_loads_its_script_into_a_fresh_redis(shared_cache):
    shared_cache._cache.get_client(write=True).script_flush()  # as after a Redis restart
    assert counters.incr_in_order([("neu", 60, 1)]) == [1]


def test_incr_with_note_notes_the_new_value_with_its_step(shared_cache):
    """The note names the version its step made (ADR 0114); a plain INCR after it leaves the
    note of the step before, which the reader then tells apart by the version."""
    assert counters.incr_with_note("v", "n", "1800 1 4", 60) == 1
    assert counters.incr_with_note("v", "n", "1800 2 4", 60) == 2
    counters.incr_many(["v"])
    assert counters.get_notes(["n", "fehlt"]) == ["2 1800 2 4", None]
    assert shared_cache.get("v") == 3
    _assert_expires_within(shared_cache, "n", 60)


@REDIS_ONLY
def test_incr_with_note_loads_its_script_into_a_fresh_redis(shared_cache):
    shared_cache._cache.get_client(write=True).script_flush()  # as after a Redis restart
    assert counters.incr_with_note("v", "n", "x", 60) == 1


def test_an_attempt_refused_by_address_counts_nothing_for_the_contact(shared_cache, rf):
    first, second = rf.post("/api/v1/appointments/holds"), rf.post("/api/v1/appointments/holds")
    limits = [("ip", "1.2.3.4", 1, 60), ("kontakt", "abc", 9, 60)]
    assert [v.allowed for v in ratelimit.hit_in_order(limits, request=first)] == [True, True]
    assert [v.allowed for v in ratelimit.hit_in_order(limits, request=second)] == [False]
    assert len(first.rate_limit_counted) == 2 and len(second.rate_limit_counted) == 1
    ratelimit.refund(second)  # failed on our side: the address's second attempt taken back
    assert [v.allowed for v in ratelimit.hit_in_order(limits)] == [False]  # 1 + 1 again


@pytest.fixture
def redis_gone(settings):
    """A Redis cache whose server is not there (closed port): every call fails now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again when the test runs
    settings.CACHES = {
        "default": {
            "BACKEND": "rathaus.core.ops.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    backend = caches["default"]
    yield backend
    caches["default"].close()


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: [counters.incr("rl:x", 60), counters.incr("rl:x", 60)], [1, 2]),
        (lambda: counters.incr_in_order([("a", 60, 5), ("b", 60, 5)]), [1, 1]),
        (lambda: counters.get_many_and_incr(["piece"], "reads"), [None]),
        (lambda: counters.get_and_incr("piece", "reads"), None),
        (lambda: counters.get_many(["memo:a:version", "memo:b:version"]), {}),
        (
            lambda: [counters.incr_with_note("v", "n", "x", 60), counters.get_notes(["n"])],
            [1, ["1 x"]],
        ),
        (
            lambda: [
                counters.set_many_and_incr({"piece": 7}, 60, "misses"),
                counters.get_many_and_incr(["piece"], "reads"),
            ],
            [None, [7]],
        ),
    ],
)
def test_redis_failing_in_a_call_counts_in_this_process(redis_gone, call, expected):
    """Redis fails during the call (not yet marked down): the same call is answered by
    the in-process fallback, and Redis is marked down for the next ones."""
    assert redis_gone.redis_available()
    assert call() == expected
    assert not redis_gone.redis_available()


@REDIS_ONLY
def test_an_error_reply_in_a_round_trip_leaves_the_connection_clean(shared_cache):
    """``_round_trip`` reads every reply before it raises: the pooled connection is used
    again (not dropped for unread replies) and the next call gets its own replies."""
    from redis.exceptions import ResponseError

    shared_cache.set("text", "kein Zähler")
    text, counter = (shared_cache.make_and_validate_key(k) for k in ("text", "zaehler"))
    (connection_id,) = counters._round_trip(shared_cache, [("CLIENT", "ID")])
    for _ in range(3):
        with pytest.raises(ResponseError):
            counters._round_trip(shared_cache, [("INCR", text), ("INCR", counter), ("PING",)])
    assert counters._round_trip(shared_cache, [("INCR", counter), ("PING",)]) == [4, b"PONG"]
    assert counters._round_trip(shared_cache, [("CLIENT", "ID")]) == [connection_id]
    assert counters.incr("zaehler") == 5


def _connection_id(backend) -> int:
    (connection_id,) = counters._round_trip(backend, [("CLIENT", "ID")])
    return connection_id


@REDIS_ONLY
def test_round_trips_keep_one_connection_without_the_pool(shared_cache, monkeypatch):
    """Every round trip of a thread goes over the connection it kept: the pool (and its
    per-checkout metrics and events) is not asked again (ADR 0113)."""
    first = _connection_id(shared_cache)
    pool = shared_cache._cache._get_connection_pool(True)
    asked = []
    get_connection = pool.get_connection
    monkeypatch.setattr(pool, "get_connection", lambda: asked.append(1) or get_connection())
    assert [counters.incr(f"z{n}") for n in range(3)] == [1, 1, 1]
    assert counters.incr_in_order([("z0", 60, 5)]) == [2]
    assert counters.get_many(["z0", "z1"]) == {"z0": 2, "z1": 1}
    assert _connection_id(shared_cache) == first
    assert asked == []


@REDIS_ONLY
def test_a_connection_closed_by_redis_is_replaced_before_it_is_used(shared_cache, monkeypatch):
    """What a Redis restart does to the kept connection: the check before the next round
    trip sees the closed socket and connects anew; no attempt fails, no retry needed."""
    import redis

    assert counters.incr("z") == 1
    own = _connection_id(shared_cache)
    with redis.Redis.from_url(shared_cache._cache._servers[0]) as other:
        other.client_kill_filter(_id=own)
    attempts = []
    send_and_read = counters._send_and_read

    def counted(connection, commands):
        attempts.append(commands)
        return send_and_read(connection, commands)

    monkeypatch.setattr(counters, "_send_and_read", counted)
    assert counters.incr("z") == 2
    assert len(attempts) == 1
    assert _connection_id(shared_cache) != own


@REDIS_ONLY
def test_a_kept_connection_with_unread_replies_is_replaced(shared_cache):
    """A reply nobody read (a caller interrupted between send and read) must not become
    the answer of the next round trip."""
    own = _connection_id(shared_cache)
    import select

    connection = counters._held.connection
    connection.send_command("PING")  # its PONG is never read
    assert select.select([connection._sock], [], [], 2)[0]  # the PONG has arrived
    assert counters.incr("z") == 1
    assert _connection_id(shared_cache) != own


@REDIS_ONLY
def test_a_connection_fails_and_the_round_trip_is_tried_on_a_new_one(shared_cache, monkeypatch):
    own = _connection_id(shared_cache)
    connection = counters._held.connection
    real_send = connection.send_packed_command
    failures = [RedisConnectionError("weg")]

    def send_once_failing(*args, **kwargs):
        if failures:
            raise failures.pop()
        return real_send(*args, **kwargs)

    monkeypatch.setattr(connection, "send_packed_command", send_once_failing)
    assert counters.incr("z") == 1
    assert _connection_id(shared_cache) != own  # the failed one was closed, not kept


@REDIS_ONLY
def test_a_forked_process_does_not_use_the_parents_connection(shared_cache):
    """gunicorn forks workers: a connection kept before the fork belongs to the parent.
    The child's round trips go over a connection of its own, and the parent's stays
    intact (no reply of the child's read on it)."""
    import os

    parent = _connection_id(shared_cache)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its connection's id, never return into pytest
        try:
            os.write(write_end, str(_connection_id(shared_cache)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    child = int(os.read(read_end, 64) or b"0")
    os.close(read_end)
    os.waitpid(pid, 0)
    assert child and child != parent
    assert counters.incr("z") == 1
    assert _connection_id(shared_cache) == parent


@REDIS_ONLY
def test_each_thread_keeps_its_own_connection(shared_cache):
    import threading

    backend_settings = shared_cache._cache._servers[0]
    ids = []

    def in_thread():  # Django gives each thread its own cache backend (and pool)
        backend = caches["default"]
        assert backend._cache._servers[0] == backend_settings
        ids.append(_connection_id(backend))

    threads = [threading.Thread(target=in_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(ids)) == 2 and _connection_id(shared_cache) not in ids


def _assert_expires_within(cache, name: str, seconds: int) -> None:
    """With Redis: the key expires, within ``seconds`` (locmem has no TTL to read)."""
    if hasattr(cache, "_cache") and hasattr(cache._cache, "get_client"):
        key = cache.make_and_validate_key(name)
        assert 0 < cache._cache.get_client(key).ttl(key) <= seconds
