"""Disk full or read-only media while a citizen uploads (issue 20): a clear German
message, and the draft is exactly as before the upload (nothing half-saved)."""

import errno

import pytest
from django.core.files.storage import FileSystemStorage

from rathaus.applications.models import Upload

from .conftest import pdf_file
from .helpers import post_step, start


@pytest.mark.parametrize("failure", [errno.ENOSPC, errno.EROFS])
def test_an_upload_on_a_full_or_read_only_disk_is_refused_in_german(
    client_a, citizen, parking, monkeypatch, failure
):
    client_a.force_login(citizen)
    app, url = start(client_a, "bewohnerparkausweis-beantragen")
    url = post_step(
        client_a,
        url,
        {
            "anrede": "frau",
            "vorname": "Erika",
            "nachname": "Mustermann",
            "geburtsdatum": "1980-05-01",
        },
    )
    url = post_step(
        client_a, url, {"strasse": "Lindenstraße 5", "plz": "14467", "ort": "Musterstadt"}
    )
    app.refresh_from_db()
    before = dict(app.data)

    def full(self, name, content):
        raise OSError(failure, "simulated storage failure")

    monkeypatch.setattr(FileSystemStorage, "_save", full)
    client_a.raise_request_exception = False
    response = client_a.post(
        url,
        {"kennzeichen": "p ab 123", "zone": "B", "halter": "selbst", "fahrzeugschein": pdf_file()},
    )
    assert response.status_code == 503
    assert "Speicherproblem" in response.content.decode()
    assert response["Retry-After"]
    app.refresh_from_db()
    assert app.data == before  # the step was not stored
    assert not Upload.objects.filter(application=app).exists()
