"""Drive the citizen flow through the Django test client."""

import re
from datetime import timedelta

from django.utils import timezone

from rathaus.applications.models import Application

from .conftest import pdf_file


def start(client, slug):
    response = client.post(f"/antraege/{slug}/")
    assert response.status_code == 302, response.content[:500]
    key = re.search(r"/antrag/([0-9a-f-]+)/", response["Location"]).group(1)
    return Application.objects.get(key=key), response["Location"]


def post_step(client, url, data):
    response = client.post(url, data)
    assert response.status_code == 302, _errors(response)
    return response["Location"]


def _errors(response):
    return re.findall(
        r'class="kern-error"[^>]*>.*?<span class="kern-body">(.*?)</span>',
        response.content.decode(),
        re.S,
    )


def fill_parking(client):
    """Fill every step of the Bewohnerparkausweis form; returns the draft and check URL."""
    app, url = start(client, "bewohnerparkausweis-beantragen")
    url = post_step(
        client,
        url,
        {
            "anrede": "frau",
            "vorname": "Erika",
            "nachname": "Mustermann",
            "geburtsdatum": "1980-05-01",
        },
    )
    url = post_step(
        client, url, {"strasse": "Lindenstraße 5", "plz": "14467", "ort": "Musterstadt"}
    )
    url = post_step(
        client,
        url,
        {
            "kennzeichen": "p ab 123",
            "zone": "B",
            "halter": "selbst",
            "fahrzeugschein": pdf_file("schein.pdf"),
        },
    )
    start_date = (timezone.localdate() + timedelta(days=3)).isoformat()
    url = post_step(client, url, {"laufzeit": "12", "beginn": start_date})
    url = post_step(client, url, {"email": "erika@example.org", "telefon": "0331 123456"})
    assert url.endswith("/pruefen/"), url
    app.refresh_from_db()
    return app, url
