"""Public pages, feeds, search and files: what anyone sees, and what they never see."""

import pytest
from django.core import mail

from rathaus.core.models import AuditEntry
from rathaus.council import services
from rathaus.council.models import SavedSearch

pytestmark = pytest.mark.django_db

# The queries below echo in the search box, so look for text only the hidden objects have.
SECRET = ("Grundstücksangelegenheit", "Geheimzahl 4711", "Wertgutachten Geheimweg", "23/SVV/0001")


def assert_no_secret(response):
    body = response.content.decode()
    for word in SECRET:
        assert word not in body, word


@pytest.fixture
def published(council_a):
    services.publish_agenda(council_a.meeting)
    return council_a


def test_meeting_page_shows_public_agenda_only(client_a, published):
    c = published
    response = client_a.get(f"/rat/sitzungen/{c.meeting.pk}/")
    assert response.status_code == 200
    assert "Transparenz der Tätigkeit von Beiräten" in response.content.decode()
    assert "nichtöffentlichen Teil" in response.content.decode()
    assert_no_secret(response)


def test_unpublished_agenda_is_hidden(client_a, council_a):
    response = client_a.get(f"/rat/sitzungen/{council_a.meeting.pk}/")
    assert "Transparenz der Tätigkeit" not in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/rat/",
        "/rat/sitzungen/?jahr=2023&monat=1",
        "/rat/vorlagen/",
        "/rat/vorlagen/?q=Geheimweg",
        "/rat/suche/?q=Kaufpreis",
        "/rat/suche/?q=Vertraulich",
        "/rat/suche/?q=Wertgutachten",
        "/rat/vorlagen/feed/",
        "/rat/sitzungen.ics",
        "/rat/gremien/",
        "/rat/personen/",
    ],
)
def test_no_secret_anywhere_public(client_a, published, path):
    response = client_a.get(path)
    assert response.status_code == 200
    assert_no_secret(response)


def test_secret_objects_404_for_public_and_outsider(client_a, published):
    c = published
    for path in (
        f"/rat/vorlagen/{c.secret_paper.pk}/",
        f"/rat/dateien/{c.secret_file.pk}/",
        f"/rat/dateien/{c.secret_file.pk}/download/",
        f"/rat/sitzungen/{c.meeting.pk}/niederschrift/?vollstaendig=1",
    ):
        assert client_a.get(path).status_code == 404, path
    client_a.force_login(c.outsider_user)  # councillor, but not in this committee
    assert client_a.get(f"/rat/vorlagen/{c.secret_paper.pk}/").status_code == 404
    assert client_a.get(f"/rat/dateien/{c.secret_file.pk}/").status_code == 404
    assert_no_secret(client_a.get(f"/rat/sitzungen/{c.meeting.pk}/"))


