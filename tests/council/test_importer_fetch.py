"""The OParl importer fetches only http(s): a source (or a redirect, or a link inside a
source) pointing at file:, ftp: or data: is refused, and bodies are size-limited."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote

import pytest

from rathaus.council import importer
from rathaus.council.importer import FetchError, http_fetch


@pytest.fixture
def server():
    """A local HTTP server: /redirect-file -> file:///etc/hostname, /big, /ok."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path == "/redirect-file":
                self.send_response(302)
                self.send_header("Location", "file:///etc/hostname")
                self.end_headers()
                return
            if self.path.startswith("/system?body="):
                link = unquote(self.path.split("=", 1)[1])
                body = json.dumps({"type": "https://schema.oparl.org/1.1/System", "body": link})
            else:
                body = json.dumps({"type": "x", "pad": "y" * 5000 if self.path == "/big" else ""})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "FILE:///etc/passwd", "ftp://example.org/x", "data:,{}", "/etc"]
)
def test_other_schemes_are_refused(url):
    with pytest.raises(FetchError):
        http_fetch(url)


def test_redirect_to_a_file_is_refused(server):
    assert http_fetch(server + "/ok")["type"] == "x"
    with pytest.raises(FetchError):
        http_fetch(server + "/redirect-file")


def test_oversized_answers_are_refused(server, monkeypatch):
    monkeypatch.setattr(importer, "MAX_FETCH_BYTES", 1000)
    with pytest.raises(FetchError):
        http_fetch(server + "/big")


@pytest.mark.django_db
def test_a_file_link_inside_a_source_is_not_read(town_a, tmp_path, server):
    """A link to file:///... inside an http source must not read a local file."""
    secret = tmp_path / "secret.json"
    secret.write_text(json.dumps({"id": "x", "type": "Organization", "name": "GEHEIM"}))
    with pytest.raises(FetchError):
        importer.Importer(town_a, secret.as_uri()).run()
    system = f"{server}/system?body={quote(secret.as_uri(), safe='')}"
    run = importer.Importer(town_a, system)
    with pytest.raises(FetchError):
        run.run()
    assert any("http" in reason for _url, reason in run.report.skipped)
    assert "GEHEIM" not in json.dumps(run.report.lines())
    from rathaus.council.models import Organization

    assert not Organization.objects.filter(name="GEHEIM").exists()
