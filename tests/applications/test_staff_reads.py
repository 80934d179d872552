"""Staff reads of personal data are audited: opening a case, downloading a file."""

import pytest

from rathaus.core.models import AuditEntry

from .helpers import fill_parking

pytestmark = pytest.mark.django_db


def test_case_view_and_file_download_are_audited(client_a, citizen, parking, clerk_a):
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    app.refresh_from_db()
    upload = app.uploads.first()
    assert client_a.get(f"/antraege/datei/{upload.pk}/").status_code == 200
    assert not AuditEntry.objects.filter(action="applications.file_downloaded").exists()
    client_a.force_login(clerk_a)
    assert client_a.get(f"/antraege/verwaltung/vorgang/{app.reference}/").status_code == 200
    assert client_a.get(f"/antraege/datei/{upload.pk}/").status_code == 200
    viewed = AuditEntry.objects.get(action="applications.case_viewed")
    downloaded = AuditEntry.objects.get(action="applications.file_downloaded")
    assert viewed.actor == clerk_a and viewed.object_id == str(app.pk)
    assert downloaded.actor == clerk_a and downloaded.object_id == str(upload.pk)
