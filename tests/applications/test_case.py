"""Case handling: inbox filters, notes, status, due dates, document requests, replies, history."""

from datetime import date

import pytest

from rathaus.applications import cases, services
from rathaus.applications.models import CaseEvent, Message
from rathaus.core.models import AuditEntry

from .conftest import pdf_file
from .helpers import fill_parking

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(client_a, citizen, parking):
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    app.refresh_from_db()
    return app


def test_clerk_actions_are_recorded_in_history(client_a, case, clerk_a):
    client_a.force_login(clerk_a)
    base = f"/antraege/verwaltung/vorgang/{case.reference}"
    assert client_a.post(f"{base}/note/", {"note-text": "Halterabfrage läuft"}).status_code == 302
    assert client_a.post(f"{base}/assign/", {"assign-assignee": str(clerk_a.pk)}).status_code == 302
    assert client_a.post(f"{base}/due/", {"due-due_date": "2030-01-31"}).status_code == 302
    response = client_a.post(
        f"{base}/status/", {"status-status": "in_bearbeitung", "status-notify": "on"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assignee == clerk_a and case.due_date == date(2030, 1, 31)
    assert case.case_status == "in_bearbeitung"
    kinds = list(case.case_events.values_list("kind", flat=True))
    assert kinds == ["status", "note", "assign", "due", "status"]
    assert all(e.actor_id == clerk_a.pk for e in case.case_events.all()[1:])
    assert AuditEntry.objects.filter(action="applications.status_changed").exists()
    # the internal note is not shown to the citizen
    client_a.force_login(case.applicant)
    page = client_a.get(f"/antraege/antrag/{case.key}/").content.decode()
    assert "Halterabfrage" not in page and "In Bearbeitung" in page


def test_history_is_append_only(case):
    event = case.case_events.first()
    event.text = "geändert"
    with pytest.raises(ValueError):
        event.save()


def test_unknown_status_is_refused(client_a, case, clerk_a):
    client_a.force_login(clerk_a)
    response = client_a.post(
        f"/antraege/verwaltung/vorgang/{case.reference}/status/", {"status-status": "gibtsnicht"}
    )
    assert response.status_code == 400
    assert "Bitte korrigieren" in response.content.decode()


def test_request_documents_and_citizen_upload(client_a, case, clerk_a):
    client_a.force_login(clerk_a)
    client_a.post(
        f"/antraege/verwaltung/vorgang/{case.reference}/request/",
        {"request-text": "Bitte die Meldebescheinigung nachreichen."},
    )
    case.refresh_from_db()
    assert case.case_status == "unterlagen_nachgefordert"
    message = Message.objects.get(application=case, kind="request")
    client_a.force_login(case.applicant)
    page = client_a.get("/antraege/postfach/").content.decode()
    assert message.subject in page
    response = client_a.post(
        f"/antraege/postfach/{message.pk}/",
        {"body": "Anbei die Bescheinigung.", "files": [pdf_file("melde.pdf")]},
    )
    assert response.status_code == 302
    reply = Message.objects.get(application=case, direction="in")
    assert reply.attachments.get().original_name == "melde.pdf"
    case.refresh_from_db()
    assert case.case_status == "in_bearbeitung"
    assert case.case_events.filter(kind=CaseEvent.Kind.DOCUMENTS).exists()
    client_a.force_login(clerk_a)
    assert (
        "melde.pdf"
        in client_a.get(f"/antraege/verwaltung/vorgang/{case.reference}/").content.decode()
    )


def test_reply_rejects_wrong_file_type(client_a, case, clerk_a):
    cases.request_documents(case, "Bitte nachreichen", actor=clerk_a)
    message = Message.objects.get(application=case, kind="request")
    client_a.force_login(case.applicant)
    from django.core.files.uploadedfile import SimpleUploadedFile

    exe = SimpleUploadedFile("melde.pdf", b"MZ\x90\x00\x03", content_type="application/pdf")
    page = client_a.post(f"/antraege/postfach/{message.pk}/", {"body": "x", "files": [exe]})
    assert "Dateityp ist nicht erlaubt" in page.content.decode()
    assert not Message.objects.filter(direction="in").exists()


def test_decision_needs_payment_and_happens_once(client_a, case, clerk_a):
    client_a.force_login(clerk_a)
    url = f"/antraege/verwaltung/vorgang/{case.reference}/decision/"
    client_a.post(url, {"decision-outcome": "approved", "decision-text": "ok"})
    case.refresh_from_db()
    assert case.outcome == ""  # unpaid
    with pytest.raises(services.ApplicationError):
        cases.decide(case, "approved", "", actor=clerk_a)
    cases.decide(case, "rejected", "Keine Hauptwohnung in der Zone.", actor=clerk_a)
    with pytest.raises(services.ApplicationError):
        cases.decide(case, "approved", "doch", actor=clerk_a)
    case.refresh_from_db()
    assert case.outcome == "rejected"
    assert case.uploads.filter(is_notice=True).count() == 1


def test_inbox_search_and_filters(client_a, case, clerk_a):
    client_a.force_login(clerk_a)
    assert (
        case.reference in client_a.get(f"/antraege/verwaltung/?q={case.reference}").content.decode()
    )
    assert case.reference not in client_a.get("/antraege/verwaltung/?q=niemand").content.decode()
    assert case.reference in client_a.get("/antraege/verwaltung/?q=Mustermann").content.decode()
    assert case.reference in client_a.get("/antraege/verwaltung/?mine=none").content.decode()
    assert case.reference not in client_a.get("/antraege/verwaltung/?mine=me").content.decode()
    page = client_a.get("/antraege/verwaltung/?status=eingegangen").content.decode()
    assert case.reference in page
    assert case.reference not in client_a.get("/antraege/verwaltung/?open=closed").content.decode()
    client_a.post(f"/antraege/verwaltung/vorgang/{case.reference}/uebernehmen/")
    assert case.reference in client_a.get("/antraege/verwaltung/?mine=me").content.decode()


def test_free_message_and_new_reply_badge(client_a, case, clerk_a):
    client_a.force_login(clerk_a)
    base = f"/antraege/verwaltung/vorgang/{case.reference}"
    response = client_a.post(
        f"{base}/message/",
        {"message-subject": "Rückfrage zur Zone", "message-body": "Wohnen Sie im Hinterhaus?"},
    )
    assert response.status_code == 302
    message = Message.objects.get(application=case, subject="Rückfrage zur Zone")
    client_a.force_login(case.applicant)
    client_a.post(f"/antraege/postfach/{message.pk}/", {"body": "Ja, Aufgang B."})
    client_a.force_login(clerk_a)
    assert "neue Antwort" in client_a.get("/antraege/verwaltung/").content.decode()
    assert "Aufgang B" in client_a.get(f"{base}/").content.decode()
    assert "neue Antwort" not in client_a.get("/antraege/verwaltung/").content.decode()


def test_failed_webhook_deliveries_are_retried(case, town_a, monkeypatch):
    from rathaus.applications.models import WebhookDelivery, WebhookEndpoint
    from rathaus.applications.periodic import JOBS

    WebhookEndpoint.objects.create(municipality=town_a, url="https://x.example/h", secret="s")
    statuses = iter([503, 200])
    monkeypatch.setattr("rathaus.applications.tasks.post_json", lambda *a, **k: next(statuses))
    services.emit_event(case, "case.status_changed")
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.delivered_at is None
    retry = next(job for job in JOBS if job.name == "applications.webhook_retry")
    assert retry.function() == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.delivered_at is not None
