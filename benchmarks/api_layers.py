"""Where the CPU of a booking API request goes, layer by layer, in-process (issue 24).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rathaus_bench \
    REDIS_URL=redis://127.0.0.1:6379/5 RATHAUS_MODE=demo \
        [BENCH_SRC=/tmp/before/src] .venv/bin/python benchmarks/api_layers.py \
        [--requests 2000] [--rounds 3] [--no-layers] [--items]

Builds the ``bench`` town of ``benchmarks/booking.py`` and calls the WSGI application
directly (``benchmarks/rush_requests.py``'s call), hot, with the two requests of
``floor.py``'s citizen: the availability of one day (a cache hit: no hold touches that
day) and a hold (each a new person, on the other days).

1. **Per request, uninstrumented**: this process's CPU (``time.process_time``) per
   request, for each kind, over ``--rounds`` alternating batches.
2. **Per layer, instrumented**: every middleware on the API path, the request signals,
   the ``WSGIRequest``, URL resolution, django-ninja's dispatch (parameters in, answer
   out) and the endpoint function are wrapped with a CPU timer; printed is each layer's
   *own* CPU per request (its inclusive time minus that of the layers it calls). The
   timers cost ~1 µs each, so the sum is above the uninstrumented figure.

Run it against a dedicated database: it replaces the ``bench`` town.
"""

import argparse
import gzip
import io
import json
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")

HOST = "bench.test"
SLUG = "personalausweis-beantragen"

_own: dict[str, float] = defaultdict(float)  # label -> own CPU seconds
_stack: list[float] = []  # CPU spent in children of each open timer


def timed(fn, label: str):
    """``fn`` with its own CPU (inclusive minus its timed children) added to ``label``."""

    def wrapper(*args, **kwargs):
        _stack.append(0.0)
        started = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent = time.process_time() - started
            children = _stack.pop()
            _own[label] += spent - children
            if _stack:
                _stack[-1] += spent

    wrapper.__wrapped__ = getattr(fn, "__wrapped__", fn)
    for attribute in ("csrf_exempt",):
        if hasattr(fn, attribute):
            setattr(wrapper, attribute, getattr(fn, attribute))
    return wrapper


def instrument_chain(owner, attribute: str) -> None:
    """Time every middleware of the chain starting at ``owner.attribute``: each layer as
    its parent calls it (``convert_exception_to_response``'s wrapper included)."""
    node = getattr(owner, attribute)
    while node is not None:
        instance = getattr(node, "__wrapped__", None)
        label = type(instance).__name__ if instance is not None else node.__name__
        if label == "method":  # the innermost: Django's _get_response
            label = "BaseHandler._get_response own"
        setattr(owner, attribute, timed(node, f"middleware {label}"))
        if instance is None or not hasattr(instance, "get_response"):
            break
        lean = getattr(instance, "lean", None)
        if lean is not None:  # the dispatcher: the API's own chain, and Django's handler
            instrument_chain(lean, "_middleware_chain")
            lean.resolve_request = timed(lean.resolve_request, "URL resolution")
        owner, attribute, node = instance, "get_response", instance.get_response
        if getattr(node, "__self__", None) is not None and node.__name__ == "_get_response":
            setattr(owner, attribute, timed(node, "handler _get_response (view call)"))
            break


def instrument(application) -> None:
    from django.core import signals
    from django.core.cache import caches
    from django.core.handlers import wsgi
    from django.urls import resolve
    from ninja.operation import Operation

    from rathaus.core import counters

    instrument_chain(application, "_middleware_chain")
    for signal, name in ((signals.request_started, "started"), (signals.request_finished,
                                                                "finished")):  # fmt: skip
        signal.send = timed(signal.send, f"signal request_{name}")
    wsgi.WSGIRequest.__init__ = timed(wsgi.WSGIRequest.__init__, "WSGIRequest()")
    Operation.run = timed(Operation.run, "ninja: checks, temporal response")
    Operation._get_values = timed(Operation._get_values, "ninja: parameters/body in")
    Operation._result_to_response = timed(Operation._result_to_response, "ninja: answer out")
    for path in ("/api/v1/appointments/availability", "/api/v1/appointments/holds"):
        (path_view,) = (cell.cell_contents for cell in resolve(path).func.__closure__)
        for operation in path_view.operations:  # the mounted clones, not the router's own
            operation.view_func = timed(operation.view_func, "endpoint function")
    backend = type(caches["default"])
    backend.get_many = timed(backend.get_many, "cache.get_many (Redis)")
    backend.get = timed(backend.get, "cache.get (Redis)")
    counters._round_trip = timed(counters._round_trip, "counters' round trips (Redis)")
    # The WSGI handler's own part: what is left of its __call__.
    wsgi.WSGIHandler.__call__ = timed(wsgi.WSGIHandler.__call__, "WSGIHandler own")


