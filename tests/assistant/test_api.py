"""JSON API: POST /api/v1/assistant/ask."""

import pytest

pytestmark = pytest.mark.django_db

URL = "/api/v1/assistant/ask"


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def test_answer_with_sources_and_follow_up(client_a, catalog_a):
    response = post(client_a, {"question": "Was kostet ein Reisepass?"})
    assert response.status_code == 200
    data = response.json()
    assert data["service"] == "reisepass-beantragen"
    assert data["language"] == "de" and data["fallback"] is False
    assert data["intents"] == ["cost"]
    assert "70 €" in data["answer"]
    assert data["sources"][0] == {
        "title": "Reisepass beantragen",
        "url": "http://a.test/leistungen/reisepass-beantragen/",
        "kind": "service",
    }
    assert data["suggestions"] and data["confidence"] > 0
    follow = post(
        client_a,
        {"question": "what do I need to bring?", "conversation_id": data["conversation_id"]},
    ).json()
    assert follow["service"] == "reisepass-beantragen" and follow["language"] == "en"
    assert follow["conversation_id"] == data["conversation_id"]


def test_fallback_flag(client_a, catalog_a):
    data = post(client_a, {"question": "Wer wird Fußballmeister?"}).json()
    assert data["fallback"] is True and data["service"] is None and data["sources"] == []
    assert "115" in data["answer"]


def test_choices_and_choice(client_a, catalog_a):
    data = post(client_a, {"question": "Gewerbe"}).json()
    slugs = [c["slug"] for c in data["choices"]]
    assert "gewerbe-anmelden" in slugs
    chosen = post(
        client_a,
        {
            "question": "Gewerbe anmelden",
            "choice": "gewerbe-anmelden",
            "conversation_id": data["conversation_id"],
        },
    ).json()
    assert chosen["service"] == "gewerbe-anmelden"
    assert chosen["actions"][0]["url"] == "https://formulare.example.org/gewerbe"


def test_validation_errors_in_the_common_shape(client_a, catalog_a):
    response = post(client_a, {"question": ""})
    assert response.status_code == 422
    assert response.json()["field"].endswith("question")
    response = post(client_a, {"question": "x" * 501})
    assert response.status_code == 422
    response = post(client_a, {"question": "   "})
    assert response.status_code == 422
    assert response.json()["detail"] == "Bitte geben Sie eine Frage ein."


def test_isolation_in_the_api(client_b, catalog_a, catalog_b):
    data = post(client_b, {"question": "Was kostet ein Reisepass?"}).json()
    assert "99 €" in data["answer"] and "70 €" not in data["answer"]
    assert data["sources"][0]["url"].startswith("http://b.test/")
