"""No input gives a 5xx: every URL pattern of the real app, with the demo loaded, is
requested with hostile path and query parameters (and hostile form values for POST),
and every answer must be below 500.

How the URLs are made: a short link crawl from the start pages (as a staff user with
every role) gives a real set of path parameters for each pattern it reaches; patterns
it does not reach get plausible defaults. Then each path parameter in turn, and each
query/form parameter name the view's module reads (plus the input names of the real
page and the OpenAPI parameters of the JSON API), is set to every hostile value.
Query names and values are combined as a Latin square (request *i* gives name *j*
value *i + j*), so every name meets every value with one request per value, which
keeps the crawl to a few minutes on 2 cores.
"""

import inspect
import os
import re
import time
from collections import deque
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern

from rathaus.core.models import Role, StaffRole, User

from .test_isolation_crawl import load_demo

HOST = "localhost"
BIG = "1" + "0" * 40
HOSTILE_VALUES = [
    "²",
    BIG,
    "-9" + "9" * 22,
    "2026-02-30",
    "2026-13-45",
    "2026-03-01T25:61:00Z",
    "2026-03-01T10:00:00+99:00",
    "0001-01-01",
    "9999-12-31",
    "nan",
    "a\x00b\x01c",
    "x" * 10_000,
]
# Path values: only those that can match a converter at all reach a view.
HOSTILE_PATH_VALUES = ["²", BIG, "9" * 19, "2026-02-30", "a%00b%01", "x" * 9999]
SKIP_ROUTE = re.compile(r"abmelden|logout|^i18n/|^static/|^media/|^verwaltung/admin/.*password")
NAME_IN_SOURCE = re.compile(
    r"""(?:GET|POST|params|query|data|source|post)"""
    r"""(?:\.get|\.getlist|\.pop)?[\[(]\s*f?["']([A-Za-z_][\w\[\]-]{0,40})["']"""
)
INPUT_NAME = re.compile(r'<(?:input|select|textarea)[^>]*\bname="([^"]{1,60})"')
SHARED_FORM = re.compile(r"/i18n/|abmelden|logout")
POST_FORM = re.compile(r'<form[^>]*method="post"[^>]*>', re.IGNORECASE)
LINK = re.compile(r'href="(/[^"#]*)"')
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
# Django's admin is Django's own, well-tested code: its model lists get the admin's
# own parameters, its change pages hostile object ids; the rest of it is left out.
ADMIN = "verwaltung/admin/"
ADMIN_KEPT = re.compile(r"^verwaltung/admin/\w+/\w+/(<path:object_id>/change/)?$")
# (``_to_field=`` left empty gives a 500 inside Django's admin itself: Django's bug.)
ADMIN_NAMES = {"q", "p", "o", "e", "_popup", "all", "id__exact", "id__in"}
DEFAULTS = {"re": "json", "int": "1", "slug": "musterstadt", "str": "x", "path": "x", "uuid": None}
MAX_SEED_PAGES = 300
# Budget guard: the crawl must stay inside CI's budget (~3 min) as patterns are added.
MAX_REQUESTS = 6000


REGEX_GROUP = re.compile(r"\(\?P<(\w+)>[^()]*\)")


def regex_route(regex: str) -> str | None:
    r"""A regex route as a template (Open311's ``services/(?P<code>..)\.(?P<fmt>json|xml)``
    becomes ``services/<re:code>.<re:fmt>``); None if it is more than groups and dots."""
    route = REGEX_GROUP.sub(lambda m: f"<re:{m[1]}>", regex).removeprefix("^").removesuffix("$")
    route = route.replace("\\.", ".")
    return None if re.search(r"[\\()\[\]*+?|$^]", route) else route


def walk(patterns, prefix=""):
    """(route template, pattern) for every URL pattern Django can reverse-engineer."""
    for entry in patterns:
        route = str(entry.pattern)
        if isinstance(entry.pattern, RegexPattern):
            route = regex_route(route)
            if route is None:
                continue
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route, entry


def route_key(path: str):
    """Which view a path reaches (the seed crawl's and the templates' common key)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return (match.url_name, match.func)


def key_of(pattern):
    return (pattern.name, pattern.callback)


def build(route: str, values: dict) -> str | None:
    def fill(match):
        value = values.get(match["name"])
        return quote(value, safe="%") if value is not None else "\0"

    path = "/" + PARAM.sub(fill, route)
    return None if "\0" in path else path


def module_names(callback) -> set[str]:
    """Parameter names the view's module reads from the request."""
    target = inspect.unwrap(getattr(callback, "view_class", callback))
    module = inspect.getmodule(target)
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        return set()
    return set(NAME_IN_SOURCE.findall(source))


