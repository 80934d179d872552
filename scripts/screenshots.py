"""Regenerate the phone screenshots in docs/screenshots/ (375 CSS px wide, issue 16).

Usage (after `rathaus demo --no-serve` has loaded the demo city):

    .venv/bin/python scripts/screenshots.py                 # starts its own server
    .venv/bin/python scripts/screenshots.py --base-url http://127.0.0.1:8000

Uses Playwright with the system Chromium (CHROMIUM_PATH, default /usr/bin/chromium).
"""

import argparse
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
PHONE = {"width": 375, "height": 812}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def demo_server(base_url: str | None):
    if base_url:
        yield base_url.rstrip("/")
        return
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urlopen(url + "/", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def shoot(page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
    if overflow > 0:
        raise SystemExit(f"{name}: the page scrolls sideways by {overflow} px")
    page.screenshot(path=OUT / f"{name}.png")
    print(f"{OUT / name}.png  ({page.url})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a running demo server; default: start one")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    with demo_server(args.base_url) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale="de-DE", base_url=url
        )
        page = context.new_page()
        page.goto("/")
        shoot(page, "start-page")
        page.goto("/leistungen/personalausweis-beantragen/")
        shoot(page, "service-page")
        page.goto("/termine/leistung/personalausweis-beantragen/")
        page.locator("main a", has_text="Termine ansehen").first.click()
        shoot(page, "booking-calendar")
        page.goto("/beteiligung/maengel/melden/")
        shoot(page, "defect-form")
        browser.close()


if __name__ == "__main__":
    main()
