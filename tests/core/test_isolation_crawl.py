"""No query crosses municipalities: the full demo is loaded twice, for Musterstadt (A)
and for a second town (B) whose every name is tagged; then every page reachable from A's
start page and every parameterless GET endpoint of the API is fetched on A's host and
must not contain B's tag. It covers every module's demo data as modules are added."""

import re
from collections import deque

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import CharField, Value
from django.db.models.functions import Concat
from django.utils.module_loading import import_string

from rathaus.core import demo as core_demo
from rathaus.core.models import TenantModel

TAG = "ZZB-LEAK"
B_IDENTITY = {
    "slug": "zweitstadt",
    "name": f"Zweitstadt {TAG}",
    "ags": "15099999",
    "ars": "150999999999",
    "land": "ST",
    "email": "info@zweitstadt.example",
    "address": "Markt 1\n39999 Zweitstadt",
    "service_phone": "115",
}
LINK = re.compile(r'href="(/[^"#?]*)')
SKIP_PREFIXES = ("/static/", "/media/", "/verwaltung/", "/i18n/", "/abmelden/", "/api/v1/docs")
MAX_PAGES = 400


def load_demo(municipality):
    for dotted in settings.RATHAUS_DEMO_LOADERS[1:]:
        import_string(dotted)(municipality)


def tag_every_name(municipality):
    """Append TAG to every name/title of B's rows so a leak is visible in any page."""
    for model in apps.get_models():
        if not issubclass(model, TenantModel):
            continue
        for field_name in ("name", "title", "short_name"):
            try:
                field = model._meta.get_field(field_name)
            except Exception:
                continue
            if isinstance(field, CharField) and field.max_length and field.max_length >= 40:
                model.objects.filter(municipality=municipality).update(
                    **{field_name: Concat(field_name, Value(f" {TAG}"))}
                )


@pytest.fixture
def two_demo_towns(db):
    town_a = core_demo.load()
    load_demo(town_a)
    town_b = core_demo.load(identity=B_IDENTITY, hosts=("zweitstadt.test",))
    load_demo(town_b)
    tag_every_name(town_b)
    return town_a, town_b


def crawl(client, host, start="/"):
    seen, queue, pages = set(), deque([start]), {}
    while queue and len(pages) < MAX_PAGES:
        path = queue.popleft()
        if path in seen or path.startswith(SKIP_PREFIXES):
            continue
        seen.add(path)
        response = client.get(path, HTTP_HOST=host)
        assert response.status_code < 500, f"{path} -> {response.status_code}"
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content.decode()
        pages[path] = body
        queue.extend(link for link in LINK.findall(body) if link not in seen)
    return pages


def api_list_paths(client, host):
    schema = client.get("/api/v1/openapi.json", HTTP_HOST=host).json()
    return [
        path
        for path, operations in schema["paths"].items()
        if "get" in operations and "{" not in path
    ]


@pytest.mark.django_db
def test_nothing_of_town_b_appears_on_town_a(client, two_demo_towns):
    """One test, so the two full demo towns are loaded once (about a minute each)."""
    # Sanity check of the leak test itself: the tag is visible on B's own pages.
    own_pages = crawl(client, "zweitstadt.test")
    assert any(TAG in body for body in own_pages.values())

    pages = crawl(client, "localhost")
    assert len(pages) > 5
    leaks = [path for path, body in pages.items() if TAG in body]
    assert not leaks, f"town B's data on town A's pages: {leaks[:10]}"
    for path in api_list_paths(client, "localhost"):
        response = client.get(path, HTTP_HOST="localhost")
        assert response.status_code < 500, path
        assert TAG not in response.content.decode(), f"town B's data in API {path}"
