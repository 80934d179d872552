import pytest

PAGES = [
    "/aemter/",
    "/aemter/a-buergerbuero/",
    "/standorte/a-mitte/",
    "/barrierefreiheit/",
    "/leichte-sprache/",
    "/datenschutz/",
    "/impressum/",
    "/anmelden/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", PAGES)
def test_public_pages_render(client_a, path):
    response = client_a.get(path)
    assert response.status_code == 200
    assert 'lang="de"' in response.content.decode()


@pytest.mark.django_db
def test_security_headers(client_a):
    response = client_a.get("/aemter/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_location_shows_walk_in_hours_and_accessibility(client_a):
    page = client_a.get("/standorte/a-mitte/").content.decode()
    assert "ohne Termin" in page
    assert "Stufenloser Zugang vorhanden" in page


@pytest.mark.django_db
def test_english_language_switch(client_a):
    response = client_a.post("/i18n/setlang/", {"language": "en", "next": "/aemter/"})
    assert response.status_code == 302
    page = client_a.get("/aemter/").content.decode()
    assert 'lang="en"' in page


@pytest.mark.django_db
def test_api_404_is_json(client_a):
    response = client_a.get("/api/v1/does-not-exist")
    assert response.status_code == 404


@pytest.mark.django_db
def test_staff_home_requires_login_and_role(client_a, citizen, admin_a):
    assert client_a.get("/verwaltung/").status_code == 302
    client_a.force_login(citizen)
    assert client_a.get("/verwaltung/").status_code == 403
    client_a.force_login(admin_a)
    assert client_a.get("/verwaltung/").status_code == 200


@pytest.mark.django_db
def test_theme_css_uses_the_municipalitys_colour(client_a, town_a):
    town_a.primary_colour = "#7a1f3d"
    town_a.save()
    response = client_a.get("/theme.css")
    assert response["Content-Type"].startswith("text/css")
    assert "--rathaus-primary: #7a1f3d" in response.content.decode()


@pytest.mark.django_db
def test_councillor_reaches_staff_home_without_admin_link(client_a, town_a):
    from rathaus.core.models import Role
    from tests.conftest import make_staff

    councillor = make_staff(town_a, "rat@a.test", Role.COUNCILLOR)
    client_a.force_login(councillor)
    page = client_a.get("/verwaltung/").content.decode()
    assert "Mandatsträger/in" in page
    assert "/verwaltung/admin/" not in page
