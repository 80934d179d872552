"""The wrong way in: other citizens, other offices, other municipalities, wrong roles."""

import pytest

from rathaus.applications import cases, library
from rathaus.applications.models import Application, Message
from rathaus.core.models import Office, Role, User
from tests.conftest import make_staff

from .conftest import make_service
from .helpers import fill_parking

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(client_a, citizen, parking):
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    app.refresh_from_db()
    client_a.logout()
    return app


def test_other_citizen_gets_404_everywhere(client_a, submitted, clerk_a):
    cases.request_documents(submitted, "Bitte Fahrzeugschein nachreichen.", actor=clerk_a)
    message = Message.objects.get(application=submitted, kind="request")
    upload = submitted.uploads.first()
    intruder = User.objects.create_user("fremd@example.org", "geheim-123!")
    client_a.force_login(intruder)
    for url in [
        f"/antraege/antrag/{submitted.key}/",
        f"/antraege/antrag/{submitted.key}/bestaetigung/",
        f"/antraege/antrag/{submitted.key}/bezahlen/",
        f"/antraege/postfach/{message.pk}/",
        f"/antraege/datei/{upload.pk}/",
    ]:
        assert client_a.get(url).status_code == 404, url
    assert client_a.post(f"/antraege/postfach/{message.pk}/", {"body": "hi"}).status_code == 404
    assert client_a.post(f"/antraege/antrag/{submitted.key}/absenden/").status_code == 404


def test_anonymous_gets_404_for_account_applications(client_a, submitted):
    assert client_a.get(f"/antraege/antrag/{submitted.key}/").status_code == 404


def test_other_office_clerk_gets_404(client_a, submitted, other_clerk_a):
    client_a.force_login(other_clerk_a)
    assert submitted.reference not in client_a.get("/antraege/verwaltung/").content.decode()
    assert client_a.get(f"/antraege/verwaltung/vorgang/{submitted.reference}/").status_code == 404
    response = client_a.post(
        f"/antraege/verwaltung/vorgang/{submitted.reference}/note/", {"note-text": "x"}
    )
    assert response.status_code == 404
    upload = submitted.uploads.first()
    assert client_a.get(f"/antraege/datei/{upload.pk}/").status_code == 404


def test_citizen_and_other_roles_get_403_on_inbox(client_a, citizen, editor_a, town_a):
    client_a.force_login(citizen)
    assert client_a.get("/antraege/verwaltung/").status_code == 403
    client_a.force_login(editor_a)
    assert client_a.get("/antraege/verwaltung/").status_code == 403


def test_administrator_sees_all_offices(client_a, submitted, admin_a):
    client_a.force_login(admin_a)
    assert submitted.reference in client_a.get("/antraege/verwaltung/").content.decode()


def test_other_municipality_gets_404(town_b, submitted):
    from django.test import Client

    client_b = Client(HTTP_HOST="b.test")
    client_b.force_login(make_staff(town_b, "clerk@b.test", Role.ADMINISTRATOR))
    assert client_b.get(f"/antraege/verwaltung/vorgang/{submitted.reference}/").status_code == 404
    client_b.force_login(submitted.applicant)
    assert client_b.get(f"/antraege/antrag/{submitted.key}/").status_code == 404
    assert client_b.get(f"/antraege/datei/{submitted.uploads.first().pk}/").status_code == 404
    assert client_b.get("/antraege/bewohnerparkausweis-beantragen/").status_code == 404


def test_clerk_cannot_assign_someone_from_another_office(
    client_a, submitted, clerk_a, other_clerk_a
):
    client_a.force_login(clerk_a)
    response = client_a.post(
        f"/antraege/verwaltung/vorgang/{submitted.reference}/assign/",
        {"assign-assignee": str(other_clerk_a.pk)},
    )
    assert response.status_code == 400  # not a valid choice
    submitted.refresh_from_db()
    assert submitted.assignee is None


def test_guest_draft_only_in_its_own_browser_session(client_a, town_a, client):
    service = make_service(town_a, "sperrmuell-anmelden")
    library.install(service)
    client_a.post("/antraege/sperrmuell-anmelden/", {"email": "gast@example.org"})
    app = Application.objects.get()
    from django.test import Client

    stranger = Client(HTTP_HOST="a.test")
    assert stranger.get(f"/antraege/antrag/{app.key}/schritt/person/").status_code == 404


def test_other_office_case_not_in_office_filter(client_a, submitted, town_a, clerk_a):
    office = Office.objects.get(municipality=town_a, slug="a-buergerbuero")
    response = client_a.get(f"/antraege/verwaltung/?office={office.slug}")
    assert response.status_code == 302  # not logged in → login
