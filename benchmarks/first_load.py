"""What a phone downloads on its first visit to a page (issue 24: at most 200 KB).

Run:  .venv/bin/python benchmarks/first_load.py [--path /] [--path /leistungen/...]

Sets up a throw-away SQLite database with the core and catalog demo (Musterstadt),
collects the static files the way production does (``collectstatic`` into a
temporary STATIC_ROOT: fingerprinted and pre-compressed names), starts gunicorn
on a free loopback port and opens each page in headless Chromium at 375×812
with an empty cache. It prints every response with its transfer size (bytes on
the wire: headers plus the encoded body) and the total per page; then the same
page again (a second visit) to show what far-future caching saves.
"""

import argparse
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BUDGET = 200 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(tmp: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'first_load.sqlite3'}",
        "STATIC_ROOT": str(tmp / "static"),
        "WHITENOISE_USE_FINDERS": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "RATHAUS_MODE": "demo",  # the demo town answers on 127.0.0.1
        "DEBUG": "0",
        "TASKS_BACKEND": "immediate",
    }


def prepare(env: dict) -> None:
    python = str(ROOT / ".venv" / "bin" / "python")
    manage = [python, str(ROOT / "manage.py")]
    for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([*manage, *args], env=env, check=True, cwd=ROOT)
    loader = (
        "import django; django.setup();"
        "from rathaus.core import demo as c; from rathaus.catalog import demo as k;"
        "m = c.load(); k.load(m)"
    )
    subprocess.run(
        [python, "-c", loader],
        env={**env, "DJANGO_SETTINGS_MODULE": "rathaus.settings"},
        check=True,
        cwd=ROOT / "src",
    )


def serve(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "rathaus.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
        ],
        env=env,
        cwd=ROOT / "src",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start")


def measure(base: str, paths: list[str]) -> bool:
    from playwright.sync_api import sync_playwright

    within = True
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(viewport={"width": 375, "height": 812})
        for path in paths:
            for visit in ("first", "second"):
                page = context.new_page()
                sizes: list[tuple[str, int]] = []

                def record(response, sizes=sizes):
                    try:
                        got = response.request.sizes()
                    except Exception:  # the response was served from the memory cache
                        return
                    sizes.append(
                        (response.url, got["responseBodySize"] + got["responseHeadersSize"])
                    )

                page.on("response", record)
                page.goto(base + path, wait_until="networkidle")
                page.close()
                total = sum(size for _url, size in sizes)
                print(f"\n{path} ({visit} visit): {len(sizes)} responses, {total / 1024:.1f} KB")
                for url, size in sorted(sizes, key=lambda item: -item[1]):
                    print(f"  {size / 1024:7.1f} KB  {url.replace(base, '')}")
                if visit == "first":
                    within = within and total <= BUDGET
        browser.close()
    return within


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--path", action="append", dest="paths")
    args = parser.parse_args()
    paths = args.paths or ["/", "/leistungen/personalausweis-beantragen/"]
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(Path(tmp))
        prepare(env)
        port = free_port()
        server = serve(env, port)
        try:
            within = measure(f"http://127.0.0.1:{port}", paths)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"\nbudget {BUDGET // 1024} KB per first visit: {'kept' if within else 'EXCEEDED'}")
    sys.exit(0 if within else 1)


if __name__ == "__main__":
    main()
