"""Shared fixtures: two municipalities, staff, and a Playwright page with axe-core.

Host names select the municipality: ``a.test`` is Musterstadt-A, ``b.test`` is
Beispielstadt-B. Browser tests use the live server on ``localhost``, which maps
to municipality A.
"""

import os
import uuid
from datetime import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.urls import set_urlconf

from rathaus.core.models import (
    Location,
    Municipality,
    MunicipalityHost,
    Office,
    OpeningHours,
    Role,
    StaffRole,
    User,
)

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.RATHAUS_DEFAULT_MUNICIPALITY = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    from django.core.cache import cache

    from rathaus.appointments import shown_offers
    from rathaus.core import tenancy

    cache.clear()
    tenancy.forget_hosts()  # rows of earlier tests are rolled back, ids are reused
    shown_offers.forget()
    # A test that resolves a request by hand with its own URLconf (test_lean_api) leaves
    # it set for the thread; reverse() in a later test's task would use it.
    set_urlconf(None)


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests are skipped on SQLite; `.ci/run` runs the whole suite on
    PostgreSQL first (and fails when PostgreSQL is unreachable), so they always run in CI."""
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(
                pytest.mark.skip(reason="PostgreSQL only (DATABASE_URL=postgres://...)")
            )


def make_municipality(slug, name, ags, host, land="BB"):
    municipality = Municipality.objects.create(
        slug=slug, name=name, ags=ags, ars=ags + "0000", land=land, email=f"info@{host}"
    )
    MunicipalityHost.objects.create(municipality=municipality, host=host)
    return municipality


def make_office_with_location(municipality, prefix):
    office = Office.objects.create(
        municipality=municipality,
        slug=f"{prefix}-buergerbuero",
        name=f"Bürgerbüro {prefix.upper()}",
    )
    location = Location.objects.create(
        municipality=municipality,
        office=office,
        slug=f"{prefix}-mitte",
        name=f"Bürgerbüro {prefix.upper()} Mitte",
        street="Marktplatz 1",
        postcode="14999",
        city=municipality.name,
        step_free=True,
    )
    for day in range(5):
        OpeningHours.objects.create(location=location, weekday=day, opens=time(8), closes=time(16))
        OpeningHours.objects.create(
            location=location,
            kind=OpeningHours.Kind.WALK_IN,
            weekday=day,
            opens=time(8),
            closes=time(9),
        )
    return office, location


@pytest.fixture
def town_a(db):
    town = make_municipality("stadt-a", "Musterstadt-A", "12099901", "a.test")
    MunicipalityHost.objects.create(municipality=town, host="localhost")
    make_office_with_location(town, "a")
    return town


@pytest.fixture
def town_b(db):
    town = make_municipality("stadt-b", "Beispielstadt-B", "15099902", "b.test", land="ST")
    make_office_with_location(town, "b")
    return town


@pytest.fixture
def client_a(client, town_a):
    client.defaults["HTTP_HOST"] = "a.test"
    return client


@pytest.fixture
def client_b(client, town_b):
    client.defaults["HTTP_HOST"] = "b.test"
    return client


def make_staff(municipality, email, role, office=None):
    user = User.objects.create_user(email, "geheim-123!", is_staff=True)
    StaffRole.objects.create(user=user, municipality=municipality, role=role, office=office)
    return user


@pytest.fixture
def admin_a(town_a):
    return make_staff(town_a, "admin@a.test", Role.ADMINISTRATOR)


@pytest.fixture
def editor_a(town_a):
    return make_staff(town_a, "editor@a.test", Role.CATALOG_EDITOR)


@pytest.fixture
def citizen(db):
    return User.objects.create_user(
        "buerger@example.org", "geheim-123!", first_name="Erika", last_name="Mustermann"
    )


# --- Shared cache: in-process and Redis ---------------------------------------


def redis_reachable() -> bool:
    import redis

    try:
        return redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request, settings):
    """The test's cache: in-process, or Redis (127.0.0.1:6379/15) under a key prefix of
    its own, so parallel test processes never see each other's keys."""
    if request.param == "locmem":
        yield caches["default"]
        return
    if not redis_reachable():
        if os.environ.get("CI"):  # CI has Redis: its half of these tests must run there
            pytest.fail("CI needs Redis at 127.0.0.1:6379")
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"rathaus-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": prefix,
        }
    }
    backend = caches["default"]

    def clear_own_keys():
        # Never FLUSHDB: other test processes use DB 15 at the same time. Autouse
        # fixtures call cache.clear() in their teardown while this cache is still set.
        client = backend._cache.get_client(write=True)
        keys = client.keys(f"{prefix}:*")
        if keys:
            client.delete(*keys)

    backend.clear = clear_own_keys
    yield backend
    clear_own_keys()


# --- Browser ---------------------------------------------------------------


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make system`")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def _browser(_playwright):
    browser = _playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )
    yield browser
    browser.close()


class AxeViolation(AssertionError):
    pass


def check_axe(page) -> None:
    """Run axe-core (WCAG 2.1 A/AA rules) on the current page; fail on any violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluate() runs through the DevTools protocol, so the page's CSP still applies to the page
        # itself while axe is injected.
        page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"""
    )
    violations = result["violations"]
    if violations:
        lines = [f"axe: {len(violations)} violation(s) on {page.url}"]
        for v in violations:
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:5])
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']} -> {targets}")
        raise AxeViolation("\n".join(lines))


@pytest.fixture
def page(_browser, live_server):
    """A fresh browser page; fails the test on CSP violations or JS errors."""
    context = _browser.new_context(base_url=live_server.url, locale="de-DE")
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JS error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console: {msg.text}")
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    page.check_axe = lambda: check_axe(page)
    yield page
    context.close()
    assert not problems, "\n".join(problems)


def pg_connection_info():
    return connection.settings_dict