def api_query_names(client) -> tuple[dict[str, set[str]], set[str]]:
    """Query and body parameter names per API route, and the routes that take a POST."""
    schema = client.get("/api/v1/openapi.json", HTTP_HOST=HOST).json()
    names, posts = {}, set()
    for path, operations in schema["paths"].items():
        route = re.sub(r"\{(\w+)\}", r"<\1>", path.removeprefix("/"))
        if "post" in operations:
            posts.add("api/v1/" + route)
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    names.setdefault(route, set()).add(parameter["name"])
            body = operation.get("requestBody", {}).get("content", {})
            for content in body.values():
                ref = content.get("schema", {}).get("$ref", "")
                component = schema["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
                names.setdefault(route, set()).update(component.get("properties", {}))
    return names, posts


def seed_crawl(client):
    """Real path parameters and input names per route, from the links of real pages."""
    kwargs, inputs, seen, posts = {}, {}, set(), set()
    queue = deque(["/", "/verwaltung/", "/termine/", "/rat/", "/beteiligung/", "/antraege/"])
    while queue and len(seen) < MAX_SEED_PAGES:
        path = queue.popleft()
        if path in seen or path.startswith(("/static/", "/media/", "/abmelden")):
            continue
        seen.add(path)
        key = route_key(path)
        if key is None or key in kwargs:
            continue
        kwargs[key] = resolve(path).kwargs
        response = client.get(path, HTTP_HOST=HOST)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        inputs[key] = set(INPUT_NAME.findall(body)) - {"csrfmiddlewaretoken"}
        if any(not SHARED_FORM.search(form) for form in POST_FORM.findall(body)):
            posts.add(key)  # a form of its own (not the language switch or logout)
        queue.extend(urlsplit(link).path for link in LINK.findall(body))
    return kwargs, inputs, posts


def latin_square(names: list[str]):
    for i in range(len(HOSTILE_VALUES)):
        yield {name: HOSTILE_VALUES[(i + j) % len(HOSTILE_VALUES)] for j, name in enumerate(names)}


class Crawl:
    def __init__(self, client):
        self.client = client
        self.failures = []
        self.requests = 0
        self.seconds = {}
        self.counts = {}

    def request(self, method: str, path: str, data=None):
        self.requests += 1
        started = time.monotonic()
        try:
            self._request(method, path, data)
        finally:
            route = path.split("?")[0][:60]
            self.seconds[route] = self.seconds.get(route, 0) + time.monotonic() - started
            self.counts[route] = self.counts.get(route, 0) + 1

    def _request(self, method: str, path: str, data=None):
        label = f"{method} {path[:120]} {str(data)[:160] if data else ''}"
        call = self.client.get if method == "GET" else self.client.post
        try:
            response = call(path, data or {}, HTTP_HOST=HOST)
        except Exception as exc:  # the test client re-raises a view's exception
            self.failures.append(f"{label} -> {type(exc).__name__}: {str(exc)[:200]}")
            return
        if response.status_code >= 500:
            self.failures.append(f"{label} -> {response.status_code}")


def staff_with_every_role(municipality):
    user = User.objects.create_user("crawler@musterstadt.example", "x", is_staff=True)
    user.is_superuser = True
    user.save()
    for role in Role.values:
        StaffRole.objects.create(user=user, municipality=municipality, role=role)
    return user


@pytest.fixture
def demo_town(db):
    from rathaus.core import demo as core_demo

    town = core_demo.load()
    load_demo(town)
    return town


# PostgreSQL only: CI runs it once, against the production database (issue 14).
@pytest.mark.postgres
@pytest.mark.django_db
def test_no_hostile_parameter_gives_a_server_error(client, demo_town):
    started = time.monotonic()
    client.force_login(staff_with_every_role(demo_town))
    real_kwargs, page_inputs, post_routes = seed_crawl(client)
    print(f"seed crawl: {len(real_kwargs)} routes, {time.monotonic() - started:.0f} s")
    api_names, api_posts = api_query_names(client)
    post_routes |= api_posts
    crawl = Crawl(client)
    routes = [(route, p) for route, p in walk(get_resolver().url_patterns)]
    routes = [
        (route, p)
        for route, p in routes
        if not SKIP_ROUTE.search(route)
        and (not route.startswith(ADMIN) or ADMIN_KEPT.match(route))
        and re.search(os.environ.get("HOSTILE_CRAWL_ONLY", ""), route)  # for development
    ]
    for number, (route, pattern) in enumerate(routes):
        key = key_of(pattern)
        if os.environ.get("HOSTILE_CRAWL_REPORT"):
            print(f"{time.monotonic() - started:.0f} s route {number} {route}", flush=True)
        converters = {m["name"]: m["converter"] or "str" for m in PARAM.finditer(route)}
        base = real_kwargs.get(key) or {
            name: DEFAULTS.get(converter, "x") for name, converter in converters.items()
        }
        base = {name: str(value) for name, value in base.items()}
        for name in converters:
            for value in HOSTILE_PATH_VALUES:
                path = build(route, {**base, name: value})
                if path and route_key(path) == key:
                    crawl.request("GET", path)
        path = build(route, base)
        if not path or route_key(path) != key:
            continue
        xml_path = build(route, {**base, "fmt": "xml"}) if "fmt" in base else None  # Open311
        if route.startswith(ADMIN):
            for query in latin_square(sorted(ADMIN_NAMES)):
                crawl.request("GET", f"{path}?{urlencode(query)}")
            continue
        names = sorted(
            module_names(pattern.callback)
            | page_inputs.get(route, set())
            | api_names.get(route.removeprefix("api/v1/"), set())
        )
        for query in latin_square(names) if names else ():
            crawl.request("GET", f"{path}?{urlencode(query)}")
            if key in post_routes or route in post_routes or "open311" in route:
                crawl.request("POST", path, query)
            if xml_path:
                crawl.request("GET", f"{xml_path}?{urlencode(query)}")
                crawl.request("POST", xml_path, query)
    elapsed = time.monotonic() - started
    print(f"hostile crawl: {len(routes)} routes, {crawl.requests} requests, {elapsed:.0f} s")
    slowest = sorted(crawl.seconds.items(), key=lambda kv: -kv[1])[:15]
    print([(route, round(seconds, 1), crawl.counts[route]) for route, seconds in slowest])
    if os.environ.get("HOSTILE_CRAWL_REPORT"):
        Path(os.environ["HOSTILE_CRAWL_REPORT"]).write_text("\n".join(crawl.failures))
    assert not crawl.failures, "\n".join(crawl.failures[:60])
    assert len(real_kwargs) > 50, "the seed crawl should reach most pages of the demo"
    assert crawl.requests < MAX_REQUESTS
