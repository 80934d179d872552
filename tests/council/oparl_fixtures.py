"""Serve the vendor-shaped OParl fixtures (``fixtures/oparl/*.json``) to the importer.

Each file maps paths under its ``_base`` URL to the JSON a server would answer; a
``modified_since`` parameter is ignored (incremental runs use ``overrides``).
"""

import copy
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from rathaus.council.importer import FetchError

FIXTURES = Path(__file__).parent / "fixtures" / "oparl"


class FixtureSource:
    def __init__(self, name: str, overrides: dict | None = None):
        pages = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
        self.base = pages.pop("_base")
        pages.pop("_about", None)
        self.pages = {**pages, **(overrides or {})}
        self.requested: list[str] = []

    @property
    def system_url(self) -> str:
        return self.base + next(k for k in self.pages if k.startswith("/system"))

    def url(self, path: str) -> str:
        return self.base + path

    def fetch(self, url: str):
        self.requested.append(url)
        if not url.startswith(self.base):
            raise FetchError(f"{url}: fremder Server")
        parts = urlsplit(url[len(self.base) :])
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "modified_since"]
        key = parts.path + (f"?{urlencode(query)}" if query else "")
        if key not in self.pages:
            raise FetchError(f"{url}: HTTP 404")
        return copy.deepcopy(self.pages[key])
