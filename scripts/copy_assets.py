"""Copy the front-end packages installed by npm into static/vendor (not committed).

The KERN fonts are subset on the way: each Fira Sans file carries Greek,
Cyrillic and Vietnamese glyphs (about 130 KB each); a German portal needs Latin
with its extensions, typographic punctuation and the euro sign (about 25 KB
each). A phone's first visit then loads far less (issue 24's 200 KB budget).
Characters outside the subset fall back to the system font.
"""

import logging
import re
import shutil
from pathlib import Path

from fontTools import subset

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "src" / "rathaus" / "static" / "vendor"

COPIES = {
    "@kern-ux/native/dist/kern.min.css": "kern/kern.min.css",
    "@kern-ux/native/dist/fonts": "kern/fonts",
    "@kern-ux/native/dist/js": "kern/js",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
    "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
    "leaflet/dist/images": "leaflet/images",
    # ALTCHA widget, CSP-friendly build: styles and worker as separate files (ADR 0022).
    "altcha/dist_external/altcha.js": "altcha/altcha.js",
    "altcha/dist_external/worker.js": "altcha/worker.js",
    "altcha/dist_external/altcha.css": "altcha/altcha.css",
}


FONT_CSS = VENDOR / "kern" / "fonts" / "fira-sans.css"
# Basic Latin, Latin-1, Latin Extended-A (names from all of Europe), Romanian
# comma letters, capital sharp s, general punctuation („“ – … •), superscripts,
# the euro sign, letterlike (№ ™), arrows and the operators − ≤ ≥ ≠.
UNICODES = (
    "U+0000-017F,U+0218-021B,U+02C6,U+02DA,U+02DC,U+1E9E,U+2000-206F,U+2070-209F,"
    "U+20AC,U+2116,U+2122,U+2190-2193,U+2212,U+2260,U+2264-2265,U+FEFF,U+FFFD"
)


def subset_fonts() -> None:
    """Subset the font files that the KERN font stylesheet uses, in place."""
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # notes on old OS/2 tables
    names = re.findall(r'url\("\./([^"]+\.woff2)"\)', FONT_CSS.read_text())
    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False  # screens of today render without TrueType hints
    options.desubroutinize = True  # compresses better under woff2
    options.notdef_outline = True
    for name in names:
        path = FONT_CSS.parent / name
        font = subset.load_font(str(path), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=subset.parse_unicodes(UNICODES))
        subsetter.subset(font)
        subset.save_font(font, str(path), options)


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
    subset_fonts()
    print(f"assets copied to {VENDOR} (fonts subset to Latin)")


if __name__ == "__main__":
    main()
