"""The satisfaction question after an online application and after a closed case (ADR 0018)."""

import pytest

from rathaus.applications import cases
from rathaus.catalog.models import SatisfactionAnswer

from .helpers import fill_parking

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(client_a, citizen, parking):
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    app.refresh_from_db()
    return app


def _token(page: str) -> str:
    import re

    return re.search(r'name="t" value="([^"]+)"', page).group(1)


def test_question_after_application_and_again_after_the_closed_case(client_a, case, clerk_a):
    page = client_a.get(f"/antraege/antrag/{case.key}/bestaetigung/").content.decode()
    assert "Ihre Meinung – freiwillig und anonym" in page
    token = _token(page)
    client_a.post("/zufriedenheit/", {"t": token, "easy": "yes", "time_saved": "yes"})
    page = client_a.get(f"/antraege/antrag/{case.key}/bestaetigung/").content.decode()
    assert "Ihre Antwort ist angekommen" in page
    # while the case is open, its page does not ask
    assert 'name="t"' not in client_a.get(f"/antraege/antrag/{case.key}/").content.decode()

    cases.decide(case, "rejected", "Keine Hauptwohnung in der Zone.", actor=clerk_a)
    case.refresh_from_db()
    if not case.is_closed:
        last = case.form.statuses()[-1][0]
        cases.change_status(case, last, actor=clerk_a, notify=False)
        case.refresh_from_db()
    assert case.is_closed
    page = client_a.get(f"/antraege/antrag/{case.key}/").content.decode()
    client_a.post("/zufriedenheit/", {"t": _token(page), "easy": "no", "hard": "Nachweise"})
    answers = SatisfactionAnswer.objects.order_by("channel")
    assert [(a.channel, a.easy, a.service_id) for a in answers] == [
        ("application", "yes", case.service_id),
        ("case", "no", case.service_id),
    ]
