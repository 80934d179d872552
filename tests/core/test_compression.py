"""JSON, XML and calendars are sent gzipped to clients that accept it; HTML never is."""

import gzip
import json

import pytest

pytestmark = pytest.mark.django_db


def test_api_json_is_compressed(client_a):
    response = client_a.get("/api/v1/openapi.json", HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    body = gzip.decompress(response.content)
    assert json.loads(body)["openapi"].startswith("3.")
    assert len(response.content) < len(body) / 3


def test_html_pages_are_never_compressed(client_a):
    response = client_a.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "Content-Encoding" not in response


def test_without_accept_encoding_nothing_is_compressed(client_a):
    response = client_a.get("/api/v1/openapi.json")
    assert "Content-Encoding" not in response


@pytest.mark.parametrize("size, packed", [(1023, False), (1024, True)])
def test_small_json_answers_are_sent_as_they_are(rf, size, packed):
    """Below 1 KB gzip saves no packet and costs CPU on every hold (ADR 0105)."""
    from django.http import HttpResponse

    from rathaus.core.compression import MachineReadableGZipMiddleware

    body = json.dumps({"text": "abc" * size})[:size].encode()
    middleware = MachineReadableGZipMiddleware(
        lambda request: HttpResponse(body, content_type="application/json")
    )
    response = middleware(rf.get("/api/v1/x", HTTP_ACCEPT_ENCODING="gzip"))
    assert (response.get("Content-Encoding") == "gzip") is packed
    assert (gzip.decompress(response.content) if packed else response.content) == body