def requests(application, town_days: list[str], run: str):
    """The two request kinds as callables of a counter."""
    read_day = town_days[0]
    query = (
        f"/api/v1/appointments/availability?service={SLUG}&date_from={read_day}&date_to={read_day}"
    )
    free: list[tuple[str, str]] = []
    for day in town_days[1:]:
        path = f"/api/v1/appointments/availability?service={SLUG}&date_from={day}&date_to={day}"
        _status, payload = wsgi(application, "GET", path)
        body = json.loads(gzip.decompress(payload))
        free += [(o["resource"], t) for o in body for t in o["free"]]
    free.reverse()

    def read(_i):
        return wsgi(application, "GET", query)[0]

    def hold(i):
        resource, start = free.pop()
        body = {"service": SLUG, "resource": resource, "start": start,
                "name": f"Person {i}", "email": f"p{i}.{run}@example.org"}  # fmt: skip
        status, last["hold"] = wsgi(application, "POST", "/api/v1/appointments/holds", body)
        return status

    last: dict[str, bytes] = {}  # the body of the last hold's answer
    return read, hold, len(free), last


def wsgi(application, method: str, path: str, body=None) -> tuple[int, bytes]:
    """One request through the WSGI application: (status, body)."""
    data = json.dumps(body).encode() if body is not None else b""
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": HOST, "HTTP_ACCEPT_ENCODING": "gzip", "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
    }  # fmt: skip
    status = {}

    def start_response(line, headers, exc_info=None):
        status["code"] = int(line.split()[0])

    result = application(environ, start_response)
    payload = b"".join(result)
    result.close()
    return status["code"], payload


def items_before_and_after(hold_answer: bytes, rounds: int = 15, n: int = 2000) -> None:
    """Each change of ADR 0105/0106/0113 against what it replaced, interleaved in this
    process (batches of ``n`` calls alternating, ``rounds`` times; medians of µs per
    call): on a shared machine whole-request figures drift more than these differences."""
    from statistics import median

    from django.core.cache import cache, close_caches
    from django.http import HttpResponse
    from django.middleware.gzip import GZipMiddleware
    from django.test import RequestFactory

    from rathaus.core import counters, memo
    from rathaus.core.compression import MachineReadableGZipMiddleware
    from rathaus.core.ops.cache import close_caches_that_close

    request = RequestFactory().post("/api/v1/appointments/holds", HTTP_ACCEPT_ENCODING="gzip")
    keys = [m.version_key for m in memo._registry]

    def answer():
        return HttpResponse(hold_answer, status=201, content_type="application/json")

    pairs = {
        "gzip middleware on a hold's 201": (
            lambda: GZipMiddleware(answer).process_response(request, answer()),
            lambda: MachineReadableGZipMiddleware(answer).process_response(request, answer()),
        ),
        "close_caches at request end": (close_caches, close_caches_that_close),
    }
    if hasattr(counters, "_held_connection"):  # ADR 0113: the kept connection
        full_keys = [cache.make_key(key) for key in keys]
        pairs["memo versions' MGET, one round trip"] = (
            lambda: _pooled_round_trip(cache, [("MGET", *full_keys)]),
            lambda: counters._round_trip(cache, [("MGET", *full_keys)]),
        )
    print(f"\nbefore -> after, interleaved, median of {rounds} x {n} calls (µs per call):")
    for name, (before, after) in pairs.items():
        spent: dict[int, list[float]] = {0: [], 1: []}
        for _ in range(rounds):
            for side, call in enumerate((before, after)):
                started = time.process_time()
                for _ in range(n):
                    call()
                spent[side].append((time.process_time() - started) / n * 1e6)
        print(f"  {name:34} {median(spent[0]):6.1f} -> {median(spent[1]):6.1f}")


