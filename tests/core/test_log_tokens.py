"""Access log lines keep the route, not the token of a citizen's link (issue 17)."""

import json
import logging
import secrets

from django.core import signing

from rathaus.core.ops.logs import JsonFormatter


def access_line(path: str) -> dict:
    message = json.dumps({"method": "GET", "path": path, "status": 200})
    record = logging.makeLogRecord({"name": "gunicorn.access", "msg": message})
    return json.loads(JsonFormatter().format(record))


def test_tokens_in_paths_do_not_reach_the_access_log(settings):
    signed = signing.dumps({"b": 12, "c": "K7Q2ZD"}, salt="manage", compress=True)
    random = secrets.token_urlsafe(24) + "A1"
    for path, kept in [
        (f"/termine/t/{signed}/absagen/", "/termine/t/[token]/absagen/"),
        (f"/beteiligung/maengel/benachrichtigung/bestaetigen/{random}/", None),
    ]:
        line = access_line(path)
        assert signed not in json.dumps(line) and random not in json.dumps(line)
        assert "[token]" in line["path"]
        if kept:
            assert line["path"] == kept


def test_ordinary_paths_stay_readable():
    for path in [
        "/leistungen/bewohnerparkausweis-beantragen/",
        "/beteiligung/buergerhaushalt-2027/",
        "/rat/vorlagen/49/",
    ]:
        assert access_line(path)["path"] == path
