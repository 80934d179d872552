"""Council files: an HTML page or script uploaded by the council office is refused, and
whatever is stored (also older or imported files) is served sandboxed."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rathaus.council import services
from rathaus.council.models import File
from tests.core.test_uploads import jpeg_html_polyglot, real_pdf

pytestmark = pytest.mark.django_db

PAGE = b"<!DOCTYPE html><html><script src='x.js'></script><p>Vorlage</p></html>"


@pytest.fixture
def office_client(client_a, council_a):
    client_a.force_login(council_a.office_user)
    return client_a


def attach(client, paper, name, data, content_type):
    upload = SimpleUploadedFile(name, data, content_type)
    return client.post(
        f"/rat/verwaltung/vorlagen/{paper.pk}/datei/",
        {"name": name, "upload": upload, "public": "on"},
    )


@pytest.mark.parametrize(
    "name, data",
    [("anlage.html", PAGE), ("foto.jpg", jpeg_html_polyglot())],
)
def test_html_and_polyglots_are_refused(office_client, council_a, name, data):
    attach(office_client, council_a.paper, name, data, "application/pdf")
    assert not File.objects.filter(file_name=name).exists()


def test_pdf_is_stored_with_the_type_its_content_says(office_client, council_a):
    attach(office_client, council_a.paper, "vorlage.pdf", real_pdf(), "text/html")
    stored = File.objects.get(file_name="vorlage.pdf")
    assert stored.mime_type == "application/pdf"
    response = office_client.get(f"/rat/dateien/{stored.pk}/")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in response.get("Content-Disposition", "")


def test_a_stored_html_file_is_only_ever_downloaded_in_a_sandbox(client_a, council_a, town_a):
    """An HTML file from before this check (or from an OParl import) cannot run."""
    stored = services.attach_file(
        municipality=town_a,
        name="Altlast",
        file_name="altlast.html",
        data=PAGE,
        mime_type="text/html",
        public=True,
        paper=council_a.paper,
    )
    response = client_a.get(f"/rat/dateien/{stored.pk}/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
