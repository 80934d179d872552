"""Links in e-mails come from the town's configured address, never from the Host header.

An attacker who requests a password reset (or registers) with ``Host: evil.example``
must not receive (or make the victim receive) a working token pointing to evil.example.
"""

import re

import pytest
from django.core import mail

from rathaus.core.tenancy import public_base_url

pytestmark = pytest.mark.django_db

EVIL = "evil.example"


def links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def test_unknown_host_gets_no_reset_mail(client, citizen, town_a):
    response = client.post(
        "/antraege/konto/passwort-vergessen/", {"email": citizen.email}, HTTP_HOST=EVIL
    )
    assert response.status_code == 400
    assert mail.outbox == []


def test_reset_link_ignores_host_even_when_demo_falls_back(client, citizen, town_a, settings):
    """Demo mode serves unknown hosts as the default town; the link still names the town."""
    settings.RATHAUS_DEFAULT_MUNICIPALITY = "stadt-a"
    town_a.base_url = "https://service.musterstadt-a.example"
    town_a.save()
    response = client.post(
        "/antraege/konto/passwort-vergessen/", {"email": citizen.email}, HTTP_HOST=EVIL
    )
    assert response.status_code == 302
    [link] = links(mail.outbox[-1].body)
    assert EVIL not in mail.outbox[-1].body
    assert link.startswith("https://service.musterstadt-a.example/antraege/konto/passwort-neu/")


def test_reset_link_uses_configured_base_url_not_request_host(client_a, citizen, town_a):
    town_a.base_url = "https://service.musterstadt-a.example/"
    town_a.save()
    client_a.post("/antraege/konto/passwort-vergessen/", {"email": citizen.email})
    [link] = links(mail.outbox[-1].body)
    assert link.startswith("https://service.musterstadt-a.example/antraege/konto/passwort-neu/")


def test_activation_and_existing_account_mails_ignore_host(
    client, citizen, town_a, settings, django_capture_on_commit_callbacks
):
    settings.RATHAUS_DEFAULT_MUNICIPALITY = "stadt-a"
    form = {
        "first_name": "Max",
        "last_name": "Muster",
        "password1": "Sommer-Regen-2026",
        "password2": "Sommer-Regen-2026",
        "privacy": "on",
    }
    for email in ("neu@example.org", citizen.email):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/antraege/konto/registrieren/", {**form, "email": email}, HTTP_HOST=EVIL)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert links(message.body), message.body
        assert EVIL not in message.body
        assert all(link.startswith(public_base_url(town_a)) for link in links(message.body))


def test_without_base_url_the_first_host_name_is_used(town_a, settings):
    from rathaus.core.tenancy import public_url

    assert public_url(town_a, "/x/") == "http://a.test/x/"
    settings.RATHAUS_HTTPS = True
    assert public_url(town_a, "/x/") == "https://a.test/x/"
