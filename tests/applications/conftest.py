"""Fixtures of the applications tests: catalog services with published library forms."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from rathaus.applications import library
from rathaus.catalog.models import Fee, Service, Topic
from rathaus.core.models import Office, Role
from tests.conftest import make_staff


def _real_pdf() -> bytes:
    """A one-page PDF that parses (uploads are checked with pypdf, issue 14)."""
    from pypdf import PdfWriter

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return out.getvalue()


def _real_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG")
    return out.getvalue()


PDF_BYTES = _real_pdf()
PNG_BYTES = _real_png()


@pytest.fixture(autouse=True)
def _run_on_commit(request, monkeypatch):
    """Non-transactional tests never commit: run after-commit work right away."""
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda fn, using=None, robust=False: fn())


@pytest.fixture(autouse=True)
def _no_demo_pay_http(settings):
    # Unit tests post the provider's webhooks themselves; the browser test uses real HTTP.
    settings.APPLICATIONS_DEMO_PAY_WEBHOOKS = False


def pdf_file(name="nachweis.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def make_service(town, slug, office=None, fee=None, name=None):
    topic, _ = Topic.objects.get_or_create(slug="test-thema", defaults={"name": "Testthema"})
    office = office or Office.objects.for_municipality(town).first()
    service = Service.objects.create(
        municipality=town,
        slug=slug,
        name=name or library.FORMS.get(slug, {}).get("title", slug),
        summary="Test",
        topic=topic,
        office=office,
        maturity_level=1,
    )
    if fee:
        Fee.objects.create(service=service, label="Gebühr", amount=Decimal(fee))
    return service


@pytest.fixture
def verkehr_a(town_a):
    return Office.objects.create(municipality=town_a, slug="a-verkehr", name="Straßenverkehrsamt A")


@pytest.fixture
def parking(town_a, verkehr_a):
    service = make_service(town_a, "bewohnerparkausweis-beantragen", office=verkehr_a, fee="30.60")
    library.install(service)
    return service


@pytest.fixture
def bulky(town_a):
    service = make_service(town_a, "sperrmuell-anmelden")
    library.install(service)
    return service


@pytest.fixture
def clerk_a(town_a, verkehr_a):
    return make_staff(town_a, "verkehr@a.test", Role.CLERK, office=verkehr_a)


@pytest.fixture
def other_clerk_a(town_a):
    office = Office.objects.get(municipality=town_a, slug="a-buergerbuero")
    return make_staff(town_a, "bb@a.test", Role.CLERK, office=office)


__all__ = ["io", "pdf_file", "make_service", "PDF_BYTES", "PNG_BYTES"]
