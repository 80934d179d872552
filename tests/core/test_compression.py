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
