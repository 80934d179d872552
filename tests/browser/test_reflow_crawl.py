"""Every page a citizen can reach from the start page, on a 320×640 phone screen: no sideways
scrolling (WCAG 1.4.10 Reflow), a reachable main menu, no axe violations. Staff pages the same
at 1024 px, for every demo account: and no link the staff home shows a clerk ends in 403.
The flows (booking, application, defect) are covered step by step in test_keyboard_flows."""

import re
from collections import deque

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from rathaus.core import demo as core_demo

from .keyboard import NO_SIDEWAYS_SCROLL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK_FILTER = re.compile(r"\.(csv|ics|pdf|xml|json|rss|png|svg|txt|zip)$|/(download|feed|ical|qr)")
SKIP_PREFIXES = ("/static/", "/media/", "/i18n/", "/abmelden/", "/api/", "/rat/oparl/")
SKIP_PREFIXES_PUBLIC = (*SKIP_PREFIXES, "/verwaltung/", "/beteiligung/open311/")
PAGES_PER_SHAPE = 1
MAX_PAGES = 140
STAFF_ACCOUNTS = [
    "admin@musterstadt.example",
    "redaktion@musterstadt.example",
    "buergerbuero@musterstadt.example",
    "steuern@musterstadt.example",
    "termine@musterstadt.example",
    "ratsbuero@musterstadt.example",
    "moderation@musterstadt.example",
]


@pytest.fixture
def demo_town(db):
    town = core_demo.load()
    for dotted in settings.RATHAUS_DEMO_LOADERS[1:]:
        import_string(dotted)(town)
    return town


def shape(path: str) -> str:
    """/rat/vorlagen/49/ and /rat/vorlagen/42/ have the same shape: one visit or two suffice."""
    parts = re.sub(r"\d+", "N", path).strip("/").split("/")
    if len(parts) >= 2:
        parts[-1] = "X"
    return "/".join(parts)


def links_on(page, skip_prefixes) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = []
    for href in hrefs:
        href = href.split("#")[0]
        if not href.startswith("/") or "?" in href or href.startswith(skip_prefixes):
            continue
        if LINK_FILTER.search(href):
            continue
        found.append(href)
    return found


def crawl(page, start: str, skip_prefixes, visit) -> list[str]:
    seen, queue, per_shape, visited = {start}, deque([start]), {}, []
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        response = page.goto(path)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append(path)
        visit(path, response)
        for href in links_on(page, skip_prefixes):
            key = shape(href)
            if href in seen or per_shape.get(key, 0) >= PAGES_PER_SHAPE:
                continue
            per_shape[key] = per_shape.get(key, 0) + 1
            seen.add(href)
            queue.append(href)
    return visited


def assert_menu_reachable(page) -> None:
    toggle = page.locator(".site-menu__button")
    assert toggle.is_visible(), f"no menu button on {page.url}"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    first = page.locator("#site-nav a").first
    assert first.is_visible() and first.bounding_box()["x"] >= 0
    toggle.click()
    assert page.locator("#site-nav").is_hidden()


def test_public_pages_at_320px_and_staff_pages_at_1024px(page, demo_town):
    """One test, because loading the whole demo takes one to two minutes."""
    check_public_pages(page)
    check_staff_pages(page)


def check_public_pages(page):
    page.set_viewport_size({"width": 320, "height": 640})
    problems = []

    def visit(path, response):
        assert response.status < 500, path
        page.wait_for_load_state()
        if not page.evaluate(NO_SIDEWAYS_SCROLL):
            width = page.evaluate("document.documentElement.scrollWidth")
            problems.append(f"{path}: {width} px wide")
        if page.locator("[data-site-menu], .site-menu").count():
            assert_menu_reachable(page)
        page.check_axe()

    visited = crawl(page, "/", SKIP_PREFIXES_PUBLIC, visit)
    assert len(visited) > 30, visited  # the crawl really went through every module
    assert not problems, "\n".join(problems)


def log_in(page, email: str) -> None:
    page.goto("/anmelden/")
    page.fill("#id_username", email)
    page.fill("#id_password", core_demo.DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def check_staff_pages(page):
    page.set_viewport_size({"width": 1024, "height": 768})
    checked_by_axe: set[str] = set()
    for email in STAFF_ACCOUNTS:  # one demo load for all accounts
        page.context.clear_cookies()
        log_in(page, email)
        check_staff_links(page, email, checked_by_axe)


def check_staff_links(page, email, checked_by_axe):
    page.goto("/verwaltung/")
    staff_links = [
        href for href in links_on(page, SKIP_PREFIXES) if not href.startswith("/verwaltung/admin/")
    ]
    forbidden, wide, shapes = [], [], set()
    for href in dict.fromkeys(staff_links):
        response = page.goto(href)
        if response.status == 403:
            forbidden.append(href)
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        if not page.evaluate(NO_SIDEWAYS_SCROLL):
            wide.append(href)
        if href not in checked_by_axe:
            checked_by_axe.add(href)
            page.check_axe()
        for inner in links_on(page, SKIP_PREFIXES):
            area = href.rstrip("/").rsplit("/", 1)[0]
            if inner in staff_links or not inner.startswith(area) or shape(inner) in shapes:
                continue
            shapes.add(shape(inner))  # one link of each shape is enough
            inner_response = page.request.get(inner)
            if inner_response.status == 403:
                forbidden.append(f"{inner} (linked from {href})")
    assert not forbidden, f"{email} is shown links that end in 403: {forbidden}"
    assert not wide, f"sideways scrolling at 1024 px for {email}: {wide}"
