"""Embedding (ADR 0008): listed origins may frame the booking, a form and the assistant;
every other page and every other origin stays denied."""

import pytest

from rathaus.core import embedding
from rathaus.core.models import AuditEntry, EmbedOrigin, Role
from rathaus.core.parsing import ParseError
from tests.appointments.conftest import day, make_offer, make_service  # noqa: F401 - day: fixture
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

SITE = "https://www.a.test"


@pytest.fixture
def offer(town_a):
    return make_offer(town_a, make_service(town_a))


@pytest.fixture
def listed(town_a, admin_a):
    return embedding.add_origin(town_a, SITE + "/", actor=admin_a)


def ancestors(response) -> str:
    policy = response.headers.get("Content-Security-Policy", "")
    return next(p.strip() for p in policy.split(";") if "frame-ancestors" in p)


def denied(response) -> bool:
    return (
        response.headers.get("X-Frame-Options") == "DENY"
        and ancestors(response) == "frame-ancestors 'none'"
    )


BOOKING = "/einbetten/termine/leistung/personalausweis-beantragen/"


def test_without_listed_origins_embedded_pages_are_denied_too(client_a, offer):
    response = client_a.get(BOOKING)
    assert response.status_code == 200 and denied(response)


def test_a_listed_origin_may_frame_the_lean_booking_and_its_links_stay_embedded(
    client_a,
    offer,
    listed,
    day,  # noqa: F811 - the fixture imported from tests.appointments.conftest
):
    response = client_a.get(BOOKING)
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
    assert ancestors(response) == f"frame-ancestors {SITE}"
    page = response.content.decode()
    assert 'class="site-header"' not in page and "data-embedded" in page
    assert f'href="{BOOKING}schalter/?personen=1"' in page
    # The next steps of the flow are embedded and frameable as well.
    calendar = client_a.get(BOOKING + "schalter/", {"tag": day})
    assert ancestors(calendar) == f"frame-ancestors {SITE}"
    assert "/einbetten/termine/leistung/personalausweis-beantragen/schalter/buchen/?start=" in (
        calendar.content.decode()
    )


@pytest.mark.parametrize(
    "path",
    [
        "/termine/leistung/personalausweis-beantragen/",  # the same page, not embedded
        "/einbetten/termine/verwaltung/",
        "/einbetten/antraege/konto/registrieren/",
        "/einbetten/antraege/verwaltung/",
        "/einbetten/assistent/rueckmeldungen/",
        "/einbetten/assistent/offene-fragen/",
        "/datenschutz/",
        "/anmelden/",
        "/",
    ],
)
def test_other_pages_stay_denied_for_listed_origins(client_a, offer, listed, path):
    assert denied(client_a.get(path))


def test_the_assistant_and_a_form_are_embeddable(client_a, town_a, listed):
    from rathaus.applications import library
    from tests.applications.conftest import make_service as make_application_service

    assert ancestors(client_a.get("/einbetten/assistent/")) == f"frame-ancestors {SITE}"
    library.install(make_application_service(town_a, "hund-anmelden"))
    response = client_a.get("/einbetten/antraege/hund-anmelden/")
    assert response.status_code == 200
    assert ancestors(response) == f"frame-ancestors {SITE}"
    assert 'class="site-header"' not in response.content.decode()


def test_another_towns_origin_is_not_listed_here(client_a, offer, town_b, admin_a):
    embedding.add_origin(town_b, "https://www.b.test", actor=admin_a)
    assert denied(client_a.get(BOOKING))


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "javascript:alert(1)",
        "https://www.a.test/seite",
        "https://www.a.test?x=1",
        "*",
        "https://*.a.test",
        "http://www.a.test",
        "https://user@www.a.test",
        "https://www.a.test:99999",
        "https://exa mple.org",
        "https://www.a.test\x00",
        "https://" + "a" * 10_000 + ".de",
        "https://😀.de",
        "https://a².de",
        "https://www.a.test 'unsafe-inline'",
        "https://www.a.test; script-src *",
    ],
)
def test_hostile_origins_are_refused(raw):
    with pytest.raises(ParseError):
        embedding.normalise_origin(raw)


def test_origins_are_normalised():
    assert embedding.normalise_origin(" HTTPS://WWW.A.TEST/ ") == "https://www.a.test"
    assert embedding.normalise_origin("https://a.test:8443") == "https://a.test:8443"
    assert embedding.normalise_origin("http://localhost:8000") == "http://localhost:8000"


def test_staff_page_needs_the_administrator_role(client_a, town_a, offer):
    assert client_a.get("/verwaltung/einbetten/").status_code == 302  # login
    clerk = make_staff(town_a, "clerk@a.test", Role.CLERK)
    client_a.force_login(clerk)
    assert client_a.get("/verwaltung/einbetten/").status_code == 403
    client_a.post("/verwaltung/einbetten/", {"action": "add", "origin": SITE})
    assert not EmbedOrigin.objects.exists()


def test_administrator_lists_an_origin_and_copies_a_snippet(client_a, town_a, admin_a, offer):
    client_a.force_login(admin_a)
    page = client_a.get("/verwaltung/einbetten/").content.decode()
    assert "Einbetten ist überall gesperrt" in page
    assert 'value="/termine/leistung/personalausweis-beantragen/"' in page
    assert 'value="/assistent/"' in page
    client_a.post("/verwaltung/einbetten/", {"action": "add", "origin": SITE, "note": "Website"})
    client_a.post("/verwaltung/einbetten/", {"action": "add", "origin": SITE})  # twice: once
    item = EmbedOrigin.objects.get()
    assert (item.origin, item.municipality, item.created_by) == (SITE, town_a, admin_a)
    assert AuditEntry.objects.filter(action="core.embed_origin_added").count() == 1
    bad = client_a.post("/verwaltung/einbetten/", {"action": "add", "origin": "*"}, follow=True)
    assert "Bitte eine Adresse" in bad.content.decode() and EmbedOrigin.objects.count() == 1
    snippet = client_a.get(
        "/verwaltung/einbetten/", {"seite": "/termine/leistung/personalausweis-beantragen/"}
    ).content.decode()
    assert (
        "&lt;iframe src=&quot;http://a.test/einbetten/termine/leistung/personalausweis-beantragen/&quot;"
        in snippet
    )
    unknown = client_a.get("/verwaltung/einbetten/", {"seite": "/verwaltung/"}).content.decode()
    assert "&lt;iframe" not in unknown
    client_a.post("/verwaltung/einbetten/", {"action": "remove", "id": item.pk})
    assert not EmbedOrigin.objects.exists()
    assert AuditEntry.objects.filter(action="core.embed_origin_removed").count() == 1
    for hostile in ("\x00", "1" * 40, "abc"):
        response = client_a.post("/verwaltung/einbetten/", {"action": "remove", "id": hostile})
        assert response.status_code in (302, 400)
