"""Copy the front-end packages installed by npm into static/vendor (not committed)."""

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "src" / "rathaus" / "static" / "vendor"

COPIES = {
    "@kern-ux/native/dist/kern.min.css": "kern/kern.min.css",
    "@kern-ux/native/dist/fonts": "kern/fonts",
    "@kern-ux/native/dist/js": "kern/js",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
    "leaflet/dist/leaflet.js.map": "leaflet/leaflet.js.map",  # named in leaflet.js (collectstatic)
    "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
    "leaflet/dist/images": "leaflet/images",
    # ALTCHA widget, CSP-friendly build: styles and worker as separate files (ADR 0022).
    "altcha/dist_external/altcha.js": "altcha/altcha.js",
    "altcha/dist_external/worker.js": "altcha/worker.js",
    "altcha/dist_external/altcha.css": "altcha/altcha.css",
}


def main() -> None:
    for source, target in COPIES.items():
        src, dst = NODE / source, VENDOR / target
        if not src.exists():
            raise SystemExit(f"missing {src}: run npm ci first")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dst)
    print(f"assets copied to {VENDOR}")


if __name__ == "__main__":
    main()
