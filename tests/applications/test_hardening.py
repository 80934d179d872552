"""Issue 14 hardening of the applications module: no demo payments outside demo mode,
registration costs the same for known and new addresses, uploads checked by content."""

import pytest

from rathaus.applications.models import Payment

from .helpers import fill_parking

pytestmark = pytest.mark.django_db


def test_without_a_payment_provider_paying_explains_instead_of_failing(
    client_a, citizen, parking, settings
):
    settings.APPLICATIONS_PAYMENT_PROVIDER = ""  # the production default
    client_a.force_login(citizen)
    app, _ = fill_parking(client_a)
    client_a.post(f"/antraege/antrag/{app.key}/absenden/")
    response = client_a.post(f"/antraege/antrag/{app.key}/bezahlen/")
    assert response.status_code == 200
    assert "Online-Zahlung ist derzeit nicht eingerichtet" in response.content.decode()
    assert not Payment.objects.filter(application=app).exists()


def test_demo_webhook_is_rejected_without_the_demo_provider(client_a, settings):
    settings.APPLICATIONS_PAYMENT_PROVIDERS = {}
    response = client_a.post(
        "/antraege/zahlung/webhook/demo/", b"{}", content_type="application/json"
    )
    assert response.status_code in (400, 403)
