"""Every login path asks for the second factor; logins are throttled per account and
per client (django-axes); client addresses come from trusted proxies only."""

import pyotp
import pytest
from django.core.management import call_command
from django.test import RequestFactory

from rathaus.applications.models import TotpDevice
from rathaus.core import ratelimit
from rathaus.core.models import Role
from tests.conftest import make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "geheim-123!"


@pytest.fixture
def staff_with_totp(town_a):
    user = make_staff(town_a, "sachbearbeitung@a.test", Role.ADMINISTRATOR)
    user.is_superuser = True  # the strongest case: the admin would let them in anywhere
    user.save()
    device = TotpDevice.objects.create(user=user, secret=pyotp.random_base32(), confirmed=True)
    return user, device


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- second factor -------------------------------------------------------------------


def test_admin_login_form_with_password_alone_does_not_log_in(client_a, staff_with_totp):
    user, _ = staff_with_totp
    response = client_a.post(
        "/verwaltung/admin/login/?next=/verwaltung/admin/",
        {"username": user.email, "password": PASSWORD, "next": "/verwaltung/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/anmelden/")
    assert not logged_in(client_a)
    assert client_a.get("/verwaltung/admin/").status_code == 302  # to the login


def test_login_page_asks_staff_for_the_code(client_a, staff_with_totp):
    user, device = staff_with_totp
    response = client_a.post(
        "/anmelden/?next=/verwaltung/admin/", {"username": user.email, "password": PASSWORD}
    )
    assert response["Location"] == "/antraege/konto/zweiter-faktor/"
    assert not logged_in(client_a)
    code = pyotp.TOTP(device.secret).now()
    response = client_a.post("/antraege/konto/zweiter-faktor/", {"code": code})
    assert response["Location"] == "/verwaltung/admin/"
    assert client_a.get("/verwaltung/admin/").status_code == 200


def test_session_that_skipped_the_code_is_ended(client_a, staff_with_totp):
    """Any other way into a session (old admin form, OIDC, a session from before 2FA)."""
    user, _ = staff_with_totp
    client_a.force_login(user)
    response = client_a.get("/verwaltung/")
    assert response.status_code == 302
    assert response["Location"] == "/anmelden/"
    assert not logged_in(client_a)


def test_staff_must_set_up_2fa_where_required(client_a, town_a, settings):
    settings.RATHAUS_STAFF_2FA_REQUIRED = False
    clerk = make_staff(town_a, "clerk@a.test", Role.CATALOG_EDITOR)
    client_a.force_login(clerk)
    assert client_a.get("/verwaltung/").status_code == 200
    town_a.staff_2fa_required = True  # the town requires it
    town_a.save()
    response = client_a.get("/verwaltung/")
    assert response["Location"] == "/antraege/konto/zweiter-faktor/einrichten/"
    assert client_a.get("/antraege/konto/zweiter-faktor/einrichten/").status_code == 200
    device = TotpDevice.objects.get(user=clerk)
    client_a.post(
        "/antraege/konto/zweiter-faktor/einrichten/", {"code": pyotp.TOTP(device.secret).now()}
    )
    assert client_a.get("/verwaltung/").status_code == 200


def test_installation_setting_requires_2fa_for_staff_but_not_citizens(
    client_a, town_a, citizen, settings
):
    settings.RATHAUS_STAFF_2FA_REQUIRED = True
    client_a.force_login(make_staff(town_a, "clerk@a.test", Role.CATALOG_EDITOR))
    assert client_a.get("/verwaltung/").status_code == 302
    client_a.force_login(citizen)
    assert client_a.get("/antraege/konto/").status_code == 200


# --- brute force ---------------------------------------------------------------------


def wrong_login(client, email, **extra):
    return client.post("/anmelden/", {"username": email, "password": "falsch"}, **extra)


def test_account_is_locked_after_the_failure_limit(client_a, citizen, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert wrong_login(client_a, citizen.email).status_code == 200
    assert wrong_login(client_a, citizen.email).status_code == 429  # the limit-th failure
    response = client_a.post("/anmelden/", {"username": citizen.email, "password": PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in page
    assert not logged_in(client_a)


def test_lock_counts_the_account_across_clients_and_spellings(client_a, citizen, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        email = citizen.email.upper() if number % 2 else citizen.email
        wrong_login(client_a, email, REMOTE_ADDR=f"198.51.100.{number + 1}")
    response = client_a.post(
        "/anmelden/",
        {"username": citizen.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.50",
    )
    assert response.status_code == 429


def test_one_client_trying_many_accounts_is_locked(client_a, citizen, settings):
    for number in range(settings.AXES_FAILURE_LIMIT):
        wrong_login(client_a, f"person{number}@example.org")
    response = client_a.post("/anmelden/", {"username": citizen.email, "password": PASSWORD})
    assert response.status_code == 429


def test_admin_login_path_is_throttled_too(client_a, citizen, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client_a.post("/verwaltung/admin/login/", {"username": citizen.email, "password": "x"})
        wrong_login(client_a, citizen.email)
    response = client_a.post("/anmelden/", {"username": citizen.email, "password": PASSWORD})
    assert response.status_code == 429


def test_unlock_by_command_lets_the_person_in_again(client_a, citizen, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        wrong_login(client_a, citizen.email)
    call_command("axes_reset_username", citizen.email)
    call_command("axes_reset_ip", "127.0.0.1")
    response = client_a.post("/anmelden/", {"username": citizen.email, "password": PASSWORD})
    assert response.status_code == 302
    assert logged_in(client_a)


# --- client address behind proxies ---------------------------------------------------


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_forwarded_for_is_ignored_without_trusted_proxies(settings):
    settings.RATHAUS_TRUSTED_PROXIES = []
    assert ratelimit.client_ip(request_from("10.0.0.5", "203.0.113.7")) == "10.0.0.5"


def test_forwarded_for_is_read_from_a_trusted_proxy_only(settings):
    settings.RATHAUS_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert ratelimit.client_ip(request_from("10.0.0.5", "203.0.113.7")) == "203.0.113.7"
    # a client that is not our proxy cannot choose its address
    assert ratelimit.client_ip(request_from("198.51.100.9", "203.0.113.7")) == "198.51.100.9"


def test_spoofed_hops_left_of_the_real_client_are_not_believed(settings):
    settings.RATHAUS_TRUSTED_PROXIES = ["10.0.0.5", "10.0.0.6"]
    forwarded = "1.2.3.4, 203.0.113.7, 10.0.0.6"  # client wrote 1.2.3.4 itself
    assert ratelimit.client_ip(request_from("10.0.0.5", forwarded)) == "203.0.113.7"
    assert ratelimit.client_ip(request_from("10.0.0.5", "nonsense")) == "10.0.0.5"


def test_rate_limits_count_the_real_client_behind_the_proxy(client_a, citizen, settings):
    """Two citizens behind one proxy do not share the login throttle's client counter."""
    settings.RATHAUS_TRUSTED_PROXIES = ["10.0.0.5"]
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    for number in range(settings.AXES_FAILURE_LIMIT):
        wrong_login(client_a, f"p{number}@example.org", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    response = client_a.post(
        "/anmelden/",
        {"username": citizen.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.8",
        **proxy,
    )
    assert response.status_code == 302


@pytest.mark.parametrize("value", ["a\x00b\x01c", "x" * 10_000, "²"])
def test_hostile_login_input_is_counted_without_a_server_error(client_a, value):
    """What a failed login stores (username, form data) must fit the database."""
    response = client_a.post(
        f"/anmelden/?next={value[:100]}",
        {"username": value, "password": value, "next": value},
        HTTP_USER_AGENT=value,
    )
    assert response.status_code < 500
