"""Discarding a draft goes through applications.services with an audit entry (ADR 0001)."""

import pytest
from django.urls import reverse

from rathaus.applications import library, services
from rathaus.applications.models import Application
from rathaus.core.models import AuditEntry, User

from .conftest import make_service

pytestmark = pytest.mark.django_db


def test_the_citizen_discards_a_draft_and_it_is_audited(client, town_a, parking):
    user = User.objects.create_user("entwurf@example.org", "geheim-123!")
    app = services.start_draft(library.install(parking), user=user)
    client.force_login(user)
    url = reverse("applications:discard", args=[app.key])
    response = client.post(url, HTTP_HOST="a.test")
    assert response.status_code == 302
    assert not Application.objects.filter(pk=app.pk).exists()
    entry = AuditEntry.objects.get(action="applications.draft_discarded")
    assert entry.object_id == str(app.pk) and entry.actor == user
    assert entry.municipality == town_a
    # Twice (a double click): nothing left to discard, no second entry, no error.
    assert client.post(url, HTTP_HOST="a.test").status_code == 404
    assert AuditEntry.objects.filter(action="applications.draft_discarded").count() == 1


def test_a_submitted_application_is_not_discarded(town_a):
    form = library.install(make_service(town_a, "sperrmuell-anmelden"))
    app = services.start_draft(form, guest_email="gast@example.org")
    Application.objects.filter(pk=app.pk).update(state=Application.State.SUBMITTED)
    app.refresh_from_db()
    assert services.discard_draft(app) is False
    assert Application.objects.filter(pk=app.pk).exists()
    assert not AuditEntry.objects.filter(action="applications.draft_discarded").exists()