def test_member_sees_secret_and_access_is_audited(client_a, published):
    c = published
    client_a.force_login(c.councillor_user)
    response = client_a.get(f"/rat/vorlagen/{c.secret_paper.pk}/")
    assert response.status_code == 200 and "Geheimweg" in response.content.decode()
    response = client_a.get(f"/rat/dateien/{c.secret_file.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"Geheimzahl" in b"".join(response.streaming_content)
    assert "Geheimweg" in client_a.get(f"/rat/sitzungen/{c.meeting.pk}/").content.decode()
    logged = AuditEntry.objects.filter(action="council.non_public_viewed", actor=c.councillor_user)
    assert {e.object_type for e in logged} == {
        "council.paper",
        "council.file",
        "council.meeting",
    }


def test_council_office_sees_secret(client_a, published):
    client_a.force_login(published.office_user)
    assert client_a.get(f"/rat/vorlagen/{published.secret_paper.pk}/").status_code == 200


def test_other_municipality_gets_404(client_b, council_a, town_b):
    assert client_b.get(f"/rat/vorlagen/{council_a.paper.pk}/").status_code == 404
    assert client_b.get(f"/rat/sitzungen/{council_a.meeting.pk}/").status_code == 404
    assert client_b.get(f"/rat/dateien/{council_a.public_file.pk}/").status_code == 404
    assert client_b.get(f"/rat/gremien/{council_a.committee.pk}/").status_code == 404


def test_paper_page_shows_consultation_path_and_outcome(client_a, published):
    c = published
    services.record_result(c.item, result="erledigt durch Verwaltungshandeln", unanimous=True)
    body = client_a.get(f"/rat/vorlagen/{c.paper.pk}/").content.decode()
    assert "Beratungsfolge" in body and c.committee.name in body
    assert "Vorberatung" in body and "erledigt durch Verwaltungshandeln" in body
    assert "einstimmig" in body and "Präsentation Beiräte" in body


def test_public_file_inline_and_download(client_a, published):
    f = published.public_file
    inline = client_a.get(f"/rat/dateien/{f.pk}/")
    # A text file is never shown inline (only PDFs and images are, issue 14).
    assert inline.status_code == 200 and inline["Content-Disposition"].startswith("attachment")
    assert inline["Content-Security-Policy"] == "sandbox"
    download = client_a.get(f"/rat/dateien/{f.pk}/download/")
    assert download["Content-Disposition"].startswith("attachment")
    assert 'filename="beiraete.txt"' in download["Content-Disposition"]


def test_search_finds_paper_by_text_and_file(client_a, published):
    body = client_a.get("/rat/suche/?q=Beiräte").content.decode()
    assert "22/SVV/0792" in body
    body = client_a.get("/rat/suche/?q=neu strukturiert").content.decode()
    assert "Präsentation Beiräte" in body


def test_advisory_board_page(client_a, published):
    c = published
    body = client_a.get("/rat/beiraete/").content.decode()
    assert "Seniorenbeirat" in body and "Hauptausschuss" not in body
    body = client_a.get(f"/rat/gremien/{c.board.pk}/").content.decode()
    assert "Geschäftsordnung" in body and "Der Beirat tagt öffentlich" in body


def test_committee_page_lists_members_and_released_minutes(client_a, published):
    c = published
    services.generate_minutes(c.meeting)
    page = client_a.get(f"/rat/gremien/{c.committee.pk}/").content.decode()
    assert "Rünger" in page and "Niederschrift vom" not in page
    assert client_a.get(f"/rat/sitzungen/{c.meeting.pk}/niederschrift/").status_code == 404
    services.approve_minutes(c.meeting)
    page = client_a.get(f"/rat/gremien/{c.committee.pk}/").content.decode()
    assert "Niederschrift vom 10.01.2023" in page
    minutes = client_a.get(f"/rat/sitzungen/{c.meeting.pk}/niederschrift/")
    assert minutes.status_code == 200 and "Sitzungsbeginn" in minutes.content.decode()
    assert_no_secret(minutes)


def test_ical_feed(client_a, published):
    from datetime import timedelta

    from django.utils import timezone

    start = timezone.now().replace(microsecond=0) + timedelta(days=7)
    services.create_meeting(published.board, name="Sitzung des Seniorenbeirats", start=start)
    response = client_a.get("/rat/sitzungen.ics")
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.count("BEGIN:VEVENT") == 1  # the 2023 meeting is older than a year
    assert "Sitzung des Seniorenbeirats" in body and "UID:sitzung-" in body


def test_ical_feed_uids_do_not_depend_on_the_host_name(client_a, published):
    """RFC 5545 §3.8.4.7: the UID is the event's identity; a town reachable under two
    host names must not show every meeting twice in a subscribed calendar."""
    from datetime import timedelta

    from django.utils import timezone
    from icalendar import Calendar

    start = timezone.now().replace(microsecond=0) + timedelta(days=7)
    services.create_meeting(published.board, name="Sitzung des Seniorenbeirats", start=start)

    def uids(host):
        response = client_a.get("/rat/sitzungen.ics", HTTP_HOST=host)
        return [str(e["uid"]) for e in Calendar.from_ical(response.content).walk("VEVENT")]

    assert uids("a.test") == uids("localhost") != []
    assert all("a.test" not in uid and "localhost" not in uid for uid in uids("a.test"))


def test_rss_feed_lists_public_papers(client_a, published):
    body = client_a.get("/rat/vorlagen/feed/").content.decode()
    assert "<rss" in body and "22/SVV/0792" in body


def test_calendar_bad_params_answer_400_in_german(client_a, published):
    for query in ("jahr=abc&monat=99", "gremium=%C2%B2", "gremium=" + "9" * 40, "monat=²"):
        response = client_a.get(f"/rat/sitzungen/?{query}")
        assert response.status_code == 400, query
        assert "Ungültiger Wert" in response.content.decode()
    assert client_a.get("/rat/sitzungen/").status_code == 200


def test_meeting_feed_refuses_non_ascii_and_overlong_ids(client_a, published):
    for value in ("%C2%B2", "9" * 23, "1" + "0" * 40):
        assert client_a.get(f"/rat/sitzungen.ics?gremium={value}").status_code == 400


def test_alert_double_opt_in_and_periodic_mail(
    client_a, town_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            "/rat/benachrichtigung/", {"query": "Radverkehr", "email": "Leser@Example.org"}
        )
        client_a.post(
            "/rat/benachrichtigung/", {"query": "Radverkehr", "email": "leser@example.org"}
        )
    assert response.status_code == 200 and "bestätigen" in response.content.decode()
    assert SavedSearch.objects.count() == 1
    alert = SavedSearch.objects.get()
    assert alert.token in mail.outbox[0].body
    mail.outbox.clear()
    # Unconfirmed: nothing is sent.
    services.create_paper(town_a, name="Radverkehr stärken", paper_type="Antrag")
    with django_capture_on_commit_callbacks(execute=True):
        services.send_due_alerts()
    assert mail.outbox == []
    assert client_a.get(f"/rat/benachrichtigung/bestaetigen/{alert.token}/").status_code == 200
    client_a.post(f"/rat/benachrichtigung/bestaetigen/{alert.token}/")
    alert.refresh_from_db()
    assert alert.confirmed_at
    services.create_paper(town_a, name="Radverkehr: Fahrradstraßen", paper_type="Antrag")
    services.create_paper(town_a, name="Radverkehr geheim", paper_type="Antrag", public=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_due_alerts() == 1
        services.send_due_alerts()  # nothing new: no second mail
    assert len(mail.outbox) == 1
    assert "Fahrradstraßen" in mail.outbox[0].body and "geheim" not in mail.outbox[0].body
    client_a.post(f"/rat/benachrichtigung/abbestellen/{alert.token}/")
    assert not SavedSearch.objects.exists()


def test_alert_form_errors_and_tampered_token(client_a, town_a):
    response = client_a.post("/rat/benachrichtigung/", {"query": "", "email": "kaputt"})
    body = response.content.decode()
    assert "Geben Sie einen Suchbegriff ein." in body and "name@beispiel.de" in body
    assert client_a.get("/rat/benachrichtigung/bestaetigen/falsch/").status_code == 404


def test_tasks_page_public_part_for_all_secret_part_for_members(client_a, published, town_a):
    from datetime import timedelta

    from django.utils import timezone

    from rathaus.core.models import Office

    c = published
    office = Office.objects.for_municipality(town_a).first()
    services.add_task(
        c.item,
        description="Bericht an den Ausschuss",
        office=office,
        due_date=timezone.localdate() - timedelta(days=3),
    )
    services.add_task(
        c.secret_item,
        description="Kaufvertrag Geheimweg",
        office=office,
        due_date=timezone.localdate() + timedelta(days=3),
    )
    public_body = client_a.get("/rat/beschluesse/").content.decode()
    assert "Bericht an den Ausschuss" in public_body and "Geheimweg" not in public_body
    client_a.force_login(c.outsider_user)
    body = client_a.get("/rat/beschluesse/").content.decode()
    assert "Bericht an den Ausschuss" in body and "überfällig" in body
    assert "Geheimweg" not in body
    client_a.force_login(c.councillor_user)
    assert "Kaufvertrag Geheimweg" in client_a.get("/rat/beschluesse/").content.decode()


@pytest.mark.postgres
def test_german_stemming_on_postgres(client_a, town_a):
    services.create_paper(
        town_a, name="Gemeinsame Baumpflege", paper_type="Antrag", text="Die Bäume werden gegossen."
    )
    body = client_a.get("/rat/suche/?q=Bäumen").content.decode()
    assert "Gemeinsame Baumpflege" in body  # "Bäumen" and "Bäume" share the stem


def test_councillor_sees_links_on_index(client_a, published):
    body = client_a.get("/rat/").content.decode()
    assert "Für Mandatsträgerinnen" not in body
    assert 'href="/rat/beschluesse/"' in body  # the resolution tracking is public now
    client_a.force_login(published.councillor_user)
    assert "Für Mandatsträgerinnen" in client_a.get("/rat/").content.decode()


def test_meeting_page_lists_invitation(client_a, published):
    body = client_a.get(f"/rat/sitzungen/{published.meeting.pk}/").content.decode()
    assert "Einladung und Tagesordnung" in body
