"""The anonymous satisfaction question (ADR 0018): answer, double submit, hostile input,
tenancy, the staff figures and the retention job."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from rathaus.catalog import satisfaction, services
from rathaus.catalog.models import (
    SatisfactionAnswer,
    SatisfactionChannel,
    SatisfactionTicket,
    Service,
    Topic,
)
from rathaus.core.models import AuditEntry, Office, Role
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db


def _service(town, slug="hund-anmelden", name="Hund anmelden"):
    topic, _ = Topic.objects.get_or_create(slug="test-thema", defaults={"name": "Testthema"})
    return Service.objects.create(
        municipality=town,
        slug=slug,
        name=name,
        summary="Test",
        topic=topic,
        office=Office.objects.for_municipality(town).first(),
    )


@pytest.fixture
def dog(town_a):
    return _service(town_a)


def _token(service, occasion="booking-17", channel=SatisfactionChannel.BOOKING):
    return satisfaction.ticket(service, channel, occasion)


def test_answer_is_stored_once_without_the_occasion(client_a, dog):
    token = _token(dog, occasion="4711")
    data = {"t": token, "easy": "yes", "time_saved": "no", "hard": "Das Formular war lang."}
    response = client_a.post("/zufriedenheit/", data)
    assert response.status_code == 302 and response["Location"] == "/zufriedenheit/danke/"
    # a double submit (or a reload) stores nothing more and still thanks the citizen
    assert client_a.post("/zufriedenheit/", data).status_code == 302
    answer = SatisfactionAnswer.objects.get()
    assert (answer.service, answer.channel, answer.easy, answer.time_saved) == (
        dog,
        "booking",
        "yes",
        "no",
    )
    assert answer.month == timezone.localdate().replace(day=1)
    # nothing in the answer points to the occasion; the ticket does not point to the answer
    row = {f.attname: getattr(answer, f.attname) for f in answer._meta.fields}
    assert "4711" not in repr(row)
    assert [f.name for f in SatisfactionTicket._meta.fields] == ["digest", "month"]
    assert SatisfactionTicket.objects.count() == 1
    assert satisfaction.answered(token)
    entry = AuditEntry.objects.get(action="catalog.satisfaction_answered")
    assert entry.data == {"channel": "booking"}
    # the page shows "Danke" instead of the form now
    page = client_a.get("/zufriedenheit/", {"t": token}).content.decode()
    assert "Ihre Antwort ist angekommen" in page and 'name="easy"' not in page


def test_free_text_is_anonymised(client_a, dog):
    client_a.post(
        "/zufriedenheit/",
        {"t": _token(dog), "hard": "Ich heiße Erika Muster, erika@example.org, 0331 123456"},
    )
    text = SatisfactionAnswer.objects.get().hard
    assert "Erika" not in text and "example.org" not in text and "123456" not in text


@pytest.mark.parametrize(
    "data",
    [
        {"easy": "vielleicht"},
        {"time_saved": "x" * 10_000},
        {"hard": "x" * 501},
        {"hard": "Steuer\x00zeichen"},
        {},  # nothing chosen: asked again, nothing stored
    ],
)
def test_bad_answers_are_refused_with_a_german_message(client_a, dog, data):
    response = client_a.post("/zufriedenheit/", {"t": _token(dog), **data})
    assert response.status_code == 400
    assert 'class="kern-error"' in response.content.decode()
    assert not SatisfactionAnswer.objects.exists() and not SatisfactionTicket.objects.exists()


def test_emoji_and_umlauts_are_fine(client_a, dog):
    response = client_a.post("/zufriedenheit/", {"t": _token(dog), "hard": "Größe² 🙂"})
    assert response.status_code == 302
    assert SatisfactionAnswer.objects.get().hard == "Größe² 🙂"


@pytest.mark.parametrize("token", ["", "kaputt", "x" * 10_000, "a:b:c", "\x00"])
def test_broken_or_forged_tokens_give_400(client_a, dog, token):
    assert client_a.post("/zufriedenheit/", {"t": token, "easy": "yes"}).status_code == 400
    assert client_a.get("/zufriedenheit/", {"t": token}).status_code == 400
    assert not SatisfactionAnswer.objects.exists()


def test_token_of_another_town_is_refused(client_a, town_b):
    other = _service(town_b)
    response = client_a.post("/zufriedenheit/", {"t": _token(other), "easy": "yes"})
    assert response.status_code == 400
    assert not SatisfactionAnswer.objects.exists()


def test_token_expires(client_a, dog, monkeypatch):
    token = _token(dog)
    later = datetime.now().timestamp() + (satisfaction.TICKET_DAYS + 1) * 86400
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    assert client_a.post("/zufriedenheit/", {"t": token, "easy": "yes"}).status_code == 400


def test_same_occasion_other_channel_is_a_new_question(dog, town_a):
    booking = _token(dog, occasion="5", channel=SatisfactionChannel.APPLICATION)
    case = _token(dog, occasion="5", channel=SatisfactionChannel.CASE)
    assert services.record_satisfaction(town_a, booking, easy="yes")
    assert services.record_satisfaction(town_a, case, easy="no")
    assert not services.record_satisfaction(town_a, case, easy="yes")
    assert SatisfactionAnswer.objects.count() == 2


# --- Staff figures -----------------------------------------------------------------


def test_staff_figures_per_service(client_a, town_a, town_b, dog, editor_a):
    parking = _service(town_a, "bewohnerparkausweis", "Bewohnerparkausweis")
    for n, (easy, saved) in enumerate([("yes", "yes"), ("yes", "no"), ("no", ""), ("", "yes")]):
        services.record_satisfaction(
            town_a, _token(dog, occasion=str(n)), easy=easy, time_saved=saved
        )
    services.record_satisfaction(
        town_a,
        _token(parking, channel=SatisfactionChannel.CASE),
        easy="partly",
        hard="Der Nachweis war schwer zu finden.",
    )
    services.record_satisfaction(town_b, _token(_service(town_b), occasion="b"), hard="Stadt B")
    rows = {r.service.slug: r for r in satisfaction.figures(town_a, since=date(2000, 1, 1))}
    assert set(rows) == {"hund-anmelden", "bewohnerparkausweis"}
    dog_row = rows["hund-anmelden"]
    assert dog_row.answers == 4 and dog_row.by_channel == {"booking": 4}
    assert (dog_row.easy_share, dog_row.hard_share, dog_row.time_saved_share) == (67, 33, 67)

    client_a.force_login(editor_a)
    page = client_a.get("/verwaltung/zufriedenheit/").content.decode()
    assert "Hund anmelden" in page and "67 % ja, 33 % nein" in page
    assert "Der Nachweis war schwer zu finden." in page
    assert "Stadt B" not in page  # no query crosses municipalities
    assert client_a.get("/verwaltung/zufriedenheit/", {"monate": "10**40"}).status_code == 200
    assert client_a.get("/verwaltung/zufriedenheit/", {"monate": "\x00"}).status_code == 400


def test_staff_figures_need_login_and_role(client_a, town_a):
    response = client_a.get("/verwaltung/zufriedenheit/")
    assert response.status_code == 302 and "/anmelden/" in response["Location"]
    client_a.force_login(make_staff(town_a, "termine@a.test", Role.APPOINTMENT_MANAGER))
    assert client_a.get("/verwaltung/zufriedenheit/").status_code == 403


def test_editor_of_another_town_sees_nothing_here(client_b, town_b, town_a, dog):
    services.record_satisfaction(town_a, _token(dog), hard="nur Stadt A")
    client_b.force_login(make_staff(town_b, "editor@b.test", Role.CATALOG_EDITOR))
    page = client_b.get("/verwaltung/zufriedenheit/").content.decode()
    assert "nur Stadt A" not in page and "Hund anmelden" not in page


# --- Retention ---------------------------------------------------------------------


def test_retention_removes_text_then_answers(town_a, dog):
    today = timezone.localdate()

    def answer(months_ago, hard="schwierig"):
        month = satisfaction.first_of_month(today)
        for _ in range(months_ago):
            month = (month - timedelta(days=1)).replace(day=1)
        SatisfactionAnswer.objects.create(
            municipality=town_a, service=dog, channel="booking", month=month, easy="yes", hard=hard
        )
        SatisfactionTicket.objects.create(digest=f"d{months_ago}", month=month)

    for months_ago in (0, 11, 12, 35, 36):
        answer(months_ago)
    services.purge_satisfaction(timezone.now())
    left = sorted(((today - a.month).days // 28, a.hard) for a in SatisfactionAnswer.objects.all())
    assert [hard for _, hard in left] == ["schwierig", "schwierig", "", ""]
    assert SatisfactionTicket.objects.count() == 4


# --- Public figures on the OZG dashboard and in the report PDF -----------------------


def _answers(town, service, pairs, prefix="p"):
    for n, (easy, saved) in enumerate(pairs):
        services.record_satisfaction(
            town,
            _token(service, occasion=f"{prefix}{n}"),
            easy=easy,
            time_saved=saved,
            hard="Geheimer Freitext",
        )


def test_public_figures_only_from_five_answers_and_never_free_text(client_a, town_a, dog):
    from django.template.loader import render_to_string

    from rathaus.catalog import dashboard

    parking = _service(town_a, "bewohnerparkausweis", "Bewohnerparkausweis")
    # five answers for the dog, but only four said whether it saved time
    _answers(town_a, dog, [("yes", "yes"), ("yes", "no"), ("no", "yes"), ("yes", "yes")])
    _answers(town_a, dog, [("partly", "")], prefix="q")
    # four answers for parking: too few to show
    _answers(town_a, parking, [("yes", "yes")] * 4, prefix="park")

    assert SatisfactionAnswer.objects.filter(service=parking).count() == 4
    published = list(dashboard.published_services(town_a))
    rows = dashboard.satisfaction_figures(town_a, published)["rows"]
    assert [(r.service.slug, r.answers, r.easy_share, r.time_saved_share) for r in rows] == [
        ("hund-anmelden", 5, 60, None)
    ]
    page = client_a.get("/ozg-dashboard/").content.decode()
    section = page[page.index('id="satisfaction-h"') :]
    section = section[: section.index("</section>")]
    assert "Hund anmelden" in section and "Bewohnerparkausweis" not in section
    assert '<td class="kern-table__cell kern-table__cell--numeric">60</td>' in section
    assert "mindestens 5 Antworten" in section and "erkennen" in section
    assert "Geheimer Freitext" not in page

    context = dashboard.figures(town_a)
    context.update(municipality=town_a, generated=timezone.localtime())
    report = render_to_string("catalog/dashboard_report.html", context)
    table = report[report.index('<table class="satisfaction">') :]
    assert 'Hund anmelden</td><td class="num">5</td><td class="num">60</td>' in table
    assert "Bewohnerparkausweis" not in table and "Geheimer Freitext" not in report
    assert client_a.get("/ozg-dashboard/ozg-bericht.pdf").content.startswith(b"%PDF")


def test_public_figures_leave_out_unpublished_and_other_towns(town_a, town_b, dog):
    from rathaus.catalog import dashboard

    Service.objects.filter(pk=dog.pk).update(is_published=False)
    _answers(town_a, dog, [("yes", "yes")] * 6)
    other = _service(town_b)
    _answers(town_b, other, [("yes", "yes")] * 6)
    assert dashboard.satisfaction_figures(town_a, list(dashboard.published_services(town_a))) == {
        "since": dashboard.satisfaction_figures(town_a, [])["since"],
        "minimum": 5,
        "rows": [],
    }
