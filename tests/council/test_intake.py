"""services_intake.submit_paper: papers handed over by other modules (e.g. Bürgerhaushalt)."""

import pytest
from django.test import Client

from rathaus.core.models import AuditEntry
from rathaus.council import services_intake
from rathaus.council.models import File, Paper

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\nTOP-Liste\n%%EOF"


def submit(town, **overrides):
    fields = {
        "name": "Bürgerhaushalt 2025 „TOP 20 – Liste der Bürgerinnen und Bürger“",
        "paper_type": Paper.Type.DRAFT_RESOLUTION,
        "text": "1. Trinkbrunnen – 40 Punkte",
        "reasoning": "400 Personen haben abgestimmt.",
        "originator": "Oberbürgermeisterin",
        "document": PDF,
        "document_name": "top-20.pdf",
        "document_text": "Trinkbrunnen",
    }
    return services_intake.submit_paper(town, **{**fields, **overrides})


def test_paper_with_main_file_in_the_council_numbering(town_a):
    first = submit(town_a)
    second = submit(town_a)
    assert first.reference.endswith("/SVV/0001") and second.reference.endswith("/SVV/0002")
    main = first.files.get()
    assert main.role == File.Role.MAIN and main.public and main.size == len(PDF)
    with main.content.open("rb") as handle:
        assert handle.read() == PDF
    assert AuditEntry.objects.filter(action="council.paper_created").count() == 2
    assert AuditEntry.objects.filter(action="council.file_attached").count() == 2


def test_public_paper_is_on_pages_and_in_oparl(town_a):
    paper = submit(town_a)
    client = Client(HTTP_HOST="a.test")
    page = client.get(f"/rat/vorlagen/{paper.pk}/").content.decode()
    assert paper.reference in page and "Trinkbrunnen" in page
    data = client.get(f"/rat/oparl/v1/paper/{paper.pk}").json()
    assert data["paperType"] == "Beschlussvorlage"
    assert data["mainFile"]["downloadUrl"].endswith("/download/")


def test_non_public_paper_and_file_stay_hidden(town_a, town_b):
    paper = submit(town_a, public=False)
    assert not paper.public and not paper.files.get().public
    client = Client(HTTP_HOST="a.test")
    assert client.get(f"/rat/vorlagen/{paper.pk}/").status_code == 404
    assert client.get(f"/rat/oparl/v1/paper/{paper.pk}").status_code == 404
    public = submit(town_a)
    other = Client(HTTP_HOST="b.test")
    assert other.get(f"/rat/vorlagen/{public.pk}/").status_code == 404


def test_unknown_type_is_refused_and_nothing_is_written(town_a):
    with pytest.raises(ValueError):
        submit(town_a, paper_type="Quatsch")
    assert not Paper.objects.exists() and not File.objects.exists()