def _pooled_round_trip(backend, commands: list[tuple]) -> list:
    """ADR 0101's round trip as it was before ADR 0113: a connection checked out of
    redis-py's pool and released for each round trip (the "before" of the A/B)."""
    from rathaus.core import counters

    pool = backend._cache._get_connection_pool(True)
    connection = pool.get_connection()
    try:
        connection.send_packed_command(counters._packed(connection, commands))
        return [connection.read_response() for _command in commands]
    except BaseException:
        connection.disconnect()
        raise
    finally:
        pool.release(connection)


def requests_before_and_after(read, hold, first: int, rounds: int, n: int) -> None:
    """Whole requests with the counters' round trips on a pool checkout each (before ADR
    0113) and on the kept connection (after), batches alternating in this process."""
    from statistics import median

    from rathaus.core import counters

    kept = counters._round_trip
    print(f"\nwhole requests, pool checkout -> kept connection, interleaved, median of "
          f"{rounds} x {n} (µs CPU per request):")  # fmt: skip
    for name, call in (("availability (hit)", read), ("hold", hold)):
        spent: dict[int, list[float]] = {0: [], 1: []}
        for _ in range(rounds):
            for side, round_trip in enumerate((_pooled_round_trip, kept)):
                counters._round_trip = round_trip
                try:
                    cpu, _statuses = batch(call, n, first)
                finally:
                    counters._round_trip = kept
                first += n
                spent[side].append(cpu * 1e6)
        print(f"  {name:34} {median(spent[0]):6.0f} -> {median(spent[1]):6.0f}")


def batch(call, n: int, first: int) -> tuple[float, dict]:
    statuses: dict[int, int] = {}
    started = time.process_time()
    for i in range(first, first + n):
        code = call(i)
        statuses[code] = statuses.get(code, 0) + 1
    return (time.process_time() - started) / n, statuses


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="per kind and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-layers", action="store_true", help="only the uninstrumented part")
    parser.add_argument("--items", action="store_true", help="ADR 0105/0106/0113's changes, A/B")
    args = parser.parse_args()
    os.environ.update({"RATHAUS_LOAD_TEST": "1", "ALLOWED_HOSTS": "*"})
    import booking

    if os.environ.get("BENCH_SRC"):  # another tree (``git archive main src | tar -x -C DIR``)
        sys.path.insert(0, os.environ["BENCH_SRC"])
    booking.setup_django()
    from datetime import timedelta

    from django.utils import timezone

    from rathaus.wsgi import application

    booking.build_fixture(1)
    today = timezone.localdate()
    days = [str(today + timedelta(days=d)) for d in range(1, booking.BOOKING_DAYS)]
    read, hold, places, last = requests(application, days, f"{int(time.time()):x}")
    n = args.requests
    if places < n * (args.rounds + 1 + (4 if args.items else 0)):
        sys.exit(f"{places} free places: fewer --requests or --rounds")
    batch(read, 200, 0), batch(hold, 200, 0)  # warm: imports, caches, learned read ahead
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    counter = 1000
    for number in range(args.rounds):
        line = []
        for name, call in (("availability (hit)", read), ("hold", hold)):
            cpu, statuses = batch(call, n, counter)
            counter += n
            line.append(f"{name} {cpu * 1e6:6.0f} µs {statuses}")
        print(f"round {number + 1}, CPU per request: " + ";  ".join(line))
    print(f"source {Path(sys.modules['rathaus'].__file__).parent}")
    if args.items:
        items_before_and_after(last["hold"])
        if hasattr(sys.modules["rathaus.core.counters"], "_held_connection"):
            requests_before_and_after(read, hold, counter, rounds=8, n=n // 4)
            counter += 2 * 8 * (n // 4)
    if args.no_layers:
        return
    instrument(application)
    for name, call in (("availability (hit)", read), ("hold", hold)):
        _own.clear()
        cpu, statuses = batch(call, n, counter)
        counter += n
        print(f"\n{name}, instrumented: {cpu * 1e6:.0f} µs CPU per request {statuses}")
        for label, seconds in sorted(_own.items(), key=lambda item: -item[1]):
            print(f"  {seconds / n * 1e6:7.1f} µs  {label}")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
